"""Signed-in pages: a unit's news posts (list, write, publish)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from ntm.accounts.scope import can, get_object_for, get_unit_for

from .forms import NewsForm
from .models import NewsPost
from .services import PUBLISH, save_news


@login_required
def unit_news(request, pk: int):
    unit = get_unit_for(request, pk)
    posts = NewsPost.objects.restrict(request.user).filter(unit=unit)
    return render(request, "practices/news_list.html", {"unit": unit, "posts": posts,
                                                        "can_edit": can(request.user, unit, PUBLISH)})


def _edit(request, unit, post=None):
    initial = {"title": post.title, "summary": post.summary, "body": post.body, "criteria": post.criteria.strip(),
               "campaign_code": post.campaign_code, "published": post.published,
               "lessons": post.lessons.all()} if post else None
    form = NewsForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            save_news(request.user, unit, title=d["title"], body=d["body"], summary=d["summary"],
                      criteria=d["criteria"].split(), campaign_code=d["campaign_code"], lessons=d["lessons"],
                      published=d["published"], image=d.get("image"), post=post)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Đã lưu tin")
            return redirect("practices:unit_news", pk=unit.pk)
    return render(request, "practices/news_form.html", {"unit": unit, "form": form, "post": post},
                  status=422 if request.method == "POST" else 200)


@login_required
def create_news(request, pk: int):
    return _edit(request, get_unit_for(request, pk, PUBLISH))


@login_required
def edit_news(request, pk: int):
    post = get_object_for(request, NewsPost.objects.select_related("unit"), pk, PUBLISH)
    return _edit(request, post.unit, post)

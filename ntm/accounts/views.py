"""Administrators manage users and their unit-scoped grants."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .forms import GrantForm, UserCreateForm
from .models import Grant, audit
from .scope import is_admin


def _admin_only(request):
    if not is_admin(request.user):
        raise Http404  # outsiders do not learn the page exists


@login_required
def user_list(request):
    _admin_only(request)
    users = User.objects.order_by("username").prefetch_related("grants__unit")
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        first, _sep, last = d["full_name"].rpartition(" ")
        user = User.objects.create_user(d["username"], password=d["password"], first_name=first or last, last_name=last if first else "")
        grant = Grant.objects.create(user=user, unit=d["unit"], role=d["role"])
        audit(request.user, "create_user", user, None, {"username": user.username})
        audit(request.user, "grant", grant, None, {"role": grant.role, "unit": grant.unit_id})
        messages.success(request, _("Đã tạo người dùng %(username)s.") % {"username": user.username})
        return redirect("user_list")
    return render(request, "accounts/users.html", {"users": users, "form": form})


@login_required
def user_grants(request, pk: int):
    _admin_only(request)
    user = get_object_or_404(User, pk=pk)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and request.POST.get("delete"):
        grant = get_object_or_404(Grant, pk=request.POST["delete"], user=user)
        audit(request.user, "revoke", grant, {"role": grant.role, "unit": grant.unit_id}, None)
        grant.delete()
        messages.success(request, _("Đã thu hồi quyền."))
        return redirect("user_grants", pk=user.pk)
    if request.method == "POST" and form.is_valid():
        grant, created = Grant.objects.get_or_create(user=user, unit=form.cleaned_data["unit"], role=form.cleaned_data["role"])
        if created:
            audit(request.user, "grant", grant, None, {"role": grant.role, "unit": grant.unit_id})
        messages.success(request, _("Đã cấp quyền."))
        return redirect("user_grants", pk=user.pk)
    return render(request, "accounts/grants.html", {"subject": user, "grants": user.grants.select_related("unit"), "form": form})

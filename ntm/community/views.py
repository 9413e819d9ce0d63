"""Signed-in pages: the commune's feedback inbox (moderate, handle, answer, close), the Front and
supervision board's overview with counts per unit and year, commendations of a unit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ntm.accounts.scope import can, get_object_for, get_unit_for

from . import rules
from .forms import AnswerForm, CommendationForm, CulturalTitleForm
from .models import Campaign, Commendation, CulturalTitle, Feedback
from .services import feedback_for, moderate, save_commendation, set_cultural_title, supervision_counts, transition


@login_required
def board(request):
    """Every feedback the user may see, with counts per unit and year (Front, supervision board)."""
    items = feedback_for(request.user)
    status = request.GET.get("status", "")
    if status in rules.STATES:
        items = items.filter(status=status)
    return render(request, "community/board.html", {
        "counts": supervision_counts(request.user), "items": items[:200], "states": rules.STATES, "status": status})


@login_required
def unit_feedback(request, pk: int):
    unit = get_unit_for(request, pk)
    items = feedback_for(request.user).filter(unit=unit)
    return render(request, "community/unit.html", {"unit": unit, "items": items, "states": rules.STATES})


@login_required
def detail(request, pk: int):
    fb = get_object_for(request, Feedback.objects.select_related("unit"), pk)
    return render(request, "community/detail.html", {
        "fb": fb, "events": fb.events.select_related("actor"), "form": AnswerForm(initial={"answer": fb.answer}),
        "actions": [(a, rules.ACTIONS[a]) for a in rules.actions_from(fb.status)],
        "can_answer": can(request.user, fb.unit, "community.answer"),
        "can_moderate": can(request.user, fb.unit, "community.moderate"), "states": rules.STATES,
        "moderation": rules.MODERATION})


@login_required
@require_POST
def act(request, pk: int):
    fb = get_object_for(request, Feedback.objects.select_related("unit"), pk)
    action = request.POST.get("action", "")
    try:
        if action in ("approve", "reject"):
            moderate(request.user, fb, action == "approve", request.POST.get("note", ""))
        else:
            transition(request.user, fb, action, request.POST.get("answer", ""), request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    except (PermissionDenied, rules.TransitionRefused) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Đã cập nhật ý kiến")
    return redirect("community:detail", pk=fb.pk)


@login_required
def commendations(request, pk: int):
    unit = get_unit_for(request, pk)
    may = can(request.user, unit, "community.commend")
    form = CommendationForm(request.POST if request.POST.get("kind") != "title" else None) if may else None
    title_form = CulturalTitleForm(request.POST if request.POST.get("kind") == "title" else None) if may else None
    if request.method == "POST" and request.POST.get("kind") == "title":
        if not may:
            raise PermissionDenied("Bạn không có quyền ghi danh hiệu văn hóa cho đơn vị này")
        if title_form.is_valid():
            try:
                set_cultural_title(request.user, unit, **title_form.cleaned_data)
            except ValidationError as exc:
                for field, errs in exc.message_dict.items():
                    title_form.add_error(field if field in title_form.fields else None, errs)
            else:
                messages.success(request, "Đã ghi danh hiệu văn hóa")
                return redirect("community:commendations", pk=unit.pk)
    elif request.method == "POST":
        if not may:
            raise PermissionDenied("Bạn không có quyền ghi khen thưởng cho đơn vị này")
        if form.is_valid():
            try:
                save_commendation(request.user, unit, **form.cleaned_data,
                                  campaign=Campaign.objects.filter(pk=request.POST.get("campaign") or 0).first())
            except ValidationError as exc:
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                messages.success(request, "Đã ghi khen thưởng")
                return redirect("community:commendations", pk=unit.pk)
    rows = Commendation.objects.restrict(request.user).filter(unit=unit).select_related("campaign")
    titles = CulturalTitle.objects.restrict(request.user).filter(unit=unit)
    return render(request, "community/commendations.html", {"unit": unit, "rows": rows, "form": form,
                                                            "title_form": title_form, "titles": titles,
                                                            "campaigns": Campaign.objects.all()})

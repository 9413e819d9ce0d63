"""Pages of the recognition process: a unit's recognitions and dossiers, the dossier page (state,
timeline, the next moves as forms for the user's role, the conditions gate, what changed since the
self-assessment, documents), the "việc cần làm" inbox, recognised units at risk and withdrawal cases.

Every object is fetched through `get_object_for` (404 to an outsider); every write goes through
`services`, whose refusals are shown as messages — never a 500."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from ntm.accounts.scope import get_object_for, get_unit_for
from ntm.criteria.spec import LEVEL_LABELS
from ntm.units.models import Unit

from . import services, workflow
from .forms import (
    AttachmentForm,
    CommentForm,
    ConditionsForm,
    OpenDossierForm,
    OverrideForm,
    ReadingForm,
    RecordPastForm,
    StepForm,
    WithdrawalStepForm,
)
from .models import Attachment, Dossier, Recognition, Transition, WithdrawalCase
from .rules import load


def _refused(request, exc: Exception) -> None:
    for msg in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, msg)


def _post_only(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def subtree_q(unit: Unit, prefix: str = "unit") -> Q:
    """Rows whose unit lies in `unit`'s subtree (a province's also in its pre-2025 predecessors': their
    recognitions are the province's history)."""
    if unit.level == Unit.Level.PROVINCE:
        provinces = [unit, *Unit.objects.filter(successor_links__target=unit, level=Unit.Level.PROVINCE)]
        return Q(**{f"{prefix}__province__in": provinces}) | Q(**{f"{prefix}__in": provinces})
    if unit.level == Unit.Level.DISTRICT:
        return Q(**{prefix: unit}) | Q(**{f"{prefix}__parent": unit}) | Q(**{f"{prefix}__parent__parent": unit})
    return Q(**{prefix: unit}) | Q(**{f"{prefix}__parent": unit})


@login_required
def unit_recognitions(request, pk: int):
    """A unit's recognitions (history, its predecessors' too), its dossiers, and its standing."""
    unit = get_unit_for(request, pk)
    preds = list(Unit.objects.filter(successor_links__target=unit).order_by("code"))
    recs = Recognition.objects.restrict(request.user).filter(unit__in=[unit, *preds]).select_related("unit").order_by(
        "year", "id")
    levels = services.UNIT_LEVELS.get(unit.level, ())
    can_prepare = bool(levels) and services.may_act(request.user, unit, workflow.PREPARE)
    return render(request, "recognition/unit.html", {
        "unit": unit, "recognitions": recs, "dossiers": Dossier.objects.filter(unit=unit).order_by("-year", "-id"),
        "standing": next(iter(services.standings([unit.pk])), None),
        "cases": WithdrawalCase.objects.filter(unit=unit).order_by("-opened_at"),
        "can_prepare": can_prepare,
        "can_record": bool(levels) and services.may_act(request.user, unit, "recognition.record"),
        "record_form": RecordPastForm(initial={"level": levels[0] if levels else ""}),
        "form": OpenDossierForm(levels=levels, initial={"year": timezone.localdate().year, "level": "ntm"}),
    })


@login_required
def open_dossier(request, pk: int):
    if (r := _post_only(request)) is not None:
        return r
    unit = get_unit_for(request, pk)
    form = OpenDossierForm(request.POST, levels=services.UNIT_LEVELS.get(unit.level, ()))
    if not form.is_valid():
        messages.error(request, "Chọn mức và năm hợp lệ")
        return redirect("recognition:unit", pk=unit.pk)
    try:
        dossier = services.open_dossier(request.user, unit, form.cleaned_data["level"], form.cleaned_data["year"])
    except (workflow.InvalidMove, PermissionDenied) as exc:
        _refused(request, exc)
        return redirect("recognition:unit", pk=unit.pk)
    messages.success(request, f"Đã lập {dossier}")
    return redirect("recognition:dossier", pk=dossier.pk)


def _dossier(request, pk: int) -> Dossier:
    return get_object_for(request, Dossier.objects.select_related("unit", "unit__parent"), pk)


@login_required
def dossier_page(request, pk: int):
    dossier = _dossier(request, pk)
    user, day = request.user, timezone.localdate()
    facts = services.facts(dossier, day)
    target = services.target_set(dossier.snapshot, dossier.level)
    criteria = target["criteria"] if target else []
    actions = services.next_actions(user, dossier, day)
    forms = [(a, workflow.ACTIONS[a], StepForm(action=a, criteria=criteria), workflow.guard(a, facts)) for a in actions]
    consultation = getattr(dossier, "consultation", None)
    appraisal = getattr(dossier, "appraisal", None)
    rules = load()
    verdicts = {v.criterion: v for v in appraisal.verdicts.all()} if appraisal else {}
    have = {a.kind for a in dossier.attachments.all()}
    days, readings_min = rules.consultation_for(dossier.unit.level)
    may = {name: services.may_act(user, dossier.unit, action) for name, action in (
        ("prepare", workflow.PREPARE), ("consult", workflow.CONSULT), ("override", "recognition.override"))}
    may["attach"] = any(services.may_act(user, dossier.unit, a) for a in services.STEP_ROLES)
    return render(request, "recognition/dossier.html", {
        "dossier": dossier, "unit": dossier.unit, "state_label": workflow.STATES[dossier.state],
        "timeline": [(t, workflow.STATES.get(t.from_state, ""), workflow.STATES.get(t.to_state, t.to_state),
                      workflow.ACTIONS.get(t.action, "Lập hồ sơ")) for t in
                     Transition.objects.filter(dossier=dossier).select_related("user")],
        "actions": forms, "gate": workflow.gate(facts), "facts": facts, "diff": services.figure_diff(dossier),
        "snapshot": dossier.snapshot, "criteria": criteria, "consultation": consultation,
        "last_day": consultation and consultation.opened_on + dt.timedelta(days=days - 1),
        "readings": consultation.readings.all() if consultation else [],
        "comments": consultation.comments.all() if consultation else [],
        "survey": getattr(dossier, "survey", None), "rate": workflow.satisfaction(facts),
        "appraisal": appraisal, "criteria_rows": [(c, n, m, verdicts.get(c)) for c, n, m in criteria],
        "overrides": dossier.overrides.all(), "attachments": dossier.attachments.all(),
        "required": [(k, rules.document_types.get(k, k), k in have) for k in rules.required_documents(dossier.year)],
        "window": (days, readings_min), "may": may, "level_label": LEVEL_LABELS.get(dossier.level, dossier.level),
        "reading_form": ReadingForm(initial={"on": day}), "comment_form": CommentForm(initial={"on": day}),
        "conditions_form": ConditionsForm(initial={
            "no_debt": "" if dossier.no_debt is None else str(int(dossier.no_debt)),
            "no_debt_evidence": dossier.no_debt_evidence,
            "security_ok": "" if dossier.security_ok is None else str(int(dossier.security_ok)),
            "security_evidence": dossier.security_evidence}),
        "override_form": OverrideForm(), "attachment_form": AttachmentForm(),
        "recognition": dossier.recognitions.first(),
        "generated": [("to_trinh", "Tờ trình"), ("bao_cao_ket_qua", "Báo cáo kết quả"), ("bien_ban", "Biên bản thẩm định"),
                      ("quyet_dinh", "Dự thảo quyết định")],
    })


@login_required
def act(request, pk: int, action: str):
    """One move of the dossier (POST), through services.transition."""
    if (r := _post_only(request)) is not None:
        return r
    if action not in workflow.ACTIONS:
        raise Http404("Không có bước này")
    dossier = _dossier(request, pk)
    target = services.target_set(dossier.snapshot, dossier.level)
    form = StepForm(request.POST, request.FILES, action=action, criteria=target["criteria"] if target else [])
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errs)}" if label else " ".join(errs))
        return redirect("recognition:dossier", pk=dossier.pk)
    try:
        services.transition(request.user, dossier, action, comment=form.cleaned_data.get("comment", ""),
                            **form.step_data())
    except (workflow.InvalidMove, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        dossier.refresh_from_db()
        messages.success(request, f"{workflow.ACTIONS[action]}: hồ sơ chuyển sang “{workflow.STATES[dossier.state]}”")
    return redirect("recognition:dossier", pk=dossier.pk)


def _data_step(request, pk, form_class, call):
    if (r := _post_only(request)) is not None:
        return r
    dossier = _dossier(request, pk)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errs)}")
    else:
        try:
            call(dossier, form)
        except (workflow.InvalidMove, PermissionDenied) as exc:
            _refused(request, exc)
        else:
            messages.success(request, "Đã ghi")
    return redirect("recognition:dossier", pk=dossier.pk)


@login_required
def add_reading(request, pk: int):
    return _data_step(request, pk, ReadingForm, lambda d, f: services.add_reading(
        request.user, d, f.cleaned_data["on"], f.cleaned_data["note"]))


@login_required
def add_comment(request, pk: int):
    return _data_step(request, pk, CommentForm, lambda d, f: services.add_comment(
        request.user, d, f.cleaned_data["organisation"], f.cleaned_data["on"], f.cleaned_data["text"],
        f.cleaned_data.get("file")))


@login_required
def declare(request, pk: int):
    return _data_step(request, pk, ConditionsForm, lambda d, f: services.declare_conditions(request.user, d, **f.values()))


@login_required
def override(request, pk: int):
    return _data_step(request, pk, OverrideForm, lambda d, f: services.add_override(
        request.user, d, f.cleaned_data["criterion"].strip(), f.cleaned_data["reason"]))


@login_required
def attach(request, pk: int):
    return _data_step(request, pk, AttachmentForm, lambda d, f: services.add_attachment(
        request.user, d, f.cleaned_data["kind"], f.cleaned_data["file"], f.cleaned_data["title"]))


@login_required
def attachment(request, pk: int):
    row = get_object_for(request, Attachment, pk)
    try:
        return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.file.name.rsplit("/", 1)[-1])
    except FileNotFoundError as exc:
        raise Http404("Tệp không còn trên máy chủ") from exc


@login_required
def inbox(request):
    return render(request, "recognition/inbox.html", services.inbox(request.user))


@login_required
def standings(request, pk: int):
    """Recognised units of a subtree against their latest evaluation: at risk, and to consider for withdrawal."""
    unit = get_unit_for(request, pk)
    ids = list(Recognition.objects.restrict(request.user).filter(subtree_q(unit), status=Recognition.Status.IN_FORCE)
               .values_list("unit_id", flat=True).distinct())
    rows = sorted(services.standings(ids), key=lambda s: (-s.verdict.share_failing, s.recognition.unit.full_name))
    open_cases = set(WithdrawalCase.objects.filter(unit_id__in=ids, state__in=["opened", "verified"])
                     .values_list("recognition_id", flat=True))
    return render(request, "recognition/standings.html", {
        "unit": unit, "consider": [s for s in rows if s.verdict.consider],
        "at_risk": [s for s in rows if s.verdict.at_risk and not s.verdict.consider],
        "kept": len([s for s in rows if not s.verdict.at_risk]), "open_cases": open_cases,
        "may_withdraw": services.may_act(request.user, unit, "recognition.withdraw"),
        "cases": WithdrawalCase.objects.restrict(request.user).filter(subtree_q(unit)).select_related(
            "unit", "recognition").order_by("-opened_at")[:50],
    })


@login_required
def open_case(request, pk: int):
    if (r := _post_only(request)) is not None:
        return r
    rec = get_object_for(request, Recognition.objects.select_related("unit"), pk)
    try:
        case = services.open_withdrawal(request.user, rec, reason=request.POST.get("reason", ""))
    except (workflow.InvalidMove, PermissionDenied) as exc:
        _refused(request, exc)
        return redirect("recognition:unit", pk=rec.unit_id)
    return redirect("recognition:case", pk=case.pk)


@login_required
def case_page(request, pk: int):
    case = get_object_for(request, WithdrawalCase.objects.select_related("unit", "recognition"), pk)
    if request.method == "POST":
        form = WithdrawalStepForm(request.POST)
        action = request.POST.get("action", "")
        if form.is_valid():
            try:
                services.move_withdrawal(request.user, case, action, form.cleaned_data["comment"],
                                         form.cleaned_data["decision_number"], form.cleaned_data["decision_date"])
                messages.success(request, "Đã ghi")
            except (workflow.InvalidMove, PermissionDenied) as exc:
                _refused(request, exc)
        return redirect("recognition:case", pk=case.pk)
    moves = [a for (s, a) in services.CASE_TABLE if s == case.state]
    return render(request, "recognition/case.html", {
        "case": case, "unit": case.unit, "moves": [(a, services.CASE_ACTIONS[a]) for a in moves],
        "form": WithdrawalStepForm(), "transitions": Transition.objects.filter(case=case).select_related("user"),
    })


@login_required
def document(request, pk: int, kind: str, fmt: str):
    """A dossier document NTM fills from its data, as PDF (shown) or .docx (downloaded), in the
    Decree 30/2020 layout."""
    from ntm.core.documents import CONTENT_TYPES, respond

    from .documents import DOCUMENTS

    dossier = _dossier(request, pk)
    build = DOCUMENTS.get(kind)
    if build is None or fmt not in CONTENT_TYPES:
        raise Http404("Không có văn bản này")
    return respond(build(dossier), fmt, f"{kind}-{dossier.unit.code}-{dossier.year}")


@login_required
def record_past(request, pk: int):
    """Enter a past decision (the province office)."""
    if (r := _post_only(request)) is not None:
        return r
    unit = get_unit_for(request, pk)
    form = RecordPastForm(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(errs)}")
        return redirect("recognition:unit", pk=unit.pk)
    d = form.cleaned_data
    try:
        services.record_past(request.user, unit, d["level"], d["year"], d["decision_number"], d["decision_date"],
                             signer_name=d["signer_name"])
    except (workflow.InvalidMove, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"Đã nhập quyết định {d['decision_number']}")
    return redirect("recognition:unit", pk=unit.pk)

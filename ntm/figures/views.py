"""Figure entry: a form laid out by criterion and indicator; each field saves on its own (HTMX)
and the scorecard summary updates at once. Every change is kept with who, when, old and new."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from ntm.accounts.scope import can, get_unit_for, is_admin
from ntm.criteria.classify import class_rows, classify
from ntm.criteria.evaluate import EvaluationError, base_set_for, sets_above
from ntm.criteria.loader import province_view, registry
from ntm.criteria.spec import LEVEL_LABELS
from ntm.units.models import Unit

from .entry import layout
from .live import live_evaluation
from .models import Figure, FigureChange, Period
from .rules import year_refusal
from .services import WriteRefused, set_figure, set_period, values_for

YEARS = range(2010, 2031)


def _context(unit: Unit, year: int):
    if year not in YEARS:
        raise Http404("Năm ngoài phạm vi")
    specs = province_view(registry(), unit.province.code if unit.province else "")
    try:
        base = base_set_for(specs, unit.level, year)
    except EvaluationError as exc:
        raise Http404(str(exc)) from exc
    cls = classify(unit.region, class_rows([unit.pk]).get(unit.pk, []), year)
    return specs, base, cls


def _evaluation(unit, year):
    ev = live_evaluation(unit, year)
    data = ev.as_dict() if ev else None
    return data, LEVEL_LABELS.get((data or {}).get("level") or "", "")


@login_required
def entry(request, pk: int, year: int):
    unit = get_unit_for(request, pk)
    if not can(request.user, unit, "figures.edit"):
        raise PermissionDenied("Bạn chỉ được xem đơn vị này")
    refusal = year_refusal(unit.full_name, unit.valid_from, unit.valid_to, year) if year in YEARS else None
    if refusal:
        messages.error(request, refusal)
        return redirect("unit_detail", pk=unit.pk)
    specs, base, cls = _context(unit, year)
    if not base.evaluates_kind(unit.kind):
        messages.error(request, f"{unit.full_name}: bộ tiêu chí {base.decision} không đánh giá đơn vị loại “{unit.kind}”.")
        return redirect("unit_detail", pk=unit.pk)
    try:
        dens, sections = layout(specs, base, cls, year)
    except EvaluationError as exc:  # e.g. a 2026 commune without its commune group
        messages.error(request, f"{exc}. Văn phòng điều phối tỉnh cần khai báo nhóm xã trước.")
        return redirect("unit_detail", pk=unit.pk)
    values = values_for([unit.pk], [year]).get((unit.pk, year), {})
    field_defs = {f.code: f for s in [base, *sets_above(specs, base.code, year)] for f in s.fields.values()}
    evaluation, level_label = _evaluation(unit, year)
    return render(request, "figures/entry.html", {
        "unit": unit, "year": year, "dens": dens, "sections": sections, "values": values, "fields": field_defs,
        "closed": Period.is_closed(unit, year), "evaluation": evaluation, "level_label": level_label,
        "met": {i["code"]: i for i in (evaluation or {}).get("indicators", [])},
        "can_close": can(request.user, unit, "figures.close_period"), "can_reopen": is_admin(request.user),
    })


@login_required
def save(request, pk: int, year: int, field: str):
    """Save one field through the write path; the field, the summary and the statuses swap in place."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    unit = get_unit_for(request, pk, "figures.edit")
    specs, base, _ = _context(unit, year)
    ladder = [base, *sets_above(specs, base.code, year)]
    defs = {f.code: f for s in ladder for f in s.fields.values()}
    if field not in defs:
        raise Http404("Trường số liệu không thuộc bộ tiêu chí của năm này")
    raw = request.POST.get("value", "")
    error = None
    try:
        set_figure(unit, year, field, raw, user=request.user, source=request.POST.get("source", "").strip()[:255],
                   comment=request.POST.get("comment", "")[:1000])
    except WriteRefused as exc:
        error = " ".join(e.split(": ", 1)[-1] if e.startswith(defs[field].name) else e for e in exc.errors)
    evaluation, level_label = _evaluation(unit, year)
    value = values_for([unit.pk], [year]).get((unit.pk, year), {}).get(field)
    return render(request, "figures/_saved.html", {
        "unit": unit, "year": year, "name": field, "fdef": defs[field], "value": value, "raw": raw, "error": error,
        "evaluation": evaluation, "level_label": level_label,
        "met": {i["code"]: i for i in (evaluation or {}).get("indicators", [])},
        "closed": Period.is_closed(unit, year),
    }, status=422 if error else 200)


@login_required
def history(request, pk: int, year: int, field: str):
    unit = get_unit_for(request, pk)
    changes = FigureChange.objects.filter(figure__unit=unit, figure__year=year, figure__field=field).select_related("changed_by")
    current = Figure.objects.filter(unit=unit, year=year, field=field).select_related("updated_by").first()
    return render(request, "figures/_history.html", {"changes": changes[:50], "field": field, "current": current})


@login_required
def period(request, pk: int, year: int):
    """Close (province office) or reopen (administrator, with a reason) a province's reporting year."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    unit = get_unit_for(request, pk)
    closed = request.POST.get("closed") == "1"
    try:
        period = set_period(request.user, unit, year, closed, reason=request.POST.get("reason", ""))
    except WriteRefused as exc:
        messages.error(request, " ".join(exc.errors))
    else:
        messages.success(request, f"Đã {'khoá' if closed else 'mở lại'} kỳ báo cáo {year} của {period.province.full_name}.")
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("figure_entry", pk=unit.pk, year=year)

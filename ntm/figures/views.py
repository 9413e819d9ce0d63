"""Figure entry: a form laid out by criterion and indicator; each field saves on its own (HTMX)
and the scorecard summary updates at once. Every change is kept with who, when, old and new."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from ntm.accounts.models import audit
from ntm.accounts.scope import can, get_unit_for
from ntm.criteria.evaluate import EvaluationError, base_set_for, sets_above
from ntm.criteria.loader import province_view, registry
from ntm.criteria.spec import LEVEL_LABELS
from ntm.evaluations.service import live_evaluation
from ntm.units.classify import classify
from ntm.units.models import Unit

from .entry import InvalidFigure, clean_value, layout, ratio_limits
from .models import Figure, FigureChange, Period
from .services import set_figure, values_for

YEARS = range(2010, 2031)


def _context(unit: Unit, year: int):
    if year not in YEARS:
        raise Http404("Năm ngoài phạm vi")
    specs = province_view(registry(), unit.province.code if unit.province else "")
    try:
        base = base_set_for(specs, unit.level, year)
    except EvaluationError as exc:
        raise Http404(str(exc)) from exc
    from ntm.evaluations.recompute import class_rows

    cls = classify(unit.region, class_rows([unit.pk]).get(unit.pk, []), year)
    return specs, base, cls


def _evaluation(unit, year):
    ev = live_evaluation(unit, year)
    data = ev.as_dict() if ev else None
    return data, LEVEL_LABELS.get((data or {}).get("level") or "", "")


@login_required
def entry(request, pk: int, year: int):
    unit = get_unit_for(request, pk)
    if not can(request.user, unit, "edit"):
        raise PermissionDenied("Bạn chỉ được xem đơn vị này")
    specs, base, cls = _context(unit, year)
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
        "can_close": can(request.user, unit, "close_period"),
    })


@login_required
def save(request, pk: int, year: int, field: str):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    unit = get_unit_for(request, pk, "edit")
    specs, base, _ = _context(unit, year)
    ladder = [base, *sets_above(specs, base.code, year)]
    defs = {f.code: f for s in ladder for f in s.fields.values()}
    if field not in defs:
        raise Http404("Trường số liệu không thuộc bộ tiêu chí của năm này")
    raw = request.POST.get("value", "")
    error = None
    if Period.is_closed(unit, year):
        error = "Kỳ báo cáo đã khoá: số liệu chỉ xem, không sửa được."
    else:
        current = values_for([unit.pk], [year]).get((unit.pk, year), {})
        under, over = ratio_limits(ladder, field)
        try:
            value = clean_value(raw, defs[field], current, under, over, {k: d.name for k, d in defs.items()})
            set_figure(unit, year, field, value, user=request.user, source=request.POST.get("source", "")[:255],
                       comment=request.POST.get("comment", ""))
        except InvalidFigure as exc:
            error = str(exc)
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
    """Close or reopen a province's reporting year."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    unit = get_unit_for(request, pk, "close_period")
    province = unit.province or unit
    closed = request.POST.get("closed") == "1"
    obj, _ = Period.objects.get_or_create(province=province, year=year)
    before = {"closed": obj.closed}
    obj.closed, obj.changed_by = closed, request.user
    obj.save()
    audit(request.user, "close_period" if closed else "reopen_period", obj, before, {"closed": closed})
    messages.success(request, f"Đã {'khoá' if closed else 'mở lại'} kỳ báo cáo {year} của {province.full_name}.")
    return redirect("figure_entry", pk=unit.pk, year=year)


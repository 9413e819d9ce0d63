"""Figure entry: a form laid out by criterion and indicator; each field saves on its own (HTMX)
and the scorecard summary updates at once. Every change is kept with who, when, old and new."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Q, When
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify

from ntm.accounts.scope import can, get_object_for, get_unit_for, is_admin, units_for
from ntm.criteria.batch import Outcome
from ntm.criteria.classify import class_rows, classify
from ntm.criteria.evaluate import EvaluationError, base_set_for, sets_above
from ntm.criteria.loader import province_view, registry
from ntm.criteria.spec import LEVEL_LABELS
from ntm.units.models import REFORM_DATE, Unit, valid_in

from .entry import layout
from .live import live_evaluation
from .models import Figure, FigureChange, Period
from .rules import year_refusal
from .services import NeedsConfirmation, WriteRefused, derived_fields, set_figure, set_period, values_for

YEARS = range(2010, 2031)


def _sets(unit: Unit, year: int):
    """(the province's view of the registry, the base set in force for the unit's level); Http404
    for a year outside the range or without a set. No query (the registry is checked once per request)."""
    if year not in YEARS:
        raise Http404("Năm ngoài phạm vi")
    specs = province_view(registry(), unit.province.code if unit.province else "")
    try:
        base = base_set_for(specs, unit.level, year)
    except EvaluationError as exc:
        raise Http404(str(exc)) from exc
    return specs, base


def _context(unit: Unit, year: int):
    """`_sets` plus the unit's classification that year (one query)."""
    specs, base = _sets(unit, year)
    cls = classify(unit.region, class_rows([unit.pk]).get(unit.pk, []), year)
    return specs, base, cls


def _evaluation(unit, year, outcome: Outcome | None = None):
    ev = outcome.result if outcome is not None else live_evaluation(unit, year)
    data = ev.as_dict() if ev else None
    return data, LEVEL_LABELS.get((data or {}).get("level") or "", "")


def _criteria_status(evaluation: dict | None) -> dict[str, bool | None]:
    """{"<set>-<criterion slug>": met} for the base set (True/False/None = missing data) and, from
    each higher level's list of missing criteria, for the sets above it (True/False)."""
    if not evaluation:
        return {}
    out: dict[str, bool | None] = {f"{evaluation['set']}-{slugify(c['code'])}": c["met"] for c in evaluation["criteria"]}
    for lvl in evaluation.get("levels", []):
        if lvl["set"] == evaluation["set"]:
            continue
        missing = set(lvl["missing"])
        out.update({f"{lvl['set']}-{slugify(code)}": code not in missing for code in _set_codes(lvl["set"])})
    return out


def _set_codes(set_code: str) -> list[str]:
    spec = registry().get(set_code)
    return [c.code for c in spec.criteria] if spec else []


def _missing(evaluation: dict | None) -> list[dict]:
    """The base set's criteria not met (False) or without data (None), in the set's order."""
    return [c for c in (evaluation or {}).get("criteria", []) if c["met"] is not True]


def _evaluation_context(unit, year, outcome: Outcome | None = None) -> dict:
    """The unit's evaluation for the page: `outcome` when the caller has it (computed just now from
    the stored figures, with detail), else evaluated live."""
    evaluation, level_label = _evaluation(unit, year, outcome)
    return {"evaluation": evaluation, "level_label": level_label,
            "met": {i["code"]: i for i in (evaluation or {}).get("indicators", [])},
            "crit_status": _criteria_status(evaluation), "missing": _missing(evaluation)}


def _field_defs(specs, base, year) -> dict:
    return {f.code: f for s in [base, *sets_above(specs, base.code, year)] for f in s.fields.values()}


def _entry_ok(unit: Unit, year: int) -> bool:
    """The unit existed that year and a criteria set in force evaluates units of its level and kind."""
    if year not in YEARS or year_refusal(unit.full_name, unit.valid_from, unit.valid_to, year):
        return False
    try:
        base = base_set_for(province_view(registry(), unit.province.code if unit.province else ""), unit.level, year)
    except EvaluationError:
        return False
    return base.evaluates_kind(unit.kind)


def entry_open(user, unit: Unit, year: int) -> bool:
    """Whether the entry page of (unit, year) opens for `user` (so a page links to it only then):
    the user may edit the unit's figures and `_entry_ok`. One query."""
    return year in YEARS and _entry_ok(unit, year) and can(user, unit, "figures.edit")


def import_open(user, unit: Unit, year: int) -> bool:
    """Whether the Excel import of (unit, year) opens for `user`: for a commune or hamlet as its entry
    page; for a district or province when the user may edit it and at least one of its communes of
    that year (pre-2025 communes before the reform). One query."""
    if unit.level in (Unit.Level.COMMUNE, Unit.Level.HAMLET):
        return entry_open(user, unit, year)
    if year not in YEARS:
        return False
    scheme = Unit.Scheme.LEGACY if year <= REFORM_DATE.year else Unit.Scheme.CURRENT
    communes = Q(level=Unit.Level.COMMUNE, kind="xã", scheme=scheme) & valid_in(year)  # the xã of that year
    if unit.level == Unit.Level.DISTRICT:
        communes &= Q(parent=unit)
    elif scheme != unit.scheme:
        communes &= Q(province__in=Unit.objects.filter(successor_links__target=unit))
    else:
        communes &= Q(province=unit)
    # the unit itself first (when editable), then one of its communes
    rows = list(units_for(user, "figures.edit").filter(Q(pk=unit.pk) | communes).select_related("province")
                .order_by(Case(When(pk=unit.pk, then=0), default=1), "pk")[:2])
    return len(rows) == 2 and rows[0].pk == unit.pk and _entry_ok(rows[1], year)


def _derived_for(unit: Unit) -> dict[str, dict]:
    """{field: {"source", "link"}} for the fields a layer above computes: shown read-only, with a link to
    the page that holds them (the OCOP register…)."""
    return {name: {"source": d.source, "link": d.link(unit.pk) if d.link else ""}
            for name, d in derived_fields().items()}


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
    values = values_for([unit.pk], [year], derived=True).get((unit.pk, year), {})
    ctx = _evaluation_context(unit, year)
    status = ctx["crit_status"]
    blocks = [{"set_code": s.set_code, "title": s.title, "criteria": [
        {"code": code, "name": name, "rows": rows, "known": f"{s.set_code}-{slugify(code)}" in status,
         "met": status.get(f"{s.set_code}-{slugify(code)}")} for code, name, rows in s.criteria]} for s in sections]
    last_source = (FigureChange.objects.filter(figure__unit=unit, changed_by=request.user).exclude(source="")
                   .values_list("source", flat=True).first() or "")
    return render(request, "figures/entry.html", {
        "unit": unit, "year": year, "dens": dens, "sections": blocks, "values": values,
        "fields": _field_defs(specs, base, year), "closed": Period.is_closed(unit, year), "last_source": last_source,
        "derived": _derived_for(unit),
        "can_close": can(request.user, unit, "figures.close_period"), "can_reopen": is_admin(request.user), **ctx,
    })


@login_required
def save(request, pk: int, year: int, field: str):
    """Save one field through the write path; the field, the summary, the statuses and the sticky bar
    swap in place (htmx). Without JavaScript the form posts here natively (with `native=1`): back to the
    page, with a message."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    # the unit with its province (the set's province view), not its parent: nothing here reads it
    unit = get_object_for(request, Unit.objects.select_related("province"), pk, "figures.edit")
    specs, base = _sets(unit, year)
    defs = _field_defs(specs, base, year)
    if field not in defs or field in derived_fields():
        raise Http404("Trường số liệu không thuộc bộ tiêu chí của năm này hoặc được tính tự động")
    raw = request.POST.get("value", "")
    error = warning = None
    outcome = None
    try:
        # detail: the evaluation the write path computes for the unit is shown as is (not evaluated again)
        written = set_figure(unit, year, field, raw, user=request.user,
                             source=request.POST.get("source", "").strip()[:255],
                             comment=request.POST.get("comment", "")[:1000], confirm=request.POST.get("confirm") == "1",
                             detail=True)
        outcome = written.outcomes.get((unit.pk, year))
    except NeedsConfirmation as exc:  # only warning rules: say why, offer "Vẫn lưu" (re-post with confirm=1)
        warning = " ".join(e.split(": ", 1)[-1] if e.startswith(defs[field].name) else e for e in exc.errors)
    except WriteRefused as exc:
        error = " ".join(e.split(": ", 1)[-1] if e.startswith(defs[field].name) else e for e in exc.errors)
    if request.POST.get("native") and not request.htmx:  # a browser without JavaScript (see _field.html)
        if error:
            messages.error(request, f"{defs[field].name}: {error}")
        else:
            messages.success(request, f"Đã lưu: {defs[field].name}.")
        return redirect(reverse("figure_entry", args=[unit.pk, year]) + f"#f-{field}")
    if outcome is not None and outcome.values is not None:  # the figures it was evaluated on, as stored
        value = outcome.values.get(field)
    else:  # refused, unchanged, or evaluated on the queue: read
        value = values_for([unit.pk], [year]).get((unit.pk, year), {}).get(field)
    return render(request, "figures/_saved.html", {
        "unit": unit, "year": year, "fdef": defs[field], "value": value, "raw": raw, "error": error, "warning": warning,
        # a write that went through was not in a closed year (the write path refuses those)
        "closed": Period.is_closed(unit, year) if error or warning else False,
        **_evaluation_context(unit, year, outcome),
    }, status=422 if error or warning else 200)


@login_required
def history(request, pk: int, year: int, field: str):
    """One field's history (newest first): yes/no fields read Đạt/Không; "cập nhật" is the latest
    change whichever door wrote it (form, Excel import, API, CLI)."""
    unit = get_unit_for(request, pk)
    try:
        specs, base = _sets(unit, year)
        fdef = _field_defs(specs, base, year).get(field)
    except Http404:
        fdef = None
    changes = list(FigureChange.objects.filter(figure__unit=unit, figure__year=year, figure__field=field)
                   .select_related("changed_by")[:50])
    current = Figure.objects.filter(unit=unit, year=year, field=field).select_related("updated_by").first()
    updated_at, updated_by = (current.updated_at, current.updated_by) if current else (None, None)
    if changes and current and changes[0].changed_at > updated_at:
        updated_at, updated_by = changes[0].changed_at, changes[0].changed_by
    return render(request, "figures/_history.html", {"changes": changes, "field": field, "fdef": fdef, "current": current,
                                                     "updated_at": updated_at, "updated_by": updated_by})


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

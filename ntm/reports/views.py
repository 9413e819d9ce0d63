"""Dashboards: a province (or district) — matrix of communes × criteria, counts, charts, map —
and the national overview. Each page reads in a handful of queries, whatever the size."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter, OrderedDict
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ntm.accounts.scope import can, get_unit_for, grants, is_admin, scope_key, units_for
from ntm.core import versions
from ntm.core.documents import respond
from ntm.core.params import year_param
from ntm.core.text import fold
from ntm.criteria.evaluate import EvaluationError, base_set_for
from ntm.criteria.levels import at_or_above, ladder, rank
from ntm.criteria.loader import registry
from ntm.criteria.spec import LEVEL_LABELS
from ntm.evaluations.models import Evaluation
from ntm.evaluations.scorecard import progress, reform_mark, scorecard
from ntm.figures.views import import_open
from ntm.plans.documents import review_content
from ntm.recognition.services import recognised_levels
from ntm.units.models import REFORM_DATE, Unit, valid_in

from .excel import matrix_workbook
from .models import MapLayer
from .review_report import review_document
from .unit_report import CHAIR, DEPUTY, Signing, unit_document

LEVEL_COLORS = {"": "#ced4da", "ntm": "#69db7c", "nang_cao": "#4dabf7", "kieu_mau": "#ffc940", "hien_dai": "#9775fa"}
LEGACY_MAPS = {"38": "geo/thanhhoa_pre2025_districts.geojson"}  # old boundaries we may ship (see static/geo/README.md)


def commune_scopes(user, unit: Unit, visible=None):
    """(communes before the reform, communes after) that this dashboard covers, within the user's scope
    (or within `visible`, a Unit queryset: the public portal passes every unit)."""
    visible = (units_for(user) if visible is None else visible).filter(level=Unit.Level.COMMUNE, kind="xã")
    if unit.level == Unit.Level.DISTRICT:
        return visible.filter(parent=unit), Unit.objects.none()
    if unit.scheme == Unit.Scheme.LEGACY:
        return visible.filter(province=unit), Unit.objects.none()
    legacy_provinces = Unit.objects.filter(successor_links__target=unit, level=Unit.Level.PROVINCE)
    return visible.filter(province__in=legacy_provinces), visible.filter(province=unit)


MATRIX_PAGE = 50  # matrix rows per page: a province of 454 communes renders 10× less HTML per request
CACHE_TTL = 600  # seconds: bounds staleness from a change that raises no data version (a units reload)


def _key(*parts) -> str:
    """A cache key for `parts` and the language (names and labels are translated)."""
    return hashlib.sha256(repr((parts, translation.get_language())).encode()).hexdigest()[:40]


def _cached(parts: tuple, compute):
    """`compute()` kept in this process's memory under `parts`, which must include the `results` data
    version: stored evaluations, recognitions, units and maps raise it when they change
    (core/versions.py), so a kept figure is never older than the data it was computed from. Kept as
    objects, not pickled (reading the 2025 figures back from a pickle cost more than the rest of
    the request): callers must not change what they get."""
    key = _key(*parts)
    now = time.monotonic()
    with _MEMO_LOCK:
        hit = _MEMO.get(key)
        if hit is not None and hit[0] > now:
            _MEMO.move_to_end(key)
            return hit[1]
    value = compute()
    with _MEMO_LOCK:
        _MEMO[key] = (now + CACHE_TTL, value)
        while len(_MEMO) > MEMO_SIZE:
            _MEMO.popitem(last=False)
    return value


MEMO_SIZE = 200  # entries (a province's figures for one year are ~60 KB)
_MEMO: OrderedDict[str, tuple[float, object]] = OrderedDict()
_MEMO_LOCK = threading.Lock()


def clear_memo() -> None:
    """Forget every kept figure (tests: the database rolls back, versions with it)."""
    with _MEMO_LOCK:
        _MEMO.clear()


@login_required
def dashboard(request, pk: int):
    """A province's or district's dashboard. Its figures (rows, counts, charts, map) depend only on
    the unit, the year, the reader's scope and the data, so they are computed once per data version
    and served from the cache; the matrix shows MATRIX_PAGE rows per page (`?page=`), its Excel
    export every row that matches the filters."""
    unit = get_unit_for(request, pk)
    if unit.level not in (Unit.Level.PROVINCE, Unit.Level.DISTRICT):
        raise Http404("Bảng điều khiển dành cho tỉnh và huyện")
    version = (unit.pk, scope_key(request.user), versions.read(versions.RESULTS)[0])  # what the figures depend on
    legacy, current = commune_scopes(request.user, unit)
    history, reform = _cached(("history", *version), lambda: (progress(legacy, current), reform_mark()))
    years = [r["year"] for r in history]
    year = year_param(request, years[-1] if years else REFORM_DATE.year)
    communes = (legacy if year < REFORM_DATE.year + 1 else current).filter(valid_in(year))  # the units of that year
    facts = _cached(("year", *version, year), lambda: _year_facts(unit, year, communes, legacy))
    reform = {**reform, "crossed": bool(years) and years[0] < reform["year"] <= years[-1]}
    rows, criteria, steps, spec = facts["rows"], facts["criteria"], facts["steps"], facts["spec"]
    # filters and sort (server-side, so the page works without JavaScript)
    level_f, crit_f, sort = request.GET.get("level", ""), request.GET.get("criterion", ""), request.GET.get("sort", "name")
    shown = rows
    if level_f == "none":
        shown = [r for r in shown if r["level"] == ""]
    elif level_f:
        wanted = rank(steps, level_f) or 99  # a level not on this year's ladder matches nothing
        shown = [r for r in shown if r["level"] and rank(steps, r["level"]) >= wanted]
    codes = [c for c, _name in criteria]
    if crit_f in codes:
        idx = codes.index(crit_f)
        shown = [r for r in shown if r["level"] is not None and r["cells"][idx] is not True]  # evaluated, not meeting it
    if sort == "met":
        shown = sorted(shown, key=lambda r: (r["criteria_met"] is None, r["criteria_met"] or 0))
    elif sort == "-met":
        shown = sorted(shown, key=lambda r: -(r["criteria_met"] or -1))
    if request.GET.get("format") == "xlsx":
        data = matrix_workbook(f"{unit.full_name} — ma trận xã × tiêu chí", year, spec["name"] if spec else "", criteria, shown)
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="ntm-{unit.code}-{year}.xlsx"'
        return response
    page = Paginator(shown, MATRIX_PAGE).get_page(request.GET.get("page"))
    filters = {"level": level_f, "criterion": crit_f, "sort": sort}
    context = {
        "unit": unit, "year": year, "years": years, "reform": reform, "rows": page.object_list,
        "page": page, "matched": len(shown), "query": urlencode({"year": year, **filters}),
        **_cached(("rights", *version, year, sorted((g.unit_id or 0, g.role) for g in grants(request.user)),
                   request.user.is_superuser), lambda: _rights(request.user, unit, year)),
        "total": len(rows), "evaluated": facts["evaluated"], "criteria": criteria, "counts": facts["counts"], "spec": spec,
        "avg": facts["avg"], "filters": filters, "levels": [(st.code, _(st.label)) for st in steps],
        "tiles": [(st, facts["counts"][st.code]) for st in steps], "recognised": facts["recognised"],
        "charts": {"history": history, **facts["charts"], "reform": reform},
        # the rendered tiles, charts and matrix page are cached too: the same for every reader with this scope
        "fragment": _key("fragment", *version, year, filters, page.number),
    }
    # the matrix form and pager swap only #matrix and push their query into the address (a link or
    # a reload reproduces the view); a plain request with the same query renders the whole page
    partial = request.htmx and not request.htmx.history_restore_request and (
        request.GET.get("partial") or request.htmx.target == "matrix")
    template = "reports/_matrix.html" if partial else "reports/dashboard.html"
    return render(request, template, context)


def _rights(user, unit: Unit, year: int) -> dict[str, bool]:
    """The dashboard's buttons this reader may use (a function of their grants and the unit)."""
    province = unit.level == Unit.Level.PROVINCE
    return {"can_import": import_open(user, unit, year),
            "can_classify": province and can(user, unit, "units.classify"),
            "can_recompute": province and can(user, unit, "evaluations.recompute")}


def _year_facts(unit: Unit, year: int, communes, legacy) -> dict:
    """Everything the dashboard shows for one year that does not depend on filters or the reader's
    rights: matrix rows (dicts: id, code, name, full_name, parent_id, parent__name, level, criteria_met, cells,
    decided), criteria [(code, name)], the set's name and decision, the year's ladder, counts,
    recognitions, charts, map. Kept in this process's memory and shared by every request with the
    same data versions (`_cached`): read-only for callers."""
    # folded names sort the Vietnamese way ("Ái Thượng" with the A's, not after "Văn Nho")
    rows = list(communes.values("id", "code", "name", "full_name", "parent_id", "parent__name")
                .order_by("parent__search_name", "search_name"))
    evals = {
        e["unit_id"]: e
        for e in Evaluation.objects.filter(unit__in=communes, year=year).values(
            "unit_id", "level", "criteria_met", "criteria_total", "met", "set_code")
    }
    try:
        base = base_set_for(registry(), "commune", year)
        criteria, spec = [(c.code, c.name) for c in base.criteria], {"name": base.name, "decision": base.decision}
    except EvaluationError:
        criteria, spec = [], None
    for r in rows:
        e = evals.get(r["id"])
        r["level"] = e["level"] if e else None
        r["criteria_met"] = e["criteria_met"] if e else None
        r["cells"] = [(e["met"].get(code) if e else None) for code, _name in criteria]
    steps = ladder(registry(), "commune", year)
    evaluated = [r for r in rows if r["level"] is not None]
    n = len(evaluated)
    share = [(code, name, round(100 * sum(1 for r in evaluated if r["cells"][i] is True) / n) if n else 0)
             for i, (code, name) in enumerate(criteria)]
    counts = at_or_above(steps, [r["level"] for r in evaluated])
    decided = recognised_levels([r["id"] for r in rows], year)  # by decision, not by the figures (issue 13)
    recognised = {"count": len(decided), "eligible": sum(1 for r in evaluated if r["level"] and r["id"] not in decided)}
    for r in rows:
        r["decided"] = decided.get(r["id"], "")
    distribution = Counter(r["criteria_met"] for r in evaluated)
    max_c = len(criteria)
    return {
        "rows": rows, "criteria": criteria, "spec": spec, "steps": steps, "counts": counts, "recognised": recognised, "evaluated": n,
        "avg": round(sum(r["criteria_met"] for r in evaluated) / n, 1) if n else None,
        "charts": {
            "distribution": {"labels": list(range(max_c + 1)), "values": [distribution.get(i, 0) for i in range(max_c + 1)]},
            "weakest": sorted(share, key=lambda s: s[2])[:8],
            "map": _map(unit, year, rows, legacy),
        },
    }


@login_required
def unit_report(request, pk: int, year: int, fmt: str = "pdf"):
    """The unit's evaluation report as an administrative document (Decree 30/2020 layout): PDF to
    print, .docx to edit before signing. Optional GET: so (registry number), nguoi_ky (signer's
    name), ky=chu_tich|pho_chu_tich (the chair signs, or a deputy "KT. CHỦ TỊCH")."""
    unit = get_unit_for(request, pk)
    data = scorecard(unit, year)
    if not data["evaluation"]:
        raise Http404(_("Đơn vị chưa có kết quả đánh giá năm này"))
    signing = Signing(number=request.GET.get("so", "").strip()[:20],
                      signer_name=request.GET.get("nguoi_ky", "").strip()[:80],
                      signer=DEPUTY if request.GET.get("ky") == DEPUTY else CHAIR)
    doc = unit_document(unit, year, data, data["criteria_set"], signing)
    return respond(doc, fmt, f"bao-cao-ntm-{unit.code}-{year}")


@login_required
def review_report(request, pk: int, year: int, fmt: str = "pdf"):
    """The periodic review (sơ kết 6 tháng: ?ky=half, or tổng kết năm) as PDF or .docx in the
    administrative layout; lessons and commendations come from the review page (plans)."""
    unit = get_unit_for(request, pk)
    kind = "half" if request.GET.get("ky") == "half" else "year"
    signing = Signing(number=request.GET.get("so", "").strip()[:20],
                      signer_name=request.GET.get("nguoi_ky", "").strip()[:80],
                      signer=DEPUTY if request.GET.get("ky_ten") == DEPUTY else CHAIR)
    doc = review_document(unit, review_content(unit, year, kind), signing)
    return respond(doc, fmt, f"{'so-ket' if kind == 'half' else 'tong-ket'}-ntm-{unit.code}-{year}")


def _map(unit: Unit, year: int, rows: list[dict], legacy) -> dict | None:
    """A map coloured by level (communes, after 2025) or by share of NTM communes (old districts)."""
    province = unit.province or unit
    uploaded = {layer.kind: layer for layer in MapLayer.objects.filter(province__code=province.code, province__scheme=Unit.Scheme.CURRENT)
                .only("id", "kind", "credit").order_by("uploaded_at")}
    if year > REFORM_DATE.year and unit.scheme == Unit.Scheme.CURRENT and unit.level == Unit.Level.PROVINCE:
        data = [{"code": r["code"], "label": f"{r['full_name']}: {_(LEVEL_LABELS.get(r['level'] or '', '—')) if r['level'] is not None else _('chưa có số liệu')}",
                 "color": LEVEL_COLORS.get(r["level"] or "", "#f1f3f5") if r["level"] is not None else None} for r in rows]
        layer = uploaded.get(MapLayer.Kind.COMMUNES)
        url = reverse("map_layer", args=[layer.pk]) if layer else static(f"geo/communes/{province.code}.geojson")
        return {"url": url, "rows": data, "legend": "level", "credit": layer.credit if layer else None}
    layer = uploaded.get(MapLayer.Kind.DISTRICTS)
    path = LEGACY_MAPS.get(province.code)
    if (path is None and layer is None) or year > REFORM_DATE.year:
        return None
    per = {}
    for r in rows:
        if r["level"] is None:
            continue
        total, ntm = per.get(r["parent_id"], (0, 0))
        per[r["parent_id"]] = (total + 1, ntm + (1 if r["level"] else 0))
    # by id, not name (two districts may share one); the districts of that year only (load_history keeps
    # those merged away in 2019 and 2024 as records of their time)
    districts = Unit.objects.filter(valid_in(year), level=Unit.Level.DISTRICT, province__code=province.code,
                                    scheme=Unit.Scheme.LEGACY)
    data = []
    for d in districts.values("id", "code", "name", "full_name"):
        total, ntm = per.get(d["id"], (0, 0))
        share = ntm / total if total else None
        data.append({"code": d["code"], "value": share,
                     "label": f"{d['full_name']}: " + _("%(ntm)s/%(total)s xã đạt NTM") % {"ntm": ntm, "total": total} if total else d["full_name"],
                     "color": None if share is None else _green(share)})
    url = reverse("map_layer", args=[layer.pk]) if layer else static(path)
    return {"url": url, "rows": data, "legend": "share", "credit": layer.credit if layer else None}


def _green(share: float) -> str:
    """White → green by share of communes meeting NTM."""
    r = round(241 - (241 - 47) * share)
    g = round(243 - (243 - 158) * share)
    b = round(245 - (245 - 68) * share)
    return f"#{r:02x}{g:02x}{b:02x}"


def province_table(year: int) -> tuple[list[dict], dict]:
    """Per province of the year's code space: communes evaluated, at NTM or above, share; and totals.
    The national page and the public portal show these same numbers."""
    stats = {
        r["unit__province_id"]: r
        for r in Evaluation.objects.filter(year=year, unit__level=Unit.Level.COMMUNE).values("unit__province_id")
        .annotate(n=Count("id"))
    }
    ntm = dict(
        Evaluation.objects.filter(year=year, unit__level=Unit.Level.COMMUNE).exclude(level="").values_list("unit__province_id")
        .annotate(n=Count("id"))
    )
    scheme = Unit.Scheme.LEGACY if year <= REFORM_DATE.year else Unit.Scheme.CURRENT
    provinces = []
    for p in Unit.objects.filter(level=Unit.Level.PROVINCE, scheme=scheme):
        n, k = stats.get(p.pk, {}).get("n", 0), ntm.get(p.pk, 0)
        provinces.append({"unit": p, "evaluated": n, "ntm": k, "share": round(100 * k / n) if n else None})
    provinces.sort(key=lambda r: (r["share"] is None, -(r["share"] or 0), fold(r["unit"].name)))
    totals = {"evaluated": sum(r["evaluated"] for r in provinces), "ntm": sum(r["ntm"] for r in provinces)}
    return provinces, totals


@login_required
def national(request):
    if not is_admin(request.user):
        raise Http404
    year = year_param(request, 2025)
    provinces, totals = province_table(year)
    return render(request, "reports/national.html",
                  {"provinces": provinces, "year": year, "years": range(2011, 2027), "totals": totals})

"""What the scorecard page shows, as plain data: the unit's evaluation, its trend across the
2025 reform, and for a district or province the rollup of its communes. Few queries, no N+1."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from ntm.criteria.evaluate import EvaluationError, base_set_for
from ntm.criteria.levels import at_or_above
from ntm.criteria.loader import registry
from ntm.criteria.spec import LEVEL_LABELS
from ntm.units.models import REFORM_DATE, Unit, lineage_ancestors

from .models import Evaluation
from .rollup import Summary, rollup
from .services import communes_of, live_evaluation, year_ladders


def years_of(unit: Unit) -> list[int]:
    """Years with an evaluation for the unit, its predecessors (through every reorganisation), or its communes."""
    ids = [unit.pk, *lineage_ancestors([unit.pk])]
    years = set(Evaluation.objects.filter(unit_id__in=ids).values_list("year", flat=True).distinct())
    communes = communes_of(unit)
    if communes is not None:
        years |= set(Evaluation.objects.filter(unit__in=communes).values_list("year", flat=True).distinct())
    return sorted(years)


def trend(unit: Unit) -> list[dict]:
    """Criteria met per year: the unit's own series, and its predecessors' before each reorganisation
    (the 2025 reform, and before it those of 2019–2024: a commune of 2026 shows the communes of 2011).

    Each point: year, met, total, pct (share of criteria met, %, one decimal: a 19-criteria year
    and a 10-criteria year compare on one axis), level, set (code)."""
    preds = list(Unit.objects.filter(pk__in=lineage_ancestors([unit.pk])).only("id", "full_name").order_by("code"))
    names = {unit.pk: unit.full_name} | {p.pk: p.full_name for p in preds}
    series: dict[int, list] = {pk: [] for pk in names}
    for unit_id, year, met, total, level, code in Evaluation.objects.filter(unit_id__in=list(names)).order_by(
        "year").values_list("unit_id", "year", "criteria_met", "criteria_total", "level", "set_code"):
        series[unit_id].append({"year": year, "met": met, "total": total, "level": level, "set": code,
                                "pct": round(100 * met / total, 1) if total else None})
    return [{"name": names[pk], "own": pk == unit.pk, "points": pts} for pk, pts in series.items() if pts]


def progress(*querysets) -> list[dict]:
    """Per year: communes evaluated, at each level or above, and criteria met on average."""
    out: dict[int, dict] = {}
    for qs in querysets:
        for year, level, n, met, total in (
            Evaluation.objects.filter(unit__in=qs).values_list("year", "level")
            .annotate(n=Count("id"), s=Sum("criteria_met"), t=Sum("criteria_total")).order_by()
        ):
            row = out.setdefault(year, {"year": year, "evaluated": 0, "met": 0, "total": 0, "levels": Counter()})
            row["evaluated"] += n
            row["met"] += met or 0
            row["total"] += total or 0
            row["levels"][level] += n
    rows = []
    ladders = year_ladders(out)
    for year in sorted(out):
        r, lv = out[year], out[year]["levels"]
        steps = ladders.get(year, [])
        counts = at_or_above(steps, [k for k, n in lv.items() for _ in range(n)])
        rows.append({"year": year, "evaluated": r["evaluated"],
                     "levels": [{"code": s.code, "label": s.label, "count": counts[s.code]} for s in steps],
                     "ntm_or_above": counts.get("ntm", 0),
                     # the rung above NTM in that year's ladder: nâng cao until 2025, hiện đại from 2026
                     "above_ntm": counts[steps[1].code] if len(steps) > 1 else 0,
                     "above_ntm_label": steps[1].label if len(steps) > 1 else "",
                     "avg": round(r["met"] / r["evaluated"], 2) if r["evaluated"] else 0,
                     # as a share, so years under a 19-criteria set and a 10-criteria set compare
                     "pct": round(100 * r["met"] / r["total"], 1) if r["total"] else 0})
    return rows


def reform_mark(unit_level: str = "commune") -> dict:
    """Where charts mark the 2025 reform: the first year after it (communes merged on 1 July 2025,
    districts abolished) and the set in force from then, e.g. {"year": 2026, "label": "…51/2025/QĐ-TTg…"}."""
    year = REFORM_DATE.year + 1
    try:
        decision = base_set_for(registry(), unit_level, year).decision
    except EvaluationError:
        decision = ""
    label = (_("Từ %(year)s: Bộ tiêu chí %(decision)s, xã sau sắp xếp") % {"year": year, "decision": decision}
             if decision else _("Từ %(year)s: xã sau sắp xếp") % {"year": year})
    short = _("QĐ %(decision)s · xã mới") % {"decision": decision.split("/QĐ")[0]} if decision else str(year)
    return {"year": year, "label": label, "short": short, "decision": decision}


def communes_rollup(unit: Unit, year: int) -> dict | None:
    """For a province or district: this year's rollup of its communes, and per year the progress —
    for a province formed in 2025, its predecessor provinces' communes before the reform."""
    communes = communes_of(unit)
    if communes is None:
        return None
    rows = Evaluation.objects.filter(unit__in=communes, year=year).values_list(
        "unit_id", "level", "criteria_met", "criteria_total", "met")
    summaries = [Summary(u, year, lvl, m, t, met) for u, lvl, m, t, met in rows]
    result = rollup(summaries, communes_of(unit, year).count(), year_ladders([year]))  # the xã of that year
    history = [communes]
    if unit.level == Unit.Level.PROVINCE and unit.scheme == Unit.Scheme.CURRENT:
        history.insert(0, Unit.objects.filter(province__successor_links__target=unit, level=Unit.Level.COMMUNE, kind="xã"))
    return {"now": result[0] if result else None, "history": progress(*history)}


def scorecard(unit: Unit, year: int) -> dict:
    try:
        ev = live_evaluation(unit, year)
    except EvaluationError:
        ev = None
    data = ev.as_dict() if ev else None
    if data:
        by_crit: dict[str, list] = {}
        for ind in data["indicators"]:
            by_crit.setdefault(ind["criterion"], []).append(ind)
        for c in data["criteria"]:
            c["indicators"] = by_crit.get(c["code"], [])
    return {"evaluation": data, "trend": trend(unit), "rollup": communes_rollup(unit, year),
            "level_label": _(LEVEL_LABELS.get((data or {}).get("level") or "", "")) if data else "",
            "criteria_set": set_info(data["set"]) if data else None}


def set_info(code: str) -> dict:
    """What readers see for a set: its title and decision ("Bộ tiêu chí quốc gia về xã nông thôn mới
    giai đoạn 2026–2030", "51/2025/QĐ-TTg"), never the internal code alone."""
    spec = registry().get(code)
    if spec is None:
        return {"code": code, "name": code, "decision": ""}
    return {"code": code, "name": spec.name, "decision": spec.decision}

"""Recompute stored evaluations in bulk: a few reads, the pure engine, one bulk write.

Communes first, then the districts above them (district sets read their communes' results).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from ntm.criteria.evaluate import Evaluation as EngineResult
from ntm.criteria.evaluate import EvaluationError, base_set_for, evaluate_unit
from ntm.criteria.loader import province_view, registry
from ntm.figures.services import values_for
from ntm.units.classify import ClassRow, classify
from ntm.units.models import Classification, Unit

from .models import Evaluation
from .rollup import district_values

BATCH = 2000


def class_rows(unit_ids: list[int]) -> dict[int, list[ClassRow]]:
    rows: dict[int, list[ClassRow]] = defaultdict(list)
    for uid, scheme, value, y0, y1 in Classification.objects.filter(unit_id__in=unit_ids).values_list(
        "unit_id", "scheme", "value", "year_from", "year_to"
    ):
        rows[uid].append(ClassRow(scheme, value, y0, y1))
    return rows


def evaluate_rows(
    units: list[dict], years: Iterable[int], values: dict[tuple[int, int], dict[str, float]],
    class_rows: dict[int, list[ClassRow]], detail: bool = False,
) -> list[tuple[int, int, EngineResult]]:
    """Run the engine over plain rows; (unit, year) pairs with no figures are skipped."""
    specs = registry()
    views: dict[str, dict] = {}
    out = []
    for unit in units:
        view = views.setdefault(unit["province__code"] or "", province_view(specs, unit["province__code"] or ""))
        for year in years:
            vals = values.get((unit["id"], year))
            if not vals:
                continue
            try:
                base = base_set_for(view, unit["level"], year)
                cls = classify(unit["region"], class_rows.get(unit["id"], []), year)
                out.append((unit["id"], year, evaluate_unit(view, base.code, cls, year, vals, detail)))
            except EvaluationError:  # no set for that year, or a classification is missing (e.g. group)
                continue
    return out


def _store(results: list[tuple[int, int, EngineResult]]) -> int:
    rows = []
    for unit_id, year, ev in results:
        rows.append(
            Evaluation(
                unit_id=unit_id, year=year, set_code=ev.base.set, level=ev.level or "",
                criteria_met=ev.base.criteria_met, criteria_total=ev.base.criteria_total,
                met={c.code: c.met for c in ev.base.criteria}, result=ev.compact(),
            )
        )
    # Replace rather than upsert: one DELETE and plain INSERTs are cheaper than ON CONFLICT batches.
    keys = defaultdict(list)
    for unit_id, year, _ in results:
        keys[year].append(unit_id)
    for year, ids in keys.items():
        Evaluation.objects.filter(year=year, unit_id__in=ids).delete()
    Evaluation.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


UNIT_FIELDS = ("id", "level", "region", "parent_id", "province__code")


@transaction.atomic
def recompute_units(unit_ids: list[int], years: list[int], with_parents: bool = True) -> int:
    """Recompute these units for these years; districts last (they read their communes' results)."""
    rows = []
    for start in range(0, len(unit_ids), BATCH * 5):
        rows += Unit.objects.filter(pk__in=unit_ids[start : start + BATCH * 5]).values(*UNIT_FIELDS, "parent__level")
    districts = {r["id"] for r in rows if r["level"] == Unit.Level.DISTRICT}
    others = [r for r in rows if r["level"] != Unit.Level.DISTRICT]
    if with_parents:
        districts |= {r["parent_id"] for r in others if r["parent__level"] == Unit.Level.DISTRICT}
    count = 0
    for start in range(0, len(others), BATCH):
        chunk = others[start : start + BATCH]
        ids = [r["id"] for r in chunk]
        count += _store(evaluate_rows(chunk, years, values_for(ids, years), class_rows(ids)))
    return count + recompute_districts(sorted(districts), years)


def district_rollup_values(district_ids: list[int], years: list[int]) -> dict[tuple[int, int], dict[str, float]]:
    """The figures a district set reads from its communes' stored evaluations (X/Y communes NTM…)."""
    totals: dict[int, int] = defaultdict(int)
    for parent_id in Unit.objects.filter(parent_id__in=district_ids, level=Unit.Level.COMMUNE, kind="xã").values_list(
        "parent_id", flat=True
    ):
        totals[parent_id] += 1
    levels: dict[tuple[int, int], list[str]] = defaultdict(list)
    for parent_id, year, level in Evaluation.objects.filter(
        unit__parent_id__in=district_ids, unit__kind="xã", year__in=years
    ).values_list("unit__parent_id", "year", "level"):
        levels[(parent_id, year)].append(level)
    return {key: district_values(child, totals[key[0]]) for key, child in levels.items()}


def district_values_for(district_ids: list[int], years: list[int]) -> dict[tuple[int, int], dict[str, float]]:
    """A district's own figures plus its rollup figures; only districts with figures of their own."""
    values = values_for(district_ids, years)
    for key, rolled in district_rollup_values(district_ids, years).items():
        if key in values:
            values[key].update(rolled)
    return values


def recompute_districts(district_ids: list[int], years: list[int]) -> int:
    """District sets read their own figures plus counts from their communes' stored evaluations."""
    if not district_ids:
        return 0
    units = list(Unit.objects.filter(pk__in=district_ids).values(*UNIT_FIELDS))
    return _store(evaluate_rows(units, years, district_values_for(district_ids, years), class_rows(district_ids)))


def recompute_all(province_code: str | None = None, years: list[int] | None = None) -> int:
    """Recompute every unit with figures (optionally one province, some years)."""
    from ntm.figures.models import Figure

    qs = Figure.objects.all()
    if province_code:
        qs = qs.filter(Q(unit__province__code=province_code))
    if years:
        qs = qs.filter(year__in=years)
    pairs = qs.values_list("unit_id", "year").distinct()
    by_year: dict[int, list[int]] = defaultdict(list)
    for unit_id, year in pairs:
        by_year[year].append(unit_id)
    count = 0
    for year, ids in sorted(by_year.items()):
        count += recompute_units(sorted(ids), [year])
    return count

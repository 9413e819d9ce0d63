"""Evaluate one stored unit for one year (CLI, API, scorecard): same path as bulk recompute."""

from __future__ import annotations

from ntm.criteria.evaluate import Evaluation as EngineResult
from ntm.criteria.evaluate import EvaluationError, base_set_for
from ntm.criteria.loader import registry
from ntm.units.models import Unit

from .models import Evaluation
from .recompute import UNIT_FIELDS, class_rows, district_values_for, evaluate_rows
from .rollup import Summary, rollup


def unit_ref(unit: Unit) -> dict:
    return {"code": unit.code, "scheme": unit.scheme, "name": unit.full_name, "level": unit.level}


def live_evaluation(unit: Unit, year: int) -> EngineResult | None:
    """The engine's full answer for one unit and year from its stored figures (same path as recompute)."""
    from ntm.figures.services import values_for

    row = Unit.objects.filter(pk=unit.pk).values(*UNIT_FIELDS).get()
    read = district_values_for if unit.level == Unit.Level.DISTRICT else values_for
    results = evaluate_rows([row], [year], read([unit.pk], [year]), class_rows([unit.pk]), detail=True)
    return results[0][2] if results else None


def evaluate_stored_unit(unit: Unit, year: int) -> dict:
    """The unit's full evaluation from its stored figures, plus, for a province or district,
    the rollup of its communes' stored evaluations."""
    communes = communes_of(unit)
    if communes is None and not registry_covers(unit.level, year):
        raise EvaluationError(f"Không có bộ tiêu chí nào cho cấp '{unit.get_level_display()}' năm {year}")
    result = live_evaluation(unit, year)
    if result is None and communes is None:
        raise EvaluationError(f"{unit.full_name} chưa có số liệu năm {year}")
    out = result.as_dict() if result else {"set": None, "year": year, "level": None, "criteria_met": None,
                                           "criteria_total": None, "criteria": [], "indicators": []}
    out["unit"] = unit_ref(unit)
    if communes is not None:
        summaries = [
            Summary(e.unit_id, e.year, e.level, e.criteria_met, e.criteria_total, e.met)
            for e in Evaluation.objects.filter(unit__in=communes, year=year).only(
                "unit_id", "year", "level", "criteria_met", "criteria_total", "met")
        ]
        out["communes"] = (rollup(summaries, communes.count()) or [None])[0]
    return out


def registry_covers(level: str, year: int) -> bool:
    try:
        base_set_for(registry(), level, year)
    except EvaluationError:
        return False
    return True


def communes_of(unit: Unit):
    if unit.level == Unit.Level.DISTRICT:
        return Unit.objects.filter(parent=unit, level=Unit.Level.COMMUNE)
    if unit.level == Unit.Level.PROVINCE:
        return Unit.objects.filter(province=unit, level=Unit.Level.COMMUNE)
    return None


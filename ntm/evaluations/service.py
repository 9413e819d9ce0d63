"""Evaluate one stored unit for one year (CLI, API, scorecard): same path as bulk recompute."""

from __future__ import annotations

from django.core.management.base import CommandError

from ntm.criteria.evaluate import EvaluationError
from ntm.units.models import Unit

from .models import Evaluation
from .recompute import recompute_units
from .rollup import Summary, rollup


def unit_ref(unit: Unit) -> dict:
    return {"code": unit.code, "scheme": unit.scheme, "name": unit.full_name, "level": unit.level}


def evaluate_stored_unit(unit: Unit, year: int) -> dict:
    """The unit's evaluation from its stored figures (recomputed now, so it is current),
    plus, for a province or district, the rollup of its communes."""
    recompute_units([unit.pk], [year], with_parents=False)
    stored = Evaluation.objects.filter(unit=unit, year=year).first()
    communes = _communes_of(unit)
    if stored is None and not communes:
        raise EvaluationError(f"{unit.full_name} chưa có số liệu năm {year}")
    out = dict(stored.result) if stored else {"set": None, "year": year, "level": None, "criteria_met": None,
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


def _communes_of(unit: Unit):
    if unit.level == Unit.Level.DISTRICT:
        return Unit.objects.filter(parent=unit, level=Unit.Level.COMMUNE)
    if unit.level == Unit.Level.PROVINCE:
        return Unit.objects.filter(province=unit, level=Unit.Level.COMMUNE)
    return None


__all__ = ["evaluate_stored_unit", "CommandError"]

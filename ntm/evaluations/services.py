"""Keeping stored evaluations current, and reading one unit's evaluation.

- On `figures_changed` (sent inside the figures' write transaction) the units written are
  recomputed in the same transaction when few, or by a task on commit when many; a crash between
  the two is repaired by `manage.py recompute --stale` (or any recompute: they are idempotent).
- Publishing a criteria set version or changing a classification recomputes the units affected,
  as a task (`recompute_task`).
"""

from __future__ import annotations

from django.db import transaction
from django.tasks import task

from ntm.core import requestid
from ntm.criteria.evaluate import EvaluationError, base_set_for
from ntm.criteria.levels import ladder
from ntm.criteria.loader import registry
from ntm.figures.live import live_outcome
from ntm.units.models import Unit

from .models import Evaluation, LevelChange
from .recompute import district_rollup_values, recompute_all, recompute_units
from .rollup import Summary, rollup

# Up to this many unit-years are recomputed inside the write's own transaction (a form save, a
# province's import); more go to the task queue after commit.
INLINE_LIMIT = 5000


def _inline_backend() -> bool:
    from django.tasks.backends.immediate import ImmediateBackend

    return isinstance(recompute_task.get_backend(), ImmediateBackend)


def run_or_enqueue(**kwargs) -> None:
    """Recompute now, inside the caller's transaction, on the inline backend (development, tests);
    with a worker, enqueue it once the caller's transaction has committed."""
    if _inline_backend():
        recompute_task.call(**kwargs)
    else:
        transaction.on_commit(lambda: recompute_task.enqueue(**kwargs))


def on_figures_changed(sender, unit_ids: list[int], years: list[int], user=None, **kwargs) -> None:
    if len(unit_ids) * len(years) <= INLINE_LIMIT:
        recompute_units(unit_ids, years, reason=LevelChange.Reason.FIGURES)
    else:
        run_or_enqueue(unit_ids=unit_ids, years=years, reason=LevelChange.Reason.FIGURES)


@task
def recompute_task(unit_ids: list[int] | None = None, years: list[int] | None = None, province: str | None = None,
                   reason: str = LevelChange.Reason.RECOMPUTE) -> int:
    """Recompute some units × years, or a whole province / the country (unit_ids None)."""
    with requestid.activity("task"):
        if unit_ids is not None:
            return recompute_units(sorted(unit_ids), sorted(years or []), reason=reason)
        return recompute_all(province_code=province, years=years, reason=reason)


def schedule_recompute(*, province: str | None = None, years: list[int] | None = None,
                       unit_ids: list[int] | None = None, reason: str = LevelChange.Reason.RECOMPUTE) -> None:
    """A recompute of some units, a province or the country: now on the inline backend, else queued."""
    run_or_enqueue(unit_ids=unit_ids, years=years, province=province, reason=reason)


def unit_ref(unit: Unit) -> dict:
    return {"code": unit.code, "scheme": unit.scheme, "name": unit.full_name, "level": unit.level}


def live_evaluation(unit: Unit, year: int):
    """The engine's full answer for one unit and year from its stored figures (same path as recompute)."""
    outcome = live_outcome(unit, year)
    return outcome.result if outcome else None


def evaluate_stored_unit(unit: Unit, year: int) -> dict:
    """The unit's full evaluation from its stored figures, plus, for a province or district,
    the rollup of its communes' stored evaluations. Raises EvaluationError with the reason."""
    communes = communes_of(unit)
    if communes is None and not registry_covers(unit.level, year):
        raise EvaluationError(f"Không có bộ tiêu chí nào cho cấp '{unit.get_level_display()}' năm {year}")
    outcome = live_outcome(unit, year)
    if outcome is not None and outcome.result is None and communes is None:
        return {"unit": unit_ref(unit), "year": year, "set": outcome.set_code or None,
                "set_version": outcome.set_version or None, "level": None, "error": outcome.error}
    result = outcome.result if outcome else None
    if result is None and communes is None:
        raise EvaluationError(f"{unit.full_name} chưa có số liệu năm {year}")
    out = result.as_dict() if result else {"set": None, "year": year, "level": None, "criteria_met": None,
                                           "criteria_total": None, "criteria": [], "indicators": []}
    out["set_version"] = outcome.set_version if outcome else None
    out["unit"] = unit_ref(unit)
    if communes is not None:
        summaries = [
            Summary(e.unit_id, e.year, e.level, e.criteria_met, e.criteria_total, e.met)
            for e in Evaluation.objects.filter(unit__in=communes, year=year).only(
                "unit_id", "year", "level", "criteria_met", "criteria_total", "met")
        ]
        out["communes"] = (rollup(summaries, communes.count(), year_ladders([year])) or [None])[0]
    return out


def year_ladders(years, unit_level: str = "commune") -> dict[int, list]:
    """{year: the ladder of levels in force} (criteria.levels.Step lists) for these years."""
    specs = registry()
    return {y: ladder(specs, unit_level, y) for y in set(years)}


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


__all__ = ["district_rollup_values", "evaluate_stored_unit", "live_evaluation", "on_figures_changed",
           "recompute_task", "schedule_recompute"]

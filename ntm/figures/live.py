"""One unit's evaluation computed now from its stored figures (entry page, scorecard, CLI, API):
the same engine path as the bulk recompute (`criteria.batch.evaluate_rows`)."""

from __future__ import annotations

from ntm.criteria.batch import UNIT_FIELDS, Outcome, evaluate_rows
from ntm.criteria.classify import class_rows
from ntm.units.models import Unit

from .services import values_for


def live_outcome(unit: Unit, year: int) -> Outcome | None:
    """The engine's full answer (with indicator detail) for one unit and year, or why it cannot be
    evaluated; None when the unit has no figures that year."""
    row = Unit.objects.filter(pk=unit.pk).values(*UNIT_FIELDS).get()
    outcomes = evaluate_rows([row], [year], values_for([unit.pk], [year], derived=True), class_rows([unit.pk]),
                             detail=True)
    return outcomes[0] if outcomes else None


def live_evaluation(unit: Unit, year: int):
    """The engine result (criteria.evaluate.Evaluation) or None (no figures, or not evaluable)."""
    outcome = live_outcome(unit, year)
    return outcome.result if outcome else None

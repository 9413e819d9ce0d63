"""One unit's evaluation computed now from its stored figures (entry page, scorecard, CLI, API):
the same engine path as the bulk recompute (`criteria.batch.evaluate_rows`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ntm.criteria.batch import UNIT_FIELDS, Outcome, evaluate_rows
from ntm.criteria.classify import class_rows
from ntm.criteria.evaluate import past_keys, sets_in_force, year_end
from ntm.criteria.loader import registry
from ntm.units.models import Unit

from .services import values_for

# {unit: {"field@<level>_year": value}} for (unit ids, keys): the unit's own past values that relative
# thresholds read (691/QĐ-TTg model commune), from its stored results — a layer above knows them
# (evaluations.recompute.past_for, registered in its AppConfig.ready()).
PastProvider = Callable[[list[int], set[str]], Mapping[int, Mapping[str, float]]]
_past: list[PastProvider] = []


def register_past(provider: PastProvider) -> None:
    """Called once by the layer that stores results: live evaluations then read units' past values
    as the bulk recompute does, so a page and the stored result agree."""
    if provider not in _past:
        _past.append(provider)


def live_outcome(unit: Unit, year: int) -> Outcome | None:
    """The engine's full answer (with indicator detail) for one unit and year, or why it cannot be
    evaluated; None when the unit has no figures that year. Past values are read only for years whose
    sets in force need them (2018–2021's model-commune income)."""
    row = Unit.objects.filter(pk=unit.pk).values(*UNIT_FIELDS).get()
    keys = past_keys(sets_in_force(registry(), year_end(year)))
    past = _past[0]([unit.pk], keys) if keys and _past else None
    outcomes = evaluate_rows([row], [year], values_for([unit.pk], [year], derived=True), class_rows([unit.pk]),
                             detail=True, past=past)
    return outcomes[0] if outcomes else None


def live_evaluation(unit: Unit, year: int):
    """The engine result (criteria.evaluate.Evaluation) or None (no figures, or not evaluable)."""
    outcome = live_outcome(unit, year)
    return outcome.result if outcome else None

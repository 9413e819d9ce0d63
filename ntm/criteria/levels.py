"""The ladder of levels in force for a unit level and year, read from the sets themselves (their
`level`, `level_name` and `requires`), so every page counts by the decision in force: 2021–2025
NTM → nâng cao → kiểu mẫu (318/319/QĐ-TTg), from 2026 NTM → hiện đại (51/2025/QĐ-TTg). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .evaluate import EvaluationError, base_set_for, sets_above
from .spec import LEVEL_LABELS, CriteriaSetSpec


@dataclass(frozen=True)
class Step:
    """One rung: `code` as stored in evaluations ("ntm", "hien_dai"…), a short `label` for tiles and
    legends, the set's own `name` and `decision`, and its 1-based `rank` on this ladder."""

    code: str
    label: str
    name: str
    rank: int
    set_code: str
    decision: str


def ladder(registry: Mapping[str, CriteriaSetSpec], unit_level: str, year: int) -> list[Step]:
    """Rungs for `unit_level` ("commune", "district", "hamlet") in `year`, lowest first; [] when no set."""
    try:
        base = base_set_for(registry, unit_level, year)
    except EvaluationError:
        return []
    steps: list[Step] = []
    for spec in [base, *sets_above(registry, base.code, year)]:
        if any(s.code == spec.level for s in steps):
            continue
        steps.append(Step(spec.level, LEVEL_LABELS.get(spec.level, spec.level_name), spec.level_name,
                          len(steps) + 1, spec.code, spec.decision))
    return steps


def rank(steps: list[Step], level: str | None) -> int:
    """A stored level's rank on this ladder (0 for none, or a level not on it)."""
    return next((s.rank for s in steps if s.code == level), 0)


def at_or_above(steps: list[Step], levels: list[str | None]) -> dict[str, int]:
    """{rung code: how many of `levels` reach it or a higher rung} — a model commune also counts as NTM."""
    ranks = [rank(steps, lv) for lv in levels]
    return {s.code: sum(1 for r in ranks if r >= s.rank) for s in steps}

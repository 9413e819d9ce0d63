"""The engine over plain rows of many units: the one path for bulk recompute, the entry page,
the scorecard, the CLI and the API. Reads nothing but the registry; figures and classifications
are given."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .classify import ClassRow, classify
from .evaluate import Evaluation as EngineResult
from .evaluate import EvaluationError, base_set_for, evaluate_unit
from .loader import province_view, registry

# The unit columns `evaluate_rows` reads (a `.values(*UNIT_FIELDS)` row).
UNIT_FIELDS = ("id", "level", "kind", "region", "parent_id", "province__code")


@dataclass(slots=True)
class Outcome:
    """One (unit, year): the engine's result, or why the unit cannot be evaluated."""

    unit_id: int
    year: int
    result: EngineResult | None
    error: str = ""
    set_code: str = ""
    set_version: int = 0
    # with detail: the values it was evaluated on ({field: value}, derived values included)
    values: Mapping[str, float | None] | None = None


def evaluate_rows(units: list[dict], years: Iterable[int], values: dict[tuple[int, int], dict[str, float]],
                  class_rows: dict[int, list[ClassRow]], detail: bool = False,
                  past: Mapping[int, Mapping[str, float]] | None = None,
                  sets: tuple[dict, dict] | None = None) -> list[Outcome]:
    """Run the engine for every unit row × year that has figures (pairs without figures are skipped).

    A pair the engine cannot evaluate (no set for the year, a missing commune group, a kind of unit
    the set does not measure) gives an Outcome with `error` in Vietnamese, never an exception.
    `past` = {unit id: {"income_per_capita@ntm_year": …}}: the unit's own past values that relative
    thresholds read (691/QĐ-TTg model commune; see evaluate.past_keys / past_values); absent keys
    make those indicators 'missing data'. With `detail`, each Outcome also holds the values it was
    evaluated on (`values`). `sets`: (specs, versions) as `registry()` and `registry.versions()` gave
    them, for a caller that read them on another thread (this one would ask the database again)."""
    specs, versions = sets if sets is not None else (registry(), registry.versions())
    views: dict[str, dict] = {}
    out: list[Outcome] = []
    for unit in units:
        code = unit["province__code"] or ""
        view = views.get(code)
        if view is None:
            view = views[code] = province_view(specs, code)
        for year in years:
            vals = values.get((unit["id"], year))
            if not vals:
                continue
            try:
                base = base_set_for(view, unit["level"], year)
            except EvaluationError as exc:
                out.append(Outcome(unit["id"], year, None, str(exc)))
                continue
            version = versions.get(base.code, 0)
            if not base.evaluates_kind(unit.get("kind", "")):
                out.append(Outcome(unit["id"], year, None, f"Bộ {base.code} không đánh giá đơn vị loại “{unit['kind']}”",
                                   base.code, version))
                continue
            try:
                cls = classify(unit["region"], class_rows.get(unit["id"], []), year)
                out.append(Outcome(unit["id"], year, evaluate_unit(view, base.code, cls, year, vals, detail,
                                                                 past=(past or {}).get(unit["id"])),
                                   "", base.code, version))
            except EvaluationError as exc:  # e.g. "cần nhóm xã (1, 2, 3)"
                out.append(Outcome(unit["id"], year, None, str(exc), base.code, version))
    if detail:
        for o in out:
            o.values = values.get((o.unit_id, o.year))
    return out

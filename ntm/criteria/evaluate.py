"""The evaluation engine: criteria set × classification × year × figures → results.

Pure functions over plain data (no ORM), so the CLI, bulk recompute, the API and the tests
share one implementation and results are reproducible.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from .spec import ANY, LEVEL_RANK, CriteriaSetSpec, Indicator, Threshold, pick_threshold

Value = float | bool | None
Registry = Mapping[str, CriteriaSetSpec]

_OPS = {">=": operator.ge, "<=": operator.le, "==": operator.eq, ">": operator.gt, "<": operator.lt}


class EvaluationError(Exception):
    """The request cannot be evaluated (unknown set, year outside the set…)."""


@dataclass(frozen=True)
class Classification:
    """What a unit is, for the thresholds: its region, its commune group, special statuses."""

    region: str | None = None
    group: int | None = None
    flags: frozenset[str] = frozenset()  # e.g. {"dbkk"} = xã đặc biệt khó khăn

    def class_for(self, spec: CriteriaSetSpec) -> str | int:
        if spec.classification == "group":
            if self.group is None:
                raise EvaluationError(f"Bộ {spec.code} phân ngưỡng theo nhóm xã: cần nhóm xã (1, 2, 3)")
            return self.group
        if spec.classification == "region":
            for override in spec.overrides:
                if override.when in self.flags:
                    return override.use_region
            if self.region is None:
                raise EvaluationError(f"Bộ {spec.code} phân ngưỡng theo vùng: cần mã vùng")
            return self.region
        return ANY


@dataclass
class IndicatorResult:
    code: str
    name: str
    criterion: str
    kind: str
    unit: str
    value: Value
    threshold: Value
    op: str
    met: bool | None
    gap: float | None
    verified: bool
    source: str


@dataclass(slots=True)
class CriterionResult:
    code: str
    name: str
    group: str
    met: bool | None
    indicators_met: int
    indicators_total: int


@dataclass(slots=True)
class SetResult:
    set: str
    level: str
    requires: str
    criteria_met: int
    criteria_total: int
    all_met: bool
    reached: bool = False
    criteria: list[CriterionResult] = field(default_factory=list)
    # (criterion code, indicator, threshold row, target, op, value, met): cheap tuples; the
    # IndicatorResult objects are built only when someone reads `indicators`.
    cells: list[tuple] = field(default_factory=list, repr=False)

    @property
    def indicators(self) -> list[IndicatorResult]:
        return [
            IndicatorResult(ind.code, ind.name, crit, ind.kind, ind.unit, value, target, op, met,
                            _gap(value, target, op, met), thr.verified, thr.source)
            for crit, ind, thr, target, op, value, met in self.cells
        ]

    @property
    def missing(self) -> list[str]:
        """Codes of criteria not met or lacking data: what stands between the unit and this level."""
        return [c.code for c in self.criteria if c.met is not True]


def resolve_threshold(
    spec: CriteriaSetSpec, ind: Indicator, cls: str | int, year: int, registry: Registry, depth: int = 0
) -> tuple[Threshold, Value]:
    t = pick_threshold(ind.thresholds, spec.classification, cls, year)
    if t is None:
        raise EvaluationError(f"Bộ {spec.code}: chỉ tiêu {ind.code} không có ngưỡng cho năm {year}, {cls}")
    if not t.ref_set:
        return t, t.value
    ref = registry.get(t.ref_set)
    ref_ind = ref.indicator(t.ref_indicator) if ref else None
    if ref is None or ref_ind is None or depth > 5:
        raise EvaluationError(f"Bộ {spec.code}: ngưỡng {ind.code} tham chiếu {t.ref_set}/{t.ref_indicator} không tồn tại")
    _, base = resolve_threshold(ref, ref_ind, cls, year, registry, depth + 1)
    return t, None if base is None else round(float(base) * t.factor, 4)


def _gap(value: Value, threshold: Value, op: str, met: bool | None) -> float | None:
    """How far the value is from the threshold (positive = still to do); None when met or n/a."""
    if met or value is None or isinstance(threshold, bool) or threshold is None:
        return None
    if op in (">=", ">"):
        return round(float(threshold) - float(value), 4)
    if op in ("<=", "<"):
        return round(float(value) - float(threshold), 4)
    return None


_PLANS: dict[tuple, tuple] = {}


def _plan(spec: CriteriaSetSpec, cls: str | int, year: int, registry: Registry) -> tuple:
    """Thresholds resolved once per (set, class, year): bulk recompute then only compares values."""
    key = (id(spec), cls, year, id(registry))
    cached = _PLANS.get(key)
    if cached is not None and cached[0] is spec and cached[1] is registry:
        return cached[2]
    plan = []
    for criterion in spec.criteria:
        rows = []
        for ind in criterion.indicators:
            threshold, target = resolve_threshold(spec, ind, cls, year, registry)
            op = threshold.op or ind.op
            rows.append((ind, threshold, target, op, _OPS[op], ind.code, ind.field, ind.numerator, ind.denominator,
                         ind.kind == "bool"))
        plan.append((criterion, tuple(rows)))
    if len(_PLANS) > 2000:
        _PLANS.clear()
    _PLANS[key] = (spec, registry, tuple(plan))  # keeps spec and registry alive, so ids stay theirs
    return _PLANS[key][2]


def evaluate_set(
    spec: CriteriaSetSpec,
    classification: Classification,
    year: int,
    values: Mapping[str, Value],
    registry: Registry | None = None,
    detail: bool = True,
) -> SetResult:
    """Evaluate one set. A criterion is met when all its indicators are; missing data → None.
    `detail=False` (bulk recompute) keeps criterion results only, not per-indicator cells."""
    if not spec.covers(year):
        raise EvaluationError(f"Bộ {spec.code} áp dụng cho {spec.year_from}–{spec.year_to}, không cho năm {year}")
    registry = registry or {spec.code: spec}
    result = SetResult(spec.code, spec.level, spec.requires, 0, len(spec.criteria), False)
    cells, criteria = result.cells, result.criteria
    met_count = 0
    plan = _plan(spec, classification.class_for(spec), year, registry)
    for criterion, rows in plan:
        n_true = n_none = n_false = 0
        for ind, threshold, target, op, compare, code, fld, num, den, is_bool in rows:
            # the indicator's value: given by its code, read from its field, or a ratio of two fields
            # (inlined: this loop runs a million times in a national recompute)
            value = values.get(code)
            if value is None:
                if fld:
                    value = values.get(fld)
                else:
                    n, d = values.get(num), values.get(den)
                    value = None if n is None or d is None or d <= 0 else round(100.0 * float(n) / float(d), 4)
            if value is not None:
                value = bool(value) if is_bool else float(value)
            if value is None or target is None:
                met = None
                n_none += 1
            elif compare(value, target):
                met = True
                n_true += 1
            else:
                met = False
                n_false += 1
            if detail:
                cells.append((criterion.code, ind, threshold, target, op, value, met))
        met_c = False if n_false else (None if n_none else True)
        met_count += met_c is True
        criteria.append(CriterionResult(criterion.code, criterion.name, criterion.group, met_c, n_true, len(rows)))
    result.criteria_met = met_count
    result.all_met = met_count == result.criteria_total
    return result


def ladder(registry: Registry, code: str) -> list[CriteriaSetSpec]:
    """The chain of sets a level needs, lowest first: kiểu mẫu → [ntm, nâng cao, kiểu mẫu]."""
    chain: list[CriteriaSetSpec] = []
    while code:
        spec = registry.get(code)
        if spec is None:
            raise EvaluationError(f"Không có bộ tiêu chí '{code}'")
        if spec in chain:
            raise EvaluationError(f"Bộ {code} yêu cầu vòng tròn")
        chain.insert(0, spec)
        code = spec.requires
    return chain


_ABOVE: dict[tuple, tuple] = {}


def sets_above(registry: Registry, base: str, year: int) -> list[CriteriaSetSpec]:
    """Every set reachable upward from `base` (by `requires`) that covers `year`, lowest first."""
    key = (id(registry), base, year)
    cached = _ABOVE.get(key)
    if cached is not None and cached[0] is registry:
        return cached[1]
    found, frontier = [], [base]
    while frontier:
        current = frontier.pop(0)
        for spec in sorted(registry.values(), key=lambda s: s.code):
            if spec.requires == current and spec.covers(year):
                found.append(spec)
                frontier.append(spec.code)
    if len(_ABOVE) > 2000:
        _ABOVE.clear()
    _ABOVE[key] = (registry, found)
    return found


@dataclass
class Evaluation:
    """The full answer for one unit and year: the base set in detail, the level reached."""

    year: int
    classification: Classification
    base: SetResult
    levels: list[SetResult]
    level: str | None

    @property
    def next_level(self) -> SetResult | None:
        return next((r for r in self.levels if not r.reached), None)

    def as_dict(self) -> dict[str, Any]:
        base = self.base
        nxt = self.next_level
        return {
            "set": base.set,
            "year": self.year,
            "region": self.classification.region,
            "group": self.classification.group,
            "flags": sorted(self.classification.flags),
            "level": self.level,
            "criteria_met": base.criteria_met,
            "criteria_total": base.criteria_total,
            "criteria": [asdict(c) for c in base.criteria],
            "indicators": [asdict(i) for i in base.indicators],
            "levels": [
                {
                    "set": r.set,
                    "level": r.level,
                    "reached": r.reached,
                    "criteria_met": r.criteria_met,
                    "criteria_total": r.criteria_total,
                    "missing": r.missing,
                }
                for r in self.levels
            ],
            "next_level": None if nxt is None else {"set": nxt.set, "level": nxt.level, "missing": nxt.missing,
                                                    "gaps": _gaps(nxt)},
            "gaps": _gaps(base),
        }


    def compact(self) -> dict[str, Any]:
        """What is stored per unit and year: enough for dashboards and rollups (criteria met,
        levels, what is missing). Indicator detail is recomputed live for one unit, so a national
        recompute writes little."""
        return {
            "cls": [self.classification.region, self.classification.group, sorted(self.classification.flags)],
            "levels": [[r.set, r.level, r.reached, r.criteria_met, r.criteria_total, r.missing] for r in self.levels],
        }


def _gaps(result: SetResult) -> list[dict[str, Any]]:
    return [
        {"code": i.code, "criterion": i.criterion, "value": i.value, "threshold": i.threshold, "op": i.op,
         "gap": i.gap, "status": "missing" if i.met is None else "not_met"}
        for i in result.indicators
        if i.met is not True
    ]


def _evaluate_specs(
    registry: Registry, specs: list[CriteriaSetSpec], shown: str, classification: Classification, year: int,
    values: Mapping[str, Value], lazy: bool = False, detail: bool = True,
) -> Evaluation:
    """Evaluate sets lowest first; a level is reached when its set is met and its prerequisite reached."""
    results: dict[str, SetResult] = {}
    level = None
    for spec in specs:
        below = results.get(spec.requires)
        if lazy and spec.requires and (below is None or not below.reached):
            continue  # two levels up from where the unit stands: not its next step, not evaluated
        r = evaluate_set(spec, classification, year, values, registry, detail)
        r.reached = r.all_met and (not spec.requires or (below is not None and below.reached))
        results[spec.code] = r
        if r.reached and (level is None or LEVEL_RANK[r.level] >= LEVEL_RANK[level]):
            level = r.level
    ordered = list(results.values())
    return Evaluation(year, classification, results[shown], ordered, level)


def evaluate(
    registry: Registry, set_code: str, classification: Classification, year: int, values: Mapping[str, Value]
) -> Evaluation:
    """Evaluate `set_code` and the sets it requires; the result details `set_code` itself."""
    return _evaluate_specs(registry, ladder(registry, set_code), set_code, classification, year, values)


def evaluate_unit(
    registry: Registry, base_code: str, classification: Classification, year: int, values: Mapping[str, Value],
    detail: bool = True,
) -> Evaluation:
    """Evaluate a unit from its base set up through every higher level built on it."""
    base_spec = registry.get(base_code)
    if base_spec is None:
        raise EvaluationError(f"Không có bộ tiêu chí '{base_code}'")
    specs = [base_spec, *sets_above(registry, base_code, year)]
    return _evaluate_specs(registry, specs, base_code, classification, year, values, lazy=True, detail=detail)


def base_set_for(registry: Registry, unit_level: str, year: int) -> CriteriaSetSpec:
    """The set in force for a unit level and year (the one with no prerequisite)."""
    for spec in registry.values():
        if spec.unit_level == unit_level and not spec.requires and spec.covers(year) and not spec.province:
            return spec
    raise EvaluationError(f"Không có bộ tiêu chí nào cho cấp '{unit_level}' năm {year}")

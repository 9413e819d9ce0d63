"""The evaluation engine: criteria set × classification × year × figures → results.

Pure functions over plain data (no ORM), so the CLI, bulk recompute, the API and the tests
share one implementation and results are reproducible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .compiled import alternatives, compile_plan, shape
from .spec import (
    ANY,
    COMPARE,
    LEVEL_RANK,
    TOP_TRUST,
    TRUST_RANK,
    CriteriaSetSpec,
    Indicator,
    Threshold,
    choose,
    pick_thresholds,
    weakest,
)

Value = float | bool | None
Registry = Mapping[str, CriteriaSetSpec]
# Values of the unit's own past that relative thresholds read, supplied by the caller:
# {"income_per_capita@ntm_year": 40.1} = the income in the year the unit reached NTM.
Past = Mapping[str, float]

_OPS = COMPARE


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
    verified: bool  # legacy: trust != "unverified"
    source: str
    trust: str = "unverified"  # decision | secondary | unverified (of the threshold row used)
    condition: str = ""  # the `when` condition that chose the row, if any
    basis: str = ""  # for a relative threshold: what it is relative to ("1.5 × income_per_capita@ntm_year")


@dataclass(slots=True)
class CriterionResult:
    code: str
    name: str
    group: str
    met: bool | None
    indicators_met: int
    indicators_total: int
    # The least trusted threshold among those that decide the verdict (the failing indicators when
    # not met, every indicator when met): "unverified" means the verdict rests on an unread value.
    trust: str = "decision"


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
                            _gap(value, target, op, met), thr is not None and thr.trust != "unverified",
                            thr.source if thr else "", thr.trust if thr else "unverified",
                            str(thr.when) if thr is not None and thr.when else "", _basis(thr))
            for crit, ind, thr, target, op, value, met in self.cells
        ]

    @property
    def unverified(self) -> list[str]:
        """Codes of criteria whose verdict rests on an unverified threshold."""
        return [c.code for c in self.criteria if c.trust == "unverified" and c.met is not None]

    @property
    def missing(self) -> list[str]:
        """Codes of criteria not met or lacking data: what stands between the unit and this level."""
        return [c.code for c in self.criteria if c.met is not True]


def _target(t: Threshold, spec: CriteriaSetSpec, cls: str | int, year: int, registry: Registry, depth: int) -> Value:
    """A row's target that does not depend on the unit: its value, or factor × another set's row."""
    return _resolved(t, spec, cls, year, registry, depth)[1]


def _resolved(
    t: Threshold, spec: CriteriaSetSpec, cls: str | int, year: int, registry: Registry, depth: int
) -> tuple[Threshold, Value]:
    """(row, target); a row relative to another set's row is as trusted as the weaker of the two."""
    if not t.ref_set:
        return t, t.value
    ref = registry.get(t.ref_set)
    ref_ind = ref.indicator(t.ref_indicator) if ref else None
    if ref is None or ref_ind is None or depth > 5:
        raise EvaluationError(f"Bộ {spec.code}: ngưỡng tham chiếu {t.ref_set}/{t.ref_indicator} không tồn tại")
    ref_row, base = resolve_threshold(ref, ref_ind, cls, year, registry, depth=depth + 1)
    trust = weakest([t.trust, ref_row.trust if ref_row else "unverified"])
    if trust != t.trust:
        t = replace(t, trust=trust)
    return t, None if base is None else round(float(base) * t.factor, 4)


def _past_target(t: Threshold, past: Past | None) -> Value:
    base = (past or {}).get(t.past)
    return None if base is None else round(float(base) * t.factor, 4)


def _basis(t: Threshold | None) -> str:
    if t is None:
        return ""
    if t.past:
        return f"{t.factor:g} × {t.past}"
    if t.ref_set:
        return f"{t.factor:g} × {t.ref_set}/{t.ref_indicator}"
    return ""


def resolve_threshold(
    spec: CriteriaSetSpec, ind: Indicator, cls: str | int, year: int, registry: Registry, depth: int = 0,
    values: Mapping[str, Value] | None = None, past: Past | None = None,
) -> tuple[Threshold | None, Value]:
    """The row that applies and its target. Rows with `when` are chosen with `values` (without
    them, the first row); a row relative to the unit's past reads `past` (None when absent)."""
    rows = pick_thresholds(ind.thresholds, spec.classification, cls, year)
    if not rows:
        raise EvaluationError(f"Bộ {spec.code}: chỉ tiêu {ind.code} không có ngưỡng cho năm {year}, {cls}")
    t = choose(rows, values) if values is not None else rows[0]
    if t is None:
        return None, None
    if t.past:
        return t, _past_target(t, past)
    return _resolved(t, spec, cls, year, registry, depth)


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
# Trust states by rank, least trusted first: a criterion's trust is tracked as the lowest rank seen.
_BY_RANK = tuple(sorted(TRUST_RANK, key=TRUST_RANK.__getitem__))


def _plan(spec: CriteriaSetSpec, cls: str | int, year: int, registry: Registry) -> tuple:
    """Thresholds resolved once per (set, class, year): bulk recompute then only compares values.
    A row whose target depends on the unit (a `when` condition, a past value) is kept as
    alternatives (rows, their resolved targets and operators) and chosen per unit. Each row also
    carries its trust as a rank (TRUST_RANK), so a criterion's weakest trust is a running minimum."""
    key = (id(spec), cls, year, id(registry))
    cached = _PLANS.get(key)
    if cached is not None and cached[0] is spec and cached[1] is registry:
        return cached[2]
    plan = []
    for criterion in spec.criteria:
        rows = []
        for ind in criterion.indicators:
            picked = pick_thresholds(ind.thresholds, spec.classification, cls, year)
            if not picked:
                raise EvaluationError(f"Bộ {spec.code}: chỉ tiêu {ind.code} không có ngưỡng cho năm {year}, {cls}")
            alts = None
            if len(picked) > 1 or picked[0].past:
                resolved = [(t, None) if t.past else _resolved(t, spec, cls, year, registry, 0) for t in picked]
                alts = (tuple(picked), {id(t): (row, target, t.op or ind.op) for t, (row, target) in zip(picked, resolved, strict=True)},
                        ind.op)
            threshold, target = (picked[0], None) if picked[0].past else _resolved(picked[0], spec, cls, year, registry, 0)
            op = threshold.op or ind.op
            rows.append((ind, threshold, target, op, _OPS[op], ind.code, ind.field, ind.numerator, ind.denominator,
                         ind.kind == "bool", alts, TRUST_RANK[threshold.trust]))
        plan.append((criterion, tuple(rows)))
    if len(_PLANS) > 2000:
        _PLANS.clear()
    codes = frozenset(ind.code for ind in spec.indicators())
    plan = tuple(plan)
    _PLANS[key] = (spec, registry, (plan, codes, shape(plan), alternatives(plan)))  # keeps spec and registry alive, so ids stay theirs
    return _PLANS[key][2]


def _choose_row(alts: tuple, values: Mapping[str, Value], past: Past | None) -> tuple[Threshold | None, Value, str]:
    """(row, target, operator) of an indicator whose row depends on the unit: the alternative whose
    `when` holds (its target read from the unit's `past` when relative to it); (None, None, the
    indicator's operator) when a condition's field has no value (missing data)."""
    picked = choose(alts[0], values)
    if picked is None:
        return None, None, alts[2]
    threshold, target, op = alts[1][id(picked)]
    return threshold, (_past_target(picked, past) if picked.past else target), op


def _pick_compiled(alts: tuple, values: Mapping[str, Value], past: Past | None) -> tuple[Value, Any, int]:
    """`_choose_row` as the compiled plans read it: (target, compare, trust rank)."""
    threshold, target, op = _choose_row(alts, values, past)
    return target, _OPS[op], TRUST_RANK[threshold.trust] if threshold is not None else TOP_TRUST


_COMPILED: dict[tuple, Any] = {}


def _compiled(plan: tuple, key: tuple, by_code: bool):
    """The compiled code of plans shaped as `key` (compiled.shape), made once per process."""
    fn = _COMPILED.get((key, by_code))
    if fn is None:
        fn = compile_plan(plan, by_code, result=CriterionResult, pick=_pick_compiled, by_rank=_BY_RANK)
        if len(_COMPILED) > 2000:
            _COMPILED.clear()
        _COMPILED[(key, by_code)] = fn
    return fn


def evaluate_set(
    spec: CriteriaSetSpec,
    classification: Classification,
    year: int,
    values: Mapping[str, Value],
    registry: Registry | None = None,
    detail: bool = True,
    past: Past | None = None,
) -> SetResult:
    """Evaluate one set. A criterion is met when all its indicators are; missing data → None.
    `detail=False` (bulk recompute) keeps criterion results only, not per-indicator cells, and runs
    the plan compiled (ntm/criteria/compiled.py); with detail the plan is interpreted here, the
    reference the compiled form is tested against.
    `past` holds the unit's own past values that relative thresholds read (see `Past`)."""
    if not spec.covers(year):
        raise EvaluationError(f"Bộ {spec.code} áp dụng cho {spec.year_from}–{spec.year_to}, không cho năm {year}")
    registry = registry or {spec.code: spec}
    result = SetResult(spec.code, spec.level, spec.requires, 0, len(spec.criteria), False)
    cells, criteria = result.cells, result.criteria
    met_count = 0
    plan, codes, key, alts = _plan(spec, classification.class_for(spec), year, registry)
    get = values.get
    # Values are keyed by field; a caller may also give an indicator's value by its code, which then
    # wins. Figures never hold codes, so one set test spares a lookup per indicator.
    by_code = not codes.isdisjoint(values)
    if not detail:  # bulk: the plan compiled once to straight-line code (ntm/criteria/compiled.py)
        result.criteria, met_count = _compiled(plan, key, by_code)(values, past, alts)
        result.criteria_met = met_count
        result.all_met = met_count == result.criteria_total
        return result
    for criterion, rows in plan:
        n_true = n_none = n_false = 0
        rank_met = rank_failed = TOP_TRUST  # TRUST_RANK of the least trusted row met / failed so far
        for ind, threshold, target, op, compare, code, fld, num, den, is_bool, alts, rank in rows:
            if alts is not None:  # the row depends on this unit: a `when` condition or its own past
                threshold, target, op = _choose_row(alts, values, past)
                compare, rank = _OPS[op], TRUST_RANK[threshold.trust] if threshold is not None else TOP_TRUST
            # the indicator's value: given by its code, read from its field, or a ratio of two fields
            value = get(code) if by_code else None
            if value is None:
                if fld:
                    value = get(fld)
                else:
                    n, d = get(num), get(den)
                    value = None if n is None or d is None or d <= 0 else round(100.0 * float(n) / float(d), 4)
            if value is not None:
                value = bool(value) if is_bool else float(value)
            if value is None or target is None:
                met = None
                n_none += 1
            elif compare(value, target):
                met = True
                n_true += 1
                if rank < rank_met:
                    rank_met = rank
            else:
                met = False
                n_false += 1
                if rank < rank_failed:
                    rank_failed = rank
            cells.append((criterion.code, ind, threshold, target, op, value, met))
        met_c = False if n_false else (None if n_none else True)
        met_count += met_c is True
        trust = _BY_RANK[rank_failed if n_false else rank_met]
        criteria.append(CriterionResult(criterion.code, criterion.name, criterion.group, met_c, n_true, len(rows), trust))
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


def year_end(year: int) -> dt.date:
    """The default date of an evaluation for a reporting year: its last day."""
    return dt.date(year, 12, 31)


def sets_in_force(registry: Registry, on: dt.date, unit_level: str | None = None) -> list[CriteriaSetSpec]:
    """The sets in force on a date: taken effect by then (`effective_from`), with thresholds for
    that year, and not replaced by a later set of the same unit level, level and prerequisite
    rank. Rule (docs/criteria.md): a set applies from its date of effect until the next set for
    the same level takes effect; an evaluation is for a date, the end of the reporting year by
    default. Province sets (`province`) stand beside the national ones (see loader.province_view)."""
    by_slot: dict[tuple, CriteriaSetSpec] = {}
    for spec in sorted(registry.values(), key=lambda s: (s.effective_date, s.code)):
        if (unit_level and spec.unit_level != unit_level) or not spec.in_force_on(on):
            continue
        slot = (spec.unit_level, spec.level, bool(spec.requires), spec.province)
        by_slot[slot] = spec  # a later date of effect replaces an earlier one
    return sorted(by_slot.values(), key=lambda s: (s.unit_level, LEVEL_RANK[s.level], s.code))


_ABOVE: dict[tuple, tuple] = {}


def sets_above(registry: Registry, base: str, year: int, on: dt.date | None = None) -> list[CriteriaSetSpec]:
    """Every set reachable upward from `base` (by `requires`) in force on `on` (default: the end
    of `year`), lowest first."""
    on = on or year_end(year)
    key = (id(registry), base, year, on)
    cached = _ABOVE.get(key)
    if cached is not None and cached[0] is registry:
        return cached[1]
    found, frontier = [], [base]
    while frontier:
        current = frontier.pop(0)
        for spec in sorted(registry.values(), key=lambda s: s.code):
            if spec.extends and spec.code != spec.extends:
                continue  # a province's own version takes part only through loader.province_view
            if spec.requires == current and spec.covers(year) and spec.effective_date <= on:
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
    on: dt.date | None = None  # the date the sets in force were chosen for

    @property
    def next_level(self) -> SetResult | None:
        return next((r for r in self.levels if not r.reached), None)

    def reads_past(self) -> bool:
        """Whether some indicator's target came from the unit's own past (a relative threshold, see
        `Past`), so that the answer depends on the `past` it was given. Read from the indicator
        detail: raises ValueError for an evaluation made with `detail=False`."""
        if any(r.criteria and not r.cells for r in self.levels):
            raise ValueError("reads_past needs an evaluation made with detail=True")
        return any(cell[2] is not None and cell[2].past for r in self.levels for cell in r.cells)

    def as_dict(self) -> dict[str, Any]:
        base = self.base
        nxt = self.next_level
        return {
            "set": base.set,
            "year": self.year,
            "region": self.classification.region,
            "group": self.classification.group,
            "flags": sorted(self.classification.flags),
            "date": self.on.isoformat() if self.on else None,
            "level": self.level,
            "unverified_criteria": base.unverified,
            "criteria_met": base.criteria_met,
            "criteria_total": base.criteria_total,
            "criteria": [_flat(c) for c in base.criteria],
            "indicators": [_flat(i) for i in base.indicators],
            "levels": [
                {
                    "set": r.set,
                    "level": r.level,
                    "reached": r.reached,
                    "criteria_met": r.criteria_met,
                    "criteria_total": r.criteria_total,
                    "missing": r.missing,
                    "unverified": r.unverified,
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
            # criteria of the base set whose verdict rests on an unverified threshold
            "unv": self.base.unverified,
        }


def _flat(obj) -> dict[str, Any]:
    """`dataclasses.asdict` of a result whose fields are all plain values (text, numbers, booleans,
    None), as CriterionResult's and IndicatorResult's are: the same dict without asdict's recursive
    deep copy, which was most of the cost of a saved figure's answer."""
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}


def _gaps(result: SetResult) -> list[dict[str, Any]]:
    return [
        {"code": i.code, "criterion": i.criterion, "value": i.value, "threshold": i.threshold, "op": i.op,
         "gap": i.gap, "status": "missing" if i.met is None else "not_met", "trust": i.trust}
        for i in result.indicators
        if i.met is not True
    ]


def _evaluate_specs(
    registry: Registry, specs: list[CriteriaSetSpec], shown: str, classification: Classification, year: int,
    values: Mapping[str, Value], lazy: bool = False, detail: bool = True, past: Past | None = None,
    on: dt.date | None = None,
) -> Evaluation:
    """Evaluate sets lowest first; a level is reached when its set is met and its prerequisite reached."""
    results: dict[str, SetResult] = {}
    level = None
    for spec in specs:
        below = results.get(spec.requires)
        if lazy and spec.requires and (below is None or not below.reached):
            continue  # two levels up from where the unit stands: not its next step, not evaluated
        r = evaluate_set(spec, classification, year, values, registry, detail, past)
        r.reached = r.all_met and (not spec.requires or (below is not None and below.reached))
        results[spec.code] = r
        if r.reached and (level is None or LEVEL_RANK[r.level] >= LEVEL_RANK[level]):
            level = r.level
    ordered = list(results.values())
    return Evaluation(year, classification, results[shown], ordered, level, on)


def evaluate(
    registry: Registry, set_code: str, classification: Classification, year: int, values: Mapping[str, Value],
    past: Past | None = None,
) -> Evaluation:
    """Evaluate `set_code` and the sets it requires; the result details `set_code` itself."""
    return _evaluate_specs(registry, ladder(registry, set_code), set_code, classification, year, values, past=past)


def evaluate_unit(
    registry: Registry, base_code: str, classification: Classification, year: int, values: Mapping[str, Value],
    detail: bool = True, past: Past | None = None, on: dt.date | None = None,
) -> Evaluation:
    """Evaluate a unit from its base set up through every higher level built on it and in force
    on `on` (default: the end of `year`)."""
    base_spec = registry.get(base_code)
    if base_spec is None:
        raise EvaluationError(f"Không có bộ tiêu chí '{base_code}'")
    on = on or year_end(year)
    specs = [base_spec, *sets_above(registry, base_code, year, on)]
    return _evaluate_specs(registry, specs, base_code, classification, year, values, lazy=True, detail=detail,
                           past=past, on=on)


_BASE: dict[tuple, tuple] = {}


def base_set_for(registry: Registry, unit_level: str, year: int, on: dt.date | None = None) -> CriteriaSetSpec:
    """The national base set (no prerequisite) in force for a unit level on `on` (default: the end
    of `year`): 2021 → 1980/QĐ-TTg, since 318/QĐ-TTg took effect only on 08/03/2022."""
    on = on or year_end(year)
    if on.year != year:
        raise EvaluationError(f"Ngày đánh giá {on:%d/%m/%Y} không thuộc năm {year}")
    key = (id(registry), unit_level, on)
    cached = _BASE.get(key)
    if cached is not None and cached[0] is registry:
        return cached[1]
    for spec in sets_in_force(registry, on, unit_level):
        if not spec.requires and not spec.province:
            if len(_BASE) > 2000:
                _BASE.clear()
            _BASE[key] = (registry, spec)
            return spec
    raise EvaluationError(f"Không có bộ tiêu chí nào cho cấp '{unit_level}' có hiệu lực ngày {on:%d/%m/%Y}")


def past_keys(specs: Iterable[CriteriaSetSpec]) -> set[str]:
    """The past values these sets read ("income_per_capita@ntm_year"…): what a caller must supply."""
    return {t.past for spec in specs for i in spec.indicators() for t in i.thresholds if t.past}


def past_values(
    keys: Iterable[str], figures_by_year: Mapping[int, Mapping[str, Value]], level_years: Mapping[str, int],
) -> dict[str, float]:
    """Build `past` from a unit's own history: "field@<level>_year" = the field's value in the year
    the unit first reached that level (`level_years`, e.g. {"ntm": 2016}). Keys whose year or value
    is unknown are left out, so the threshold reads as missing data, never as a guess."""
    out: dict[str, float] = {}
    for key in keys:
        name, _, event = key.partition("@")
        level = event.removesuffix("_year")
        year = level_years.get(level)
        value = figures_by_year.get(year, {}).get(name) if year is not None else None
        if value is not None and not isinstance(value, bool):
            out[key] = float(value)
    return out

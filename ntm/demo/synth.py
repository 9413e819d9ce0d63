"""Synthesise raw figures that make the engine give a chosen result. Pure, seeded, no ORM.

The demo never types results in: it decides a story (which criteria a commune meets, which
level it reaches), derives figures that tell it, and lets the engine evaluate them. Each
indicator turns into a bound on one raw field; bounds from the base set win over bounds from
higher sets, so the base result is exact and higher levels follow whenever they can.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from ntm.criteria.evaluate import Classification, Registry, evaluate_unit, resolve_threshold, sets_above
from ntm.criteria.spec import LEVEL_RANK, CriteriaSetSpec, Indicator
from ntm.figures.rules import rules_for


@dataclass
class Target:
    """The story for one unit and year: base criteria to fail, and the level to reach."""

    fail: set[str] = field(default_factory=set)  # criterion codes of the base set that must fail
    level: str | None = None  # highest level reached (None when `fail` is non-empty)
    fixed: dict[str, float] = field(default_factory=dict)  # values supplied from elsewhere (rollups)


# A field's range in fields.toml guards against typing errors (OCOP products: 0–5.000), far wider than
# any commune: drawn inside it, a commune got 1.237 OCOP products. A commune has a handful (0–10); a
# strong one (a level above NTM asked) a few more. The cap yields to a threshold that asks for more.
OCOP_FIELDS = ("ocop_products_rated", "ocop_products_4star")
OCOP_TYPICAL, OCOP_STRONG = 10.0, 15.0


def _typical_ocop(bounds: dict, target: Target) -> None:
    strong = LEVEL_RANK.get(target.level or "", 0) > LEVEL_RANK["ntm"]
    for name in OCOP_FIELDS:
        if name in bounds:
            bounds[name].add(hi=OCOP_STRONG if strong else OCOP_TYPICAL)  # refused (kept as is) if infeasible


def typical_size(name: str, rng: random.Random, sizes: dict[str, float]) -> float:
    """A plausible size for a denominator the caller did not give (demo data only), consistent with
    the unit's other sizes so the cross-field rules of fields.toml hold (a part never exceeds its
    whole: working-age population ≤ population, households keeping livestock ≤ households…).
    Sizes drawn here are remembered in `sizes`, so every indicator of the unit-year sees the same."""
    if name in sizes:
        return sizes[name]
    if "households_total" not in sizes:
        sizes["households_total"] = float(rng.randint(900, 2500))
    if "population_total" not in sizes:
        sizes["population_total"] = float(round(sizes["households_total"] * rng.uniform(3.3, 3.9)))
    households, population = sizes["households_total"], sizes["population_total"]
    derived = (
        ("working_age", lambda: round(population * rng.uniform(0.55, 0.65))),
        ("workers_total", lambda: round(typical_size("working_age_population", rng, sizes) * rng.uniform(0.85, 0.95))),
        ("children_under5", lambda: round(population * rng.uniform(0.06, 0.09))),
        ("livestock_households", lambda: round(households * rng.uniform(0.3, 0.7))),
        ("household", lambda: round(households * rng.uniform(0.6, 1.0))),
        ("population", lambda: population), ("people", lambda: population),
        ("worker", lambda: typical_size("workers_total", rng, sizes)),
        ("labou", lambda: typical_size("workers_total", rng, sizes)),
    )
    for key, size in derived:
        if key in name:
            sizes[name] = float(size())
            return sizes[name]
    for key, low, high in (
        ("hamlet", 5, 14), ("school", 3, 6), ("km", 12, 45), ("ha", 250, 900), ("student", 150, 400),
        ("facilit", 20, 80), ("business", 10, 60), ("commune", 15, 35), ("product", 5, 30), ("farm", 50, 400),
        ("cooperative", 1, 4), ("road", 12, 45),
    ):
        if key in name:
            sizes[name] = float(rng.randint(low, high))
            return sizes[name]
    sizes[name] = float(rng.randint(20, 120))
    return sizes[name]


class _Bounds:
    """Where a field's demo value may lie: the field's own range, narrowed by thresholds to pass or fail.

    The field's range (fields.toml) guards against typing errors — income up to 1,000 million đồng a
    person — far wider than any commune: a value drawn across it was 655 where the threshold is 65.
    So a side still at the field's own limit is brought near the threshold's side (within 30 % of it,
    at least 5), as real figures sit around the thresholds a programme sets."""

    def __init__(self, low: float, high: float, integer: bool):
        self.lo, self.hi, self.integer = low, high, integer
        self.own = (low, high)  # the field's own range: limits no threshold has moved
        self.exact: float | None = None

    def add(self, lo: float = -math.inf, hi: float = math.inf) -> bool:
        new_lo, new_hi = max(self.lo, lo), min(self.hi, hi)
        if new_lo > new_hi or (self.exact is not None and not new_lo <= self.exact <= new_hi):
            return False
        self.lo, self.hi = new_lo, new_hi
        return True

    def pick(self, rng: random.Random) -> float:
        if self.exact is not None:
            return self.exact
        lo, hi = self.lo, self.hi
        if math.isinf(hi):
            hi = lo + max(abs(lo) * 0.2, 5)
        if math.isinf(lo):
            lo = min(0.0, hi)
        moved_lo, moved_hi = lo != self.own[0], hi != self.own[1]
        if moved_lo and not moved_hi:  # passes above a threshold: a little above it
            hi = min(hi, lo + max(abs(lo) * 0.3, 5.0))
        elif moved_hi and not moved_lo:  # fails below (or passes under) a threshold: a little below it
            lo = max(lo, hi - max(abs(hi) * 0.3, 5.0))
        value = lo + (hi - lo) * rng.betavariate(2, 2)
        if self.integer:
            value = min(max(math.ceil(lo), round(value)), math.floor(hi))
        return round(value, 2)


def synthesize(
    registry: Registry, base_code: str, cls: Classification, year: int, target: Target, rng: random.Random,
    sizes: Mapping[str, float] | None = None, attempts: int = 25,
) -> tuple[dict[str, float], bool]:
    """Figures for one unit and year whose evaluation reaches exactly `target` (base criteria
    failing exactly as asked; the level as asked whenever the sets allow it). The flag says
    whether the engine confirmed the target; when it did not, the closest draw is returned."""
    sizes = dict(sizes or {})
    best: dict[str, float] = {}
    for _ in range(attempts):
        values = _draw(registry, base_code, cls, year, target, rng, sizes)
        ev = evaluate_unit(registry, base_code, cls, year, values)
        failed = {c.code for c in ev.base.criteria if c.met is not True}
        if failed == target.fail and ev.level == target.level:
            return values, True
        if failed == target.fail:
            best = values
    return best or values, False


def _draw(
    registry: Registry, base_code: str, cls: Classification, year: int, target: Target, rng: random.Random,
    sizes: dict[str, float],
) -> dict[str, float]:
    values, dens, picked = _pass(registry, base_code, cls, year, target, rng, sizes)
    shared = set(dens) & set(picked)
    if shared:  # a count that is both a ratio's numerator and another's denominator (workers): fix it, redo
        sizes = {**sizes, **dens, **{k: picked[k] for k in shared}}
        values, _, _ = _pass(registry, base_code, cls, year, target, rng, sizes)
    return values


def _pass(
    registry: Registry, base_code: str, cls: Classification, year: int, target: Target, rng: random.Random,
    sizes: dict[str, float],
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    base = registry[base_code]
    plan: list[tuple[CriteriaSetSpec, dict[str, bool]]] = [(base, {c.code: c.code not in target.fail for c in base.criteria})]
    for spec in sets_above(registry, base_code, year):
        want = LEVEL_RANK[spec.level] <= LEVEL_RANK[target.level or ""] and not target.fail
        if want:
            plan.append((spec, {c.code: True for c in spec.criteria}))
        else:  # fail a few criteria, pass the rest: a commune close to, but short of, the level
            codes = [c.code for c in spec.criteria]
            failing = set(rng.sample(codes, k=min(len(codes), rng.randint(1, 3))))
            plan.append((spec, {c: c not in failing for c in codes}))

    bounds: dict[str, _Bounds] = {}
    values: dict[str, float] = dict(target.fixed)
    dens: dict[str, float] = {}

    def size_of(name: str) -> float:
        if name not in dens:
            dens[name] = values.get(name) or typical_size(name, rng, sizes)
        return dens[name]

    def den_of(ind: Indicator) -> float:
        return size_of(ind.denominator)

    for spec, wants in plan:
        for criterion in spec.criteria:
            inds = list(criterion.indicators)
            failing = {rng.choice(inds).code} if not wants[criterion.code] else set()
            for ind in inds:
                # a row chosen by a condition on a size (`when`: schools_total > 3) reads that size
                known = {**values, **{t.when.field: size_of(t.when.field) for t in ind.thresholds if t.when}}
                _constrain(spec, ind, ind.code not in failing, cls, year, registry, bounds, den_of, values, known)
    _typical_ocop(bounds, target)
    # The declared cross-field rules (a part never exceeds its whole: smart hamlets ≤ hamlets…) cap
    # the drawn counts by the unit's sizes, as the write path will check them.
    fields = {k: f for spec, _ in plan for k, f in spec.fields.items()}
    picked: dict[str, float] = {}
    for parts, right in _caps(fields):
        whole = dens.get(right, values.get(right, sizes.get(right)))
        parts = [p for p in parts if p in bounds]
        if not parts or whole is None:
            continue
        for i, part in enumerate(parts):  # parts of one whole drawn in turn, each leaving room for the rest
            rest = sum(bounds[p].lo for p in parts[i + 1:]) + sum(picked[p] for p in parts[:i] if p in picked)
            bounds[part].add(hi=float(whole) - rest)
            if len(parts) > 1:
                picked[part] = bounds[part].pick(rng)
    picked.update({name: b.pick(rng) for name, b in bounds.items() if name not in picked})
    values.update(picked)
    values.update(dens)
    return values, dens, picked


_CAPS: dict[tuple[str, ...], list[tuple[list[str], str]]] = {}


def _caps(fields) -> list[tuple[list[str], str]]:
    """([parts], whole) for every declared "part (+ part…) <= whole" rule (plain fields, no factors)."""
    key = tuple(sorted(fields))
    if key in _CAPS:
        return _CAPS[key]
    out = _CAPS[key] = []
    for rule in rules_for(fields):
        if rule.op in ("<=", "<") and len(rule.right) == 1 and rule.right[0].field and rule.right[0].factor == 1 \
                and all(t.field and t.factor == 1 for t in rule.left):
            out.append(([t.field for t in rule.left], rule.right[0].field))
    return out


def _constrain(spec, ind, passing, cls, year, registry, bounds, den_of, fixed, known=None) -> None:
    _, threshold = resolve_threshold(spec, ind, cls.class_for(spec), year, registry, values=known)
    if threshold is None:
        return
    op = next((t.op for t in ind.thresholds if t.op), None) or ind.op
    if ind.kind == "bool":
        key = ind.field
        b = bounds.setdefault(key, _Bounds(0, 1, True))
        want = float(bool(threshold)) if passing else float(not threshold)
        if b.exact is None and b.lo <= want <= b.hi:
            b.exact = want
        return
    if ind.field:
        key, scale, upper = ind.field, 1.0, (100.0 if ind.kind == "percent" else math.inf)
        integer = ind.kind == "count"
    else:
        key, scale, upper, integer = ind.numerator, den_of(ind), den_of(ind), True
    if key in fixed:
        return
    step = 1.0 if integer else 0.01
    # round away float noise (100 × 7 / 100 must be 7, not 7.000000000000001)
    t = round(float(threshold) * scale / (1.0 if ind.field else 100.0), 9)
    fdef = spec.fields.get(key)
    if fdef is not None:  # the field's plausible range (fields.toml): the demo stays inside it
        upper = min(upper, float(fdef.max))
    b = bounds.setdefault(key, _Bounds(float(fdef.min) if fdef is not None else 0.0, upper, integer))
    if op in (">=", ">"):
        edge = (math.ceil(t) if integer else t) + (step if op == ">" else 0)
        b.add(lo=edge) if passing else b.add(hi=(math.ceil(t) - 1 if integer else t - step) if op == ">=" else t)
    elif op in ("<=", "<"):
        edge = (math.floor(t) if integer else t) - (step if op == "<" else 0)
        b.add(hi=edge) if passing else b.add(lo=(math.floor(t) + 1 if integer else t + step) if op == "<=" else t)
    elif op == "==":
        b.add(lo=t, hi=t) if passing else b.add(lo=t + step)

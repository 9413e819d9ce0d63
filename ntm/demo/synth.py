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


@dataclass
class Target:
    """The story for one unit and year: base criteria to fail, and the level to reach."""

    fail: set[str] = field(default_factory=set)  # criterion codes of the base set that must fail
    level: str | None = None  # highest level reached (None when `fail` is non-empty)
    fixed: dict[str, float] = field(default_factory=dict)  # values supplied from elsewhere (rollups)


def typical_size(name: str, rng: random.Random, sizes: Mapping[str, float]) -> float:
    """A plausible size for a denominator the caller did not give (demo data only)."""
    if name in sizes:
        return sizes[name]
    for key, low, high in (
        ("household", 900, 2500), ("population", 3500, 9000), ("people", 3500, 9000), ("hamlet", 5, 14),
        ("school", 3, 6), ("km", 12, 45), ("ha", 250, 900), ("children", 300, 800), ("worker", 2000, 5000),
        ("labour", 2000, 5000), ("labor", 2000, 5000), ("student", 150, 400), ("facilit", 20, 80), ("business", 10, 60),
        ("commune", 15, 35), ("product", 5, 30), ("farm", 50, 400), ("cooperative", 1, 4), ("road", 12, 45),
    ):
        if key in name:
            return float(rng.randint(low, high))
    return float(rng.randint(20, 120))


class _Bounds:
    def __init__(self, low: float, high: float, integer: bool):
        self.lo, self.hi, self.integer = low, high, integer
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
    picked = {name: b.pick(rng) for name, b in bounds.items()}
    values.update(picked)
    values.update(dens)
    return values, dens, picked


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
    b = bounds.setdefault(key, _Bounds(0.0, upper, integer))
    if op in (">=", ">"):
        edge = (math.ceil(t) if integer else t) + (step if op == ">" else 0)
        b.add(lo=edge) if passing else b.add(hi=(math.ceil(t) - 1 if integer else t - step) if op == ">=" else t)
    elif op in ("<=", "<"):
        edge = (math.floor(t) if integer else t) - (step if op == "<" else 0)
        b.add(hi=edge) if passing else b.add(lo=(math.floor(t) + 1 if integer else t + step) if op == "<=" else t)
    elif op == "==":
        b.add(lo=t, hi=t) if passing else b.add(lo=t + step)

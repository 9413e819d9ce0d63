"""The compiled plans (bulk recompute) against the interpreter (scorecard, reference), on every set.

Values are drawn around each threshold — exactly on it, within the 4-decimal rounding of ratios,
far on either side, missing — so a compiled comparison, rounding shortcut, trust or missing-data
rule that differs from the interpreter fails here for the set and indicator that shows it.
"""

from __future__ import annotations

import random

import pytest

from ntm.criteria.evaluate import Classification, EvaluationError, evaluate_set
from ntm.criteria.loader import file_registry
from ntm.criteria.spec import ANY

REGISTRIES = {"national": file_registry(), "Thanh Hóa": file_registry("38")}


def _cases():
    for name, reg in REGISTRIES.items():
        for code in sorted(reg):
            yield pytest.param(name, code, id=f"{name}:{code}")


def _classes(spec) -> list[Classification]:
    thresholds = [t for i in spec.indicators() for t in i.thresholds]
    regions = sorted({t.region for t in thresholds if t.region != ANY}) or ["BTB"]
    groups = sorted({t.group for t in thresholds if t.group != ANY}, key=str) or [1]
    flags = [frozenset(), *(frozenset([o.when]) for o in spec.overrides)]
    return [Classification(region=r, group=g, flags=f) for r in regions for g in groups for f in flags]


def _values(spec, rng: random.Random, anchors: dict[str, list[float]]) -> dict:
    """One unit's figures: every field the set reads, each near one of its thresholds or missing."""
    values: dict = {}
    for ind in spec.indicators():
        targets = anchors.get(ind.code) or [50.0]
        target = rng.choice(targets)
        conditions = [t.when.field for t in ind.thresholds if t.when is not None]
        for fld in conditions:
            values[fld] = rng.choice([None, 0.0, 2.0, 3.0, 4.0, 10.0])
        if ind.kind == "bool":
            values[ind.field] = rng.choice([None, True, False, 1.0, 0.0])
            continue
        near = rng.choice([0.0, 0.00003, -0.00003, 0.00006, -0.00006, 0.5, -0.5, 5.0, -5.0])
        if ind.field:
            values[ind.field] = None if rng.random() < 0.08 else round(float(target) + near, 6)
        else:
            den = rng.choice([100.0, 3.0, 7.0, 0.0, None])
            num = None if den is None or rng.random() < 0.05 else (float(target) + near) * (den or 1) / 100.0
            values[ind.numerator], values[ind.denominator] = num, den
    return values


@pytest.mark.parametrize(("registry", "code"), list(_cases()))
def test_compiled_plans_agree_with_the_interpreter(registry, code):
    reg = REGISTRIES[registry]
    spec = reg[code]
    rng = random.Random(f"compiled-{registry}-{code}")
    anchors = {i.code: [t.value for t in i.thresholds if isinstance(t.value, int | float) and not isinstance(t.value, bool)]
               for i in spec.indicators()}
    years = sorted({spec.year_from, spec.year_to, (spec.year_from + spec.year_to) // 2})
    checked = 0
    for cls in _classes(spec):
        for year in years:
            for _ in range(12):
                values = _values(spec, rng, anchors)
                if rng.random() < 0.1:  # an indicator's value given by its code wins over its field
                    ind = rng.choice(spec.indicators())
                    values[ind.code] = rng.choice([None, 0.0, 100.0, True])
                past = {k: rng.choice([20.0, 40.0, 60.0]) for k in ("income_per_capita@ntm_year",)} \
                    if rng.random() < 0.7 else None
                try:
                    full = evaluate_set(spec, cls, year, values, reg, detail=True, past=past)
                except EvaluationError as exc:
                    with pytest.raises(EvaluationError, match=str(exc)[:20]):
                        evaluate_set(spec, cls, year, values, reg, detail=False, past=past)
                    continue
                fast = evaluate_set(spec, cls, year, values, reg, detail=False, past=past)
                key = [(c.code, c.met, c.indicators_met, c.indicators_total, c.trust) for c in full.criteria]
                assert [(c.code, c.met, c.indicators_met, c.indicators_total, c.trust) for c in fast.criteria] == key, \
                    (code, cls, year, values, past)
                assert (fast.criteria_met, fast.all_met) == (full.criteria_met, full.all_met)
                checked += 1
    assert checked, f"{code}: no class and year could be evaluated"


def test_the_rounding_shortcut_keeps_a_ratio_just_below_the_target_met():
    """70.00004 % rounds to 70.0 (4 decimals) and meets ≥ 70 in both forms; 69.9999 % does not."""
    reg = REGISTRIES["national"]
    spec = reg["xa-ntm-2021"]
    ratio = next(i for i in spec.indicators() if not i.field and i.kind != "bool")
    cls = Classification(region="DBSH", group=1)
    target = evaluate_set(spec, cls, 2024, {}, reg).cells
    row = next(c for c in target if c[1].code == ratio.code)
    threshold = float(row[3])
    for share, met in ((threshold - 0.00004, True), (threshold - 0.0001, False)):
        values = {ratio.numerator: share * 1000.0 / 100.0, ratio.denominator: 1000.0}
        full = evaluate_set(spec, cls, 2024, values, reg, detail=True)
        fast = evaluate_set(spec, cls, 2024, values, reg, detail=False)
        assert next(c for c in full.cells if c[1].code == ratio.code)[6] is met
        crit = next(c for c in full.criteria if c.code == row[0])
        assert next(c for c in fast.criteria if c.code == row[0]).indicators_met == crit.indicators_met

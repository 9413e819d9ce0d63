"""The engine against hand-computed cases (tiny fixture sets, every kind of indicator)."""

from pathlib import Path

import pytest

from ntm.criteria.evaluate import Classification, EvaluationError, evaluate, evaluate_set
from ntm.criteria.spec import load_file

FIX = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def reg():
    return {s.code: s for s in (load_file(FIX / f"{n}.toml")[0] for n in ("t-ntm", "t-nc", "t-km", "t-group"))}


BTB = Classification(region="BTB")
MOUNTAIN = Classification(region="TDMNPB")
FULL = {"income_per_capita": 45, "temp_houses": 0, "households_solid_house": 850, "households_total": 1000, "has_plan": True}


def ind(result, code):
    return next(i for i in result.indicators if i.code == code)


def test_all_met_reaches_ntm(reg):
    ev = evaluate(reg, "t-ntm", BTB, 2021, FULL)
    assert ev.level == "ntm"
    assert ev.base.criteria_met == 3
    assert [c.met for c in ev.base.criteria] == [True, True, True]


def test_number_threshold_by_region_and_year(reg):
    low = {**FULL, "income_per_capita": 38}
    assert ind(evaluate_set(reg["t-ntm"], BTB, 2021, low), "1").met is False  # 38 < 40 (chung)
    assert ind(evaluate_set(reg["t-ntm"], MOUNTAIN, 2021, low), "1").met is True  # 38 ≥ 30 (TDMNPB)
    r2022 = ind(evaluate_set(reg["t-ntm"], BTB, 2022, {**FULL, "income_per_capita": 45}), "1")
    assert (r2022.threshold, r2022.met, r2022.gap) == (50, False, 5.0)  # the 2022 threshold is higher


def test_dbkk_commune_uses_mountain_thresholds(reg):
    dbkk = Classification(region="BTB", flags=frozenset({"dbkk"}))
    r = ind(evaluate_set(reg["t-ntm"], dbkk, 2021, {**FULL, "income_per_capita": 31}), "1")
    assert (r.threshold, r.met) == (30, True)


def test_percent_from_two_counts(reg):
    r = ind(evaluate_set(reg["t-ntm"], BTB, 2021, {**FULL, "households_solid_house": 799}), "2.2")
    assert r.value == pytest.approx(79.9)
    assert r.met is False
    assert r.gap == pytest.approx(0.1)


def test_percent_given_directly_by_indicator_code(reg):
    r = ind(evaluate_set(reg["t-ntm"], BTB, 2021, {**FULL, "2.2": 81}), "2.2")
    assert (r.value, r.met) == (81, True)


def test_count_at_most(reg):
    r = ind(evaluate_set(reg["t-ntm"], BTB, 2021, {**FULL, "temp_houses": 2}), "2.1")
    assert (r.met, r.gap) == (False, 2.0)


def test_bool_indicator(reg):
    result = evaluate_set(reg["t-ntm"], BTB, 2021, {**FULL, "has_plan": False})
    assert ind(result, "3").met is False
    assert result.criteria[2].met is False


def test_missing_data_is_neither_met_nor_failed(reg):
    values = {k: v for k, v in FULL.items() if k != "households_solid_house"}
    result = evaluate_set(reg["t-ntm"], BTB, 2021, values)
    assert ind(result, "2.2").met is None
    assert result.criteria[1].met is None  # 2.1 met, 2.2 missing → criterion unknown
    assert result.criteria_met == 2
    assert evaluate(reg, "t-ntm", BTB, 2021, values).level is None


def test_zero_denominator_is_missing_not_a_crash(reg):
    assert ind(evaluate_set(reg["t-ntm"], BTB, 2021, {**FULL, "households_total": 0}), "2.2").met is None


def test_a_failed_indicator_fails_the_criterion_even_with_missing_siblings(reg):
    result = evaluate_set(reg["t-ntm"], BTB, 2021, {"temp_houses": 3})
    assert result.criteria[1].met is False


def test_higher_level_needs_the_lower_one(reg):
    rich_but_no_plan = {**FULL, "income_per_capita": 70, "has_plan": False, "smart_hamlets": 2}
    ev = evaluate(reg, "t-km", BTB, 2021, rich_but_no_plan)
    assert [r.all_met for r in ev.levels] == [False, True, True]
    assert [r.reached for r in ev.levels] == [False, False, False]
    assert ev.level is None


def test_levels_climb_ntm_nang_cao_kieu_mau(reg):
    assert evaluate(reg, "t-km", BTB, 2021, {**FULL, "income_per_capita": 61}).level == "nang_cao"
    # kiểu mẫu needs income ≥ 1.10 × the advanced threshold: 66 for BTB, 55 for TDMNPB
    km = evaluate(reg, "t-km", BTB, 2021, {**FULL, "income_per_capita": 66, "smart_hamlets": 1})
    assert km.level == "kieu_mau"
    assert ind(km.base, "1").threshold == pytest.approx(66)
    assert ind(evaluate(reg, "t-km", MOUNTAIN, 2021, {**FULL, "income_per_capita": 66}).base, "1").threshold == pytest.approx(55)


def test_next_level_lists_what_is_missing(reg):
    ev = evaluate(reg, "t-km", BTB, 2021, {**FULL, "income_per_capita": 61})
    data = ev.as_dict()
    assert data["next_level"]["level"] == "kieu_mau"
    assert data["next_level"]["missing"] == ["1", "2"]


def test_group_thresholds(reg):
    values = {"income_per_capita": 60, "poor_households": 20, "households_total": 1000}
    assert evaluate(reg, "t-group", Classification(group=3), 2027, values).level == "ntm"
    g1 = evaluate(reg, "t-group", Classification(group=1), 2027, values)
    assert g1.level is None
    assert ind(g1.base, "1.1").threshold == 70
    assert ind(g1.base, "1.2").value == pytest.approx(2.0)


def test_group_set_without_group_is_an_error(reg):
    with pytest.raises(EvaluationError, match="nhóm xã"):
        evaluate(reg, "t-group", BTB, 2027, {})


def test_year_outside_the_set_is_an_error(reg):
    with pytest.raises(EvaluationError, match="2019"):
        evaluate(reg, "t-ntm", BTB, 2019, FULL)


def test_output_has_the_documented_keys(reg):
    data = evaluate(reg, "t-ntm", BTB, 2021, FULL).as_dict()
    assert {"level", "criteria_met", "criteria", "indicators"} <= data.keys()
    assert {"code", "name", "met"} <= data["criteria"][0].keys()
    assert {"code", "value", "threshold", "op", "met"} <= data["indicators"][0].keys()

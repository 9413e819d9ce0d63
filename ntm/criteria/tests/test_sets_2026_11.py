"""The real set files after the 2026-11 audit: corrected values, trust states, the schools rule,
sets in force by date of effect, thresholds relative to the unit's own past, frames completed by
provinces, and the `criteria unverified` listing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command

from ntm.criteria.evaluate import (
    Classification,
    EvaluationError,
    base_set_for,
    evaluate_set,
    evaluate_unit,
    past_keys,
    past_values,
    sets_above,
    sets_in_force,
)
from ntm.criteria.loader import file_registry, parse_file, set_files
from ntm.criteria.spec import REGIONS, SpecError, pick_threshold

BTB = Classification(region="BTB")


@pytest.fixture(scope="module")
def specs():
    return file_registry()


@pytest.fixture(scope="module")
def thanh_hoa():
    return file_registry("38")


def row(specs, set_code, code, region, year):
    return pick_threshold(specs[set_code].indicator(code).thresholds, "region", region, year)


# --- 491/QĐ-TTg table (OCR copy of the decision) -------------------------------------------------

TABLE_491 = {  # indicator: TDMNPB, ĐBSH, BTB, DHNTB, TN, ĐNB, ĐBSCL (scribd 52925905)
    "2.2": (50, 100, 70, 70, 70, 100, 50),
    "2.4": (50, 100, 70, 70, 70, 100, 50),
    "3.2": (50, 85, 85, 70, 45, 85, 45),
    "4.2": (95, 99, 98, 98, 98, 99, 98),
}


@pytest.mark.parametrize("code", sorted(TABLE_491))
def test_491_table_by_region_read_in_the_decision(specs, code):
    for region, value in zip(REGIONS, TABLE_491[code], strict=True):
        for year in (2010, 2013, 2016):
            t = row(specs, "xa-ntm-2010", code, region, year)
            assert (t.value, t.trust) == (value, "decision"), (code, region, year)
            assert "scribd.com/doc/52925905" in t.source


def test_491_contradicted_cells_are_corrected(specs):
    # the 11 cells the audit found wrong (criteria-sources §F)
    assert row(specs, "xa-ntm-2010", "2.2", "TN", 2012).value == 70
    assert [row(specs, "xa-ntm-2010", "2.4", r, 2012).value for r in ("DBSH", "BTB", "DHNTB", "TN")] == [100, 70, 70, 70]
    assert [row(specs, "xa-ntm-2010", "3.2", r, 2012).value for r in ("BTB", "DHNTB", "TN", "DNB", "DBSCL")] == [85, 70, 45, 85, 45]
    assert row(specs, "xa-ntm-2010", "4.2", "TN", 2012).value == 98
    school = [row(specs, "xa-ntm-2010", "5", r, 2012) for r in ("TDMNPB", "DBSH", "BTB")]
    assert [(t.value, t.trust) for t in school] == [(70, "decision"), (100, "decision"), (80, "unverified")]


def test_a_btb_commune_of_2014_fails_canals_at_84_percent(specs):
    values = {"km_canals_solidified": 84, "km_canals_total": 100}
    crit = next(c for c in evaluate_set(specs["xa-ntm-2010"], BTB, 2014, values, specs).criteria if c.code == "3")
    assert crit.met is False and crit.trust == "decision"


# --- 1980/QĐ-TTg income: 2020 value only for 2020 -----------------------------------------------

def test_1980_income_before_2020_is_unverified_and_flagged(specs):
    for year in range(2016, 2020):
        assert row(specs, "xa-ntm-2016", "10", "BTB", year).trust == "unverified"
    assert (row(specs, "xa-ntm-2016", "10", "BTB", 2020).value, row(specs, "xa-ntm-2016", "10", "BTB", 2020).trust) == (36, "secondary")
    result = evaluate_set(specs["xa-ntm-2016"], BTB, 2018, {"income_per_capita": 30}, specs)
    income = next(i for i in result.indicators if i.code == "10")
    assert income.met is False and income.trust == "unverified" and income.verified is False
    assert "10" in result.unverified  # the 'chưa đạt' rests on an unread value
    assert "10" not in evaluate_set(specs["xa-ntm-2016"], BTB, 2020, {"income_per_capita": 30}, specs).unverified


def test_a_province_records_its_yearly_income_path(specs, tmp_path):
    data = {code: None for code in specs}
    base = next(p for p in set_files() if p.name == "xa-ntm-2016.toml")
    _, base_data = parse_file(base)
    path = tmp_path / "xa-ntm-2016-38.toml"
    path.write_text("""
[set]
code = "xa-ntm-2016-38"
extends = "xa-ntm-2016"
province = "38"
name = "Lộ trình thu nhập của tỉnh (thử)"
decision = "TEST/UBND"

[[thresholds]]
indicator = "10"
region = "BTB"
year_from = 2017
year_to = 2017
value = 30
trust = "decision"
source = "test: the province's own decision"
""", encoding="utf-8")
    spec, _ = parse_file(path, {**data, "xa-ntm-2016": base_data})
    t17 = pick_threshold(spec.indicator("10").thresholds, "region", "BTB", 2017)
    t18 = pick_threshold(spec.indicator("10").thresholds, "region", "BTB", 2018)
    assert (t17.value, t17.trust) == (30, "decision") and (t18.value, t18.trust) == (36, "unverified")
    # … but not below a value known nationally (2020 is read: 36)
    path.write_text(path.read_text().replace("2017", "2020"), encoding="utf-8")
    with pytest.raises(SpecError, match="lỏng hơn"):
        parse_file(path, {"xa-ntm-2016": base_data})


# --- 318 criterion 5: the share depends on the number of schools --------------------------------

@pytest.mark.parametrize(("region", "total", "minimum", "level1", "met"), [
    ("BTB", 4, 4, 3, True),     # > 3 schools: 75% ≥ 70%
    ("BTB", 4, 4, 2, False),    # > 3 schools: 50% < 70%
    ("BTB", 3, 3, 2, True),     # ≤ 3 schools: 66,7% ≥ 50%
    ("BTB", 3, 3, 1, False),    # ≤ 3 schools: 33,3% < 50%
    ("BTB", 4, 3, 4, False),    # one school below the minimum standard
    ("DBSH", 3, 3, 2, False),   # ĐBSH: 100% at level 1 whatever the count
    ("DBSH", 5, 5, 5, True),
])
def test_schools_rule_of_318_depends_on_the_count(specs, region, total, minimum, level1, met):
    values = {"schools_total": total, "schools_facility_minimum": minimum, "schools_facility_level1": level1}
    result = evaluate_set(specs["xa-ntm-2021"], Classification(region=region), 2023, values, specs)
    assert next(c for c in result.criteria if c.code == "5").met is met
    cell = next(i for i in result.indicators if i.code == "5.2")
    if region == "BTB":
        assert cell.threshold == (70 if total > 3 else 50) and cell.condition.startswith("schools_total")


def test_schools_rule_without_the_count_is_missing_data(specs):
    result = evaluate_set(specs["xa-ntm-2021"], BTB, 2023, {"schools_facility_level1": 2}, specs)
    assert next(c for c in result.criteria if c.code == "5").met is None


# --- poverty 2021–2025 (secondary sources) --------------------------------------------------------

def test_poverty_2021_2025_values_from_secondary_sources(specs):
    assert (row(specs, "xa-ntm-2021", "11", "BTB", 2024).value, row(specs, "xa-ntm-2021", "11", "BTB", 2024).trust) == (6.5, "secondary")
    assert row(specs, "xa-ntm-2021", "11", "TDMNPB", 2024).value == 13
    assert (row(specs, "xa-nang-cao-2021", "11", "BTB", 2024).value, row(specs, "xa-nang-cao-2021", "11", "BTB", 2024).trust) == (4, "secondary")


# --- sets in force by date of effect ---------------------------------------------------------------

@pytest.mark.parametrize(("on", "expected"), [
    (dt.date(2011, 12, 31), "xa-ntm-2010"),
    (dt.date(2016, 11, 30), "xa-ntm-2010"),   # 1980/QĐ-TTg takes effect on 01/12/2016
    (dt.date(2016, 12, 1), "xa-ntm-2016"),
    (dt.date(2021, 12, 31), "xa-ntm-2016"),   # 318/QĐ-TTg only from 08/03/2022
    (dt.date(2022, 3, 7), "xa-ntm-2016"),
    (dt.date(2022, 3, 8), "xa-ntm-2021"),
    (dt.date(2025, 12, 31), "xa-ntm-2021"),
    (dt.date(2026, 12, 31), "xa-ntm-2026"),
])
def test_commune_set_in_force_on_a_date(specs, on, expected):
    assert base_set_for(specs, "commune", on.year, on).code == expected


def test_an_evaluation_is_for_the_end_of_its_year_by_default(specs):
    assert base_set_for(specs, "commune", 2016).code == "xa-ntm-2016"
    assert base_set_for(specs, "commune", 2021).code == "xa-ntm-2016"
    assert base_set_for(specs, "district", 2021).code == "huyen-ntm-2016"
    assert base_set_for(specs, "district", 2015).code == "huyen-ntm-2013"
    with pytest.raises(EvaluationError, match="hiệu lực"):
        base_set_for(specs, "commune", 2026, dt.date(2026, 1, 31))  # 51/2025 only from 15/02/2026


def test_levels_above_follow_the_base_in_force(specs, thanh_hoa):
    assert [s.code for s in sets_above(specs, "xa-ntm-2016", 2021)] == ["xa-nang-cao-2018", "xa-kieu-mau-2018"]
    assert [s.code for s in sets_above(specs, "xa-ntm-2021", 2022)] == ["xa-nang-cao-2021", "xa-kieu-mau-2021"]
    in_force = {s.code for s in sets_in_force(specs, dt.date(2021, 12, 31), "commune")}
    assert {"xa-ntm-2016", "xa-nang-cao-2018", "xa-kieu-mau-2018"} <= in_force and "xa-ntm-2021" not in in_force


# --- kiểu mẫu 2018–2020: income relative to the unit's own past ------------------------------------

MODEL_2018 = {"income_per_capita": 60, "poor_households_non_welfare": 0, "kindergarten_attendance_rate": 95,
              "age6_primary_enrolment_rate": 100, "health_insured_people": 960, "population_total": 1000,
              "regular_health_check_rate": 92, "cultural_activity_rate": 70, "model_commune_other_conditions_met": True}


def test_model_commune_2018_income_is_relative_to_the_ntm_year(specs):
    spec = specs["xa-kieu-mau-2018"]
    assert past_keys([spec]) == {"income_per_capita@ntm_year"}
    met = evaluate_set(spec, BTB, 2020, MODEL_2018, specs, past={"income_per_capita@ntm_year": 40})
    k1 = next(i for i in met.indicators if i.code == "K1")
    assert (k1.met, k1.threshold, k1.basis) == (True, 60, "1.5 × income_per_capita@ntm_year")
    short = evaluate_set(spec, BTB, 2020, {**MODEL_2018, "income_per_capita": 59.9}, specs,
                         past={"income_per_capita@ntm_year": 40})
    assert next(c for c in short.criteria if c.code == "K1").met is False
    unknown = evaluate_set(spec, BTB, 2020, MODEL_2018, specs)  # no past given: missing data, not a guess
    assert next(c for c in unknown.criteria if c.code == "K1").met is None


def test_past_values_are_built_from_the_units_history():
    history = {2016: {"income_per_capita": 31.5}, 2020: {"income_per_capita": 50}}
    assert past_values({"income_per_capita@ntm_year"}, history, {"ntm": 2016}) == {"income_per_capita@ntm_year": 31.5}
    assert past_values({"income_per_capita@ntm_year"}, history, {}) == {}


def test_model_commune_2018_sits_on_the_provinces_advanced_set(specs, thanh_hoa):
    chain = [s.code for s in [thanh_hoa["xa-ntm-2016"], *sets_above(thanh_hoa, "xa-ntm-2016", 2020)]]
    assert chain == ["xa-ntm-2016", "xa-nang-cao-2018", "xa-kieu-mau-2018"]
    assert [c.code for c in thanh_hoa["xa-nang-cao-2018"].criteria] == ["T1", "T2", "T3", "T4"]
    assert "xa-nang-cao-2018-38" not in [s.code for s in sets_above(specs, "xa-ntm-2016", 2020)]
    ev = evaluate_unit(thanh_hoa, "xa-ntm-2016", BTB, 2020, {"income_per_capita": 40})
    assert ev.level is None and ev.on == dt.date(2020, 12, 31)


# --- frames completed by provinces ----------------------------------------------------------------

def test_frames_hold_only_the_national_part(specs, thanh_hoa):
    assert [c.code for c in specs["xa-nang-cao-2018"].criteria] == ["P"]
    assert [c.code for c in specs["xa-hien-dai-2026"].criteria] == ["P"]
    modern = thanh_hoa["xa-hien-dai-2026"]
    assert "P" not in [c.code for c in modern.criteria] and len(modern.indicators()) == 16
    assert {t.trust for i in modern.indicators() for t in i.thresholds} == {"unverified"}


# --- every row carries one of three trust states ---------------------------------------------------

def test_every_row_has_a_trust_state(specs):
    states = {t.trust for s in specs.values() for i in s.indicators() for t in i.thresholds}
    assert states == {"decision", "secondary", "unverified"}
    provisional = [t for s in specs.values() for i in s.indicators() for t in i.thresholds if t.source.startswith("provisional")]
    assert provisional and {t.trust for t in provisional} == {"unverified"}


@pytest.mark.django_db
def test_unverified_command_lists_every_row_not_read_in_a_decision(capsys):
    call_command("criteria", "load-all")
    capsys.readouterr()
    call_command("criteria", "unverified", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    by_code = {s["code"]: s for s in data["sets"]}
    assert set(data["trust_states"]) == {"decision", "secondary", "unverified"}
    ntm2010 = by_code["xa-ntm-2010"]
    assert ntm2010["counts"]["decision"] >= 36
    assert ntm2010["total"] == sum(ntm2010["counts"].values())
    for s in data["sets"]:
        assert len(s["rows"]) == s["counts"]["secondary"] + s["counts"]["unverified"]
        assert all(r["trust"] in ("secondary", "unverified") and r["source"] for r in s["rows"])
    call_command("criteria", "unverified")
    text = capsys.readouterr().out
    assert "| xa-ntm-2010 | 491/QĐ-TTg |" in text and "Chưa xác minh" in text


@pytest.mark.django_db
def test_bulk_path_reads_the_units_own_past_for_the_2018_model_commune():
    """Through the one bulk path (batch.evaluate_rows), a Thanh Hóa commune of 2020 whose figures meet
    every set up to 691/QĐ-TTg is kiểu mẫu only when its income at NTM recognition is supplied."""
    import random

    from ntm.criteria.batch import evaluate_rows
    from ntm.criteria.loader import province_view, registry
    from ntm.demo.synth import Target, synthesize

    call_command("criteria", "load-all")
    view = province_view(registry(), "38")
    values, _ = synthesize(view, "xa-ntm-2016", BTB, 2020, Target(level="nang_cao"), random.Random(7))
    model = {**values, **MODEL_2018, "income_per_capita": max(values["income_per_capita"], 60)}
    unit = {"id": 1, "level": "commune", "kind": "xã", "region": "BTB", "parent_id": None, "province__code": "38"}
    without = evaluate_rows([unit], [2020], {(1, 2020): model}, {})[0]
    with_past = evaluate_rows([unit], [2020], {(1, 2020): model}, {},
                              past={1: {"income_per_capita@ntm_year": model["income_per_capita"] / 1.5}})[0]
    assert without.set_code == "xa-ntm-2016" and without.result.level == "nang_cao"
    assert with_past.result.level == "kieu_mau"

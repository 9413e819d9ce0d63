"""The demo reproduces what seeds 000 and 004 report for Thọ Xuân and Nam Giang, read back
through the stored evaluations and rollups (not through the story's constants)."""

import json

import pytest
from django.core.management import call_command
from django.db import transaction

from ntm.evaluations.models import Evaluation
from ntm.evaluations.rollup import Summary, rollup
from ntm.evaluations.services import year_ladders
from ntm.figures.models import Figure
from ntm.units.models import Unit, valid_in


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the real criteria sets and the whole Thanh Hóa demo once, roll it all back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("criteria", "load-all")
        call_command("demo")
        yield
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def tho_xuan_rollup(year):
    """Thọ Xuân's communes of that year (38 until 2019, 27 from 2020), as the district rollup counts them."""
    communes = Unit.objects.filter(scheme="legacy", parent__code="395", kind="xã").filter(valid_in(year))
    rows = Evaluation.objects.filter(unit__in=communes, year=year)
    summaries = [Summary(e.unit_id, e.year, e.level, e.criteria_met, e.criteria_total, e.met) for e in rows]
    return rollup(summaries, communes.count(), year_ladders([year]))[0], rows


def test_2011_average_criteria_per_commune():
    roll, _ = tho_xuan_rollup(2011)
    assert roll["evaluated"] == 38  # the communes of 2011, not the 27 of 2025
    assert round(roll["avg_criteria_met"], 1) == 5.6
    assert roll["levels"]["ntm"] == 0


def test_every_commune_ntm_by_end_of_2018_not_before():
    roll, _ = tho_xuan_rollup(2018)
    assert roll["levels"]["ntm"] == roll["evaluated"] == 38
    assert tho_xuan_rollup(2017)[0]["levels"]["ntm"] < 38
    assert tho_xuan_rollup(2020)[0]["evaluated"] == 27  # after 786/NQ-UBTVQH14 (01/12/2019)


def test_district_meets_its_criteria_in_2019():
    levels = dict(Evaluation.objects.filter(unit__scheme="legacy", unit__code="395").values_list("year", "level"))
    assert levels[2019] == "ntm"
    assert levels[2018] == ""


def test_districts_follow_their_public_record():
    """data/districts-38.toml: Yên Định NTM in 2015 with 22/27 of its xã NTM (baochinhphu.vn), the city in 2019."""
    def levels(code):
        return dict(Evaluation.objects.filter(unit__scheme="legacy", unit__code=code).values_list("year", "level"))

    communes = Unit.objects.filter(scheme="legacy", parent__code="394", kind="xã").filter(valid_in(2015))
    met = Evaluation.objects.filter(unit__in=communes, year=2015).exclude(level="").count()
    assert 22 / 27 <= met / communes.count() < 1  # the recorded share, not every commune
    # Districts are stored from 2016, the first set with figures of their own (558/QĐ-TTg): NTM from then
    assert levels("394")[2016] == "ntm"
    city = levels("380")
    assert city[2019] == "ntm" and city[2018] == ""


def test_eleven_advanced_two_model_communes_and_twelve_model_hamlets_by_early_2023():
    roll, rows = tho_xuan_rollup(2022)
    assert roll["evaluated"] == 27
    exact = [e.level for e in rows]
    assert exact.count("nang_cao") == 11
    assert exact.count("kieu_mau") == 2
    hamlets = Evaluation.objects.filter(unit__level="hamlet", unit__parent__parent__code="395", year=2022, level="kieu_mau")
    assert hamlets.count() == 12


def test_nam_giang_facts_and_path(capsys):
    nam_giang = Unit.objects.get(scheme="legacy", code="15505")
    figures = dict(Figure.objects.filter(unit=nam_giang, year=2016).values_list("field", "value"))
    assert (figures["households_total"], figures["population_total"]) == (1876, 6350)
    path = dict(Evaluation.objects.filter(unit=nam_giang).values_list("year", "level"))
    assert path[2015] == "" and path[2016] == "ntm"
    assert path[2022] == "ntm" and path[2023] == "nang_cao"
    call_command("evaluate", "--unit", "15505", "--legacy", "--year", "2016", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["set"] == "xa-ntm-2016" and data["level"] == "ntm" and data["criteria_met"] == 19


def test_years_run_on_the_units_of_their_time():
    """A unit has figures and results only for the years it existed on 1 January; the district rollup
    counts the communes of that year; the trend of a merged commune follows its predecessors."""
    xuan_khanh = Unit.objects.get(scheme="legacy", code="15490-2019")  # ended 30/11/2019 (786/NQ-UBTVQH14)
    xuan_hong = Unit.objects.get(scheme="legacy", code="15493")  # formed 01/12/2019
    assert set(Figure.objects.filter(unit=xuan_khanh).values_list("year", flat=True)) == set(range(2011, 2020))
    assert set(Figure.objects.filter(unit=xuan_hong).values_list("year", flat=True)) == set(range(2020, 2026))
    assert Evaluation.objects.filter(unit=xuan_hong, year__lt=2020).count() == 0
    # the district rollup counts the communes of that year
    from ntm.evaluations.recompute import district_rollup_values

    district = Unit.objects.get(scheme="legacy", code="395")
    rolled = district_rollup_values([district.pk], [2019, 2020])
    assert rolled[(district.pk, 2019)]["communes_total"] == 38 and rolled[(district.pk, 2020)]["communes_total"] == 27
    assert rolled[(district.pk, 2019)]["communes_ntm"] == 38
    # Đông Sơn: a district until 2024, its communes under Thành phố Thanh Hóa from 2025
    dong_son = Unit.objects.get(scheme="legacy", code="405-2024")
    assert set(Evaluation.objects.filter(unit__parent=dong_son).values_list("year", flat=True)) <= set(range(2011, 2025))
    assert Evaluation.objects.filter(unit__scheme="legacy", unit__code="16381", year=2025).exists()
    assert not Evaluation.objects.filter(unit__scheme="legacy", unit__code="16381", year=2024).exists()
    # Xuân Hồng's trend reads back through its predecessors: each was NTM by 2018, Xuân Hồng from 2020
    preds = [link.source for link in xuan_hong.predecessor_links.select_related("source")]
    assert all(Evaluation.objects.get(unit=p, year=2018).level for p in preds)
    assert Evaluation.objects.get(unit=xuan_hong, year=2020).level
    # the scorecard trend of the commune of today follows its predecessors through both reorganisations
    from ntm.evaluations.scorecard import trend, years_of

    today = xuan_hong.successors.get()
    series = {s["name"]: s["points"] for s in trend(today)}
    assert "Xã Xuân Khánh" in series and series["Xã Xuân Khánh"][0]["year"] == 2011
    assert [p["year"] for p in series["Xã Xuân Hồng"]][0] == 2020
    assert years_of(today)[0] == 2011


def test_each_year_uses_the_set_in_force():
    sets = dict(Evaluation.objects.filter(unit__scheme="legacy", unit__code="15505").values_list("year", "set_code"))
    # 1980/QĐ-TTg took effect on 01/12/2016 and 318/QĐ-TTg on 08/03/2022: a year is evaluated on its last day
    assert (sets[2011], sets[2016], sets[2021], sets[2022], sets[2025]) == (
        "xa-ntm-2010", "xa-ntm-2016", "xa-ntm-2016", "xa-ntm-2021", "xa-ntm-2021")


def test_evaluate_command_for_2021_uses_the_2016_2020_set(capsys):
    call_command("evaluate", "--unit", "15505", "--legacy", "--year", "2021", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["set"] == "xa-ntm-2016" and data["level"] == "ntm"
    assert [lv["set"] for lv in data["levels"]][:2] == ["xa-ntm-2016", "xa-nang-cao-2018"]


def test_current_communes_have_groups_and_2026_results():
    current = Evaluation.objects.filter(unit__scheme="current", unit__province__code="38", year=2026)
    assert current.count() == Unit.objects.filter(scheme="current", province__code="38", kind="xã").count() == 147
    assert set(current.values_list("set_code", flat=True)) == {"xa-ntm-2026"}
    assert all(e.result["cls"][1] in (1, 2, 3) for e in current)


def test_other_districts_vary_and_some_communes_slip():
    th = Evaluation.objects.filter(unit__scheme="legacy", unit__province__code="38", unit__level="commune")
    by_unit = {}
    for unit_id, level in th.order_by("year").values_list("unit_id", "level"):
        by_unit.setdefault(unit_id, []).append(level)
    slipped = [u for u, path in by_unit.items() if any(a and not b for a, b in zip(path, path[1:], strict=False))]
    assert len(slipped) >= 5
    final = [path[-1] for path in by_unit.values()]
    assert final.count("") > 0 and final.count("nang_cao") > 0


def test_second_run_is_skipped_and_keeps_user_figures():
    nam_giang = Unit.objects.get(scheme="legacy", code="15505")
    Figure.objects.filter(unit=nam_giang, year=2024, field="income_per_capita").update(value=99, source="Xã nhập")
    before = Figure.objects.count()
    call_command("demo")
    assert Figure.objects.count() == before
    assert Figure.objects.get(unit=nam_giang, year=2024, field="income_per_capita").source == "Xã nhập"


def test_thanh_hoa_dashboard_for_a_legacy_year_in_a_few_queries(django_assert_max_num_queries):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    assert client.login(username="tinh", password="ntm-demo")
    province = Unit.objects.get(scheme="current", level="province", code="38")
    with django_assert_max_num_queries(25):
        r = client.get(reverse("dashboard", args=[province.pk]), {"year": 2022})
    body = r.content.decode()
    assert r.status_code == 200
    xa = Unit.objects.filter(scheme="legacy", province__code="38", level="commune", kind="xã")
    extra = xa.filter(valid_in(2022)).count() - xa.filter(valid_in(2025)).count()
    assert extra == 12  # the xã of 2022 that the 2024 reorganisations merged away
    # every xã of Thanh Hóa in 2022 (the units of that year), shown 50 a page (reports/views.py MATRIX_PAGE)
    assert f'data-testid="matrix-count">{454 + extra}/{454 + extra} xã khớp bộ lọc' in body
    assert body.count('class="name"') == 50
    assert "thanhhoa_pre2025_districts.geojson" in body


def test_hamlet_condition_agrees_with_its_commune():
    """Criterion 1 of a model hamlet ("belongs to an NTM commune or is a recognised hamlet") is met
    exactly when its commune is NTM that year or the hamlet was recognised in an earlier year."""
    hamlets = Evaluation.objects.filter(unit__level="hamlet", unit__parent__parent__code="395").select_related("unit")
    commune_level = {(e.unit_id, e.year): e.level for e in
                     Evaluation.objects.filter(unit__level="commune", unit__parent__code="395", unit__scheme="legacy")}
    first_km = {}
    for e in hamlets.order_by("year"):
        if e.level == "kieu_mau":
            first_km.setdefault(e.unit_id, e.year)
    checked = 0
    for e in hamlets:
        expected = bool(commune_level.get((e.unit.parent_id, e.year))) or first_km.get(e.unit_id, 9999) < e.year
        assert e.met["1"] is expected, (e.unit.full_name, e.year, commune_level.get((e.unit.parent_id, e.year)))
        checked += 1
    assert checked > 1000

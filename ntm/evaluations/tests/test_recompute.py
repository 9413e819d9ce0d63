"""Figures → stored evaluations → rollups, on a real database with the fixture sets."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from ntm.evaluations.models import Evaluation, LevelChange
from ntm.evaluations.recompute import recompute_all
from ntm.evaluations.services import evaluate_stored_unit
from ntm.figures.models import Figure, FigureChange
from ntm.figures.services import set_figure
from ntm.units.models import Classification, Unit

FIX = Path(__file__).resolve().parents[2] / "criteria" / "tests" / "fixtures"
pytestmark = pytest.mark.django_db
FULL = {"income_per_capita": 45, "temp_houses": 0, "households_solid_house": 850, "households_total": 1000, "has_plan": 1}


@pytest.fixture
def sets():
    for name in ("t-ntm", "t-nc", "t-km", "t-group"):
        call_command("criteria", "load", str(FIX / f"{name}.toml"))


def national_admin(name="qtv"):
    from ntm.accounts.models import Grant

    user = User.objects.create_user(name)
    Grant.objects.create(user=user, role="admin")
    return user


def legacy(code):
    return Unit.objects.get(scheme="legacy", code=code)


def fill(unit, year, values):
    Figure.objects.bulk_create(Figure(unit=unit, year=year, field=k, value=Decimal(str(v))) for k, v in values.items())


def test_saving_a_figure_updates_the_evaluation_and_keeps_history(sets):
    nam_giang = legacy("15505")
    fill(nam_giang, 2021, {**FULL, "income_per_capita": 39})
    recompute_all(years=[2021])
    assert Evaluation.objects.get(unit=nam_giang, year=2021).level == ""
    user = national_admin()  # pre-2025 units are history: only a national administrator writes them
    set_figure(nam_giang, 2021, "income_per_capita", Decimal("41"), user=user, source="Báo cáo xã", comment="sửa")
    ev = Evaluation.objects.get(unit=nam_giang, year=2021)
    assert (ev.level, ev.criteria_met, ev.met["1"]) == ("ntm", 3, True)
    change = FigureChange.objects.get(figure__unit=nam_giang, figure__field="income_per_capita")
    assert (change.old_value, change.new_value, change.changed_by, change.comment) == (Decimal("39"), Decimal("41"), user, "sửa")


def test_unchanged_value_records_no_change(sets):
    unit, user = legacy("15505"), national_admin()
    set_figure(unit, 2021, "income_per_capita", Decimal("41"), user=user)
    set_figure(unit, 2021, "income_per_capita", "41,0", user=user)
    assert FigureChange.objects.filter(figure__unit=unit).count() == 1


def test_classification_rows_change_the_thresholds(sets):
    unit = legacy("15505")  # Thanh Hóa: BTB, threshold 40 in 2021
    fill(unit, 2021, {**FULL, "income_per_capita": 35})
    recompute_all(years=[2021])
    assert Evaluation.objects.get(unit=unit, year=2021).level == ""
    Classification.objects.create(unit=unit, scheme="flag", value="dbkk", year_from=2021, year_to=2025)
    recompute_all(years=[2021])
    assert Evaluation.objects.get(unit=unit, year=2021).level == "ntm"


def test_district_rollup_and_cli(sets, capsys):
    district = legacy("395")
    communes = list(Unit.objects.filter(parent=district, kind="xã").order_by("code")[:3])
    fill(communes[0], 2021, FULL)
    fill(communes[1], 2021, {**FULL, "income_per_capita": 61})
    fill(communes[2], 2021, {**FULL, "has_plan": 0})
    recompute_all(years=[2021])
    data = evaluate_stored_unit(district, 2021)
    roll = data["communes"]
    assert roll["evaluated"] == 3
    assert roll["levels"] == {"ntm": 2, "nang_cao": 1, "kieu_mau": 0}
    assert roll["avg_criteria_met"] == pytest.approx((3 + 3 + 2) / 3, abs=0.01)
    assert roll["criteria_share"]["3"] == pytest.approx(2 / 3, abs=1e-3)


def test_evaluate_unit_command(sets, capsys):
    import json

    fill(legacy("15505"), 2021, FULL)
    call_command("evaluate", "--unit", "15505", "--legacy", "--year", "2021", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["unit"]["name"] == "Xã Nam Giang"
    assert data["level"] == "ntm" and data["criteria_met"] == 3


def test_evaluate_unit_without_figures_is_a_clear_error(sets):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="chưa có số liệu năm 2021"):
        call_command("evaluate", "--unit", "15505", "--legacy", "--year", "2021")


def test_a_new_set_version_recomputes_and_records_its_version(sets, tmp_path):
    unit = legacy("15505")
    fill(unit, 2021, FULL)
    recompute_all(years=[2021])
    assert Evaluation.objects.get(unit=unit, year=2021).set_version == 1
    text = (FIX / "t-ntm.toml").read_text(encoding="utf-8")
    newer = tmp_path / "t-ntm.toml"
    newer.write_text(text.replace("[set]", '[set]\nnotes = "phiên bản 2"', 1), encoding="utf-8")
    call_command("criteria", "load", str(newer))  # publishing version 2 recomputes what it covers
    ev = Evaluation.objects.get(unit=unit, year=2021)
    assert ev.set_version == 2
    assert not LevelChange.objects.filter(unit=unit, reason="set_version").exists()  # same level: no change row


def test_recompute_command_is_idempotent_and_reports_why_a_unit_cannot_be_evaluated(sets, capsys):
    import json

    unit = legacy("15505")
    fill(unit, 2021, FULL)
    call_command("recompute", "--format", "json")
    first = json.loads(capsys.readouterr().out)
    assert first["evaluations"] >= 1
    call_command("recompute", "--format", "json")
    assert json.loads(capsys.readouterr().out)["changed"] == 0
    current = Unit.objects.get(scheme="current", code="15505")
    fill(current, 2026, {"income_per_capita": 50})
    call_command("evaluate", "--unit", "15505", "--year", "2026", "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert out["error"] and out["level"] is None


def test_province_recompute_from_the_page_reports_progress(sets, django_capture_on_commit_callbacks):
    from django.test import Client

    from ntm.accounts.models import Grant
    from ntm.evaluations.models import RecomputeJob

    unit = legacy("15505")
    fill(unit, 2021, FULL)
    office = User.objects.create_user("vp", password="x")
    thanh_hoa = Unit.objects.get(scheme="current", level="province", code="38")
    Grant.objects.create(user=office, unit=thanh_hoa, role="province")
    client = Client()
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/don-vi/{thanh_hoa.pk}/tinh-lai/")
    job = RecomputeJob.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/cong-viec/tinh-lai/{job.pk}/")
    assert (job.status, job.done, job.total) == ("done", 1, 1) and job.rows >= 1
    page = client.get(r["Location"]).content.decode()
    assert 'data-status="done"' in page and "hx-trigger" not in page
    viewer = User.objects.create_user("xem2")
    Grant.objects.create(user=viewer, unit=thanh_hoa, role="viewer")
    client.force_login(viewer)
    assert client.post(f"/don-vi/{thanh_hoa.pk}/tinh-lai/").status_code == 403


def test_past_values_read_the_field_of_the_first_year_any_level_was_reached(world):
    """691/QĐ-TTg's model commune: income ≥ 1.5 × the income of the year the commune reached NTM. The
    first year with any level counts (nâng cao in 2017 before NTM was stored in 2018); a unit never
    NTM has no such value (missing data, not a guess); a failed evaluation (error) does not count."""
    from django.utils import timezone

    from ntm.evaluations.models import Evaluation
    from ntm.evaluations.recompute import past_for
    from ntm.figures.models import Figure

    a, b, c = Unit.objects.filter(level="commune", kind="xã", scheme="legacy").order_by("pk")[:3]
    now = timezone.now()
    for unit, year, level, error in ((a, 2016, "", ""), (a, 2017, "nang_cao", ""), (a, 2018, "ntm", ""),
                                     (b, 2016, "", ""), (c, 2015, "ntm", "lỗi"), (c, 2016, "ntm", "")):
        Evaluation.all_rows.create(unit=unit, year=year, set_code="x", level=level, criteria_met=0, criteria_total=0,
                                   result={}, error=error)
    for unit, year, value in ((a, 2016, 20), (a, 2017, 31.5), (a, 2018, 40), (b, 2016, 25), (c, 2015, 10), (c, 2016, 12)):
        Figure.objects.create(unit=unit, year=year, field="income_per_capita", value=value, source="t", updated_at=now)
    got = past_for([a.pk, b.pk, c.pk], {"income_per_capita@ntm_year"})
    assert got == {a.pk: {"income_per_capita@ntm_year": 31.5}, c.pk: {"income_per_capita@ntm_year": 12.0}}


def test_a_live_evaluation_reads_the_units_past_as_the_recompute_does(world):
    """2020's model commune income (691/QĐ-TTg) is relative to the NTM year: the page's live evaluation
    gets the same past values as the stored result, and none is read for a year that needs none."""
    from django.utils import timezone

    from ntm.figures import live

    unit = Unit.objects.filter(level="commune", kind="xã", scheme="legacy").order_by("pk").first()
    Figure.objects.create(unit=unit, year=2020, field="income_per_capita", value=60, source="t",
                          updated_at=timezone.now())
    calls = []
    provider = live._past[0]
    live._past[0] = lambda ids, keys: calls.append((ids, keys)) or provider(ids, keys)
    try:
        live.live_outcome(unit, 2020)
        live.live_outcome(unit, 2024)
    finally:
        live._past[0] = provider
    assert calls == [([unit.pk], {"income_per_capita@ntm_year"})]


def _stored(year):
    return {(e.unit_id, e.level, e.criteria_met, e.error, str(e.met), str(e.result))
            for e in Evaluation.all_rows.filter(year=year)}


def test_a_recompute_in_runs_of_units_stores_what_one_unit_at_a_time_does(world, monkeypatch):
    """The national recompute reads, evaluates and stores units in runs of ids, reads and writes on a
    background thread; with runs of two units the stored rows equal those of each unit recomputed
    alone (districts above included), and the units are read in more than one run."""
    from ntm.evaluations import recompute
    from ntm.evaluations.recompute import recompute_units
    from ntm.testing import YEAR

    runs = []
    grouped_rows = recompute.grouped_rows
    monkeypatch.setattr(recompute, "grouped_rows", lambda cursor, where, params: runs.append(params) or
                        grouped_rows(cursor, where, params))
    units = list(Figure.objects.filter(year=YEAR).values_list("unit_id", flat=True).distinct())
    monkeypatch.setattr(recompute, "CHUNK", 2)
    recompute_all(years=[YEAR])
    in_runs = _stored(YEAR)
    assert len(units) >= 5 and len(runs) > len(units) // 2  # runs of two ids: many reads, not one
    Evaluation.all_rows.filter(year=YEAR).delete()
    for unit_id in units:
        recompute_units([unit_id], [YEAR])
    assert _stored(YEAR) == in_runs and any(level for _u, level, *_ in in_runs)


def test_a_failed_write_of_one_run_leaves_the_whole_year_as_it_was(world, monkeypatch):
    """A write that fails on the background thread fails the recompute, and the year's transaction
    rolls back every run already written: no unit's stored row changes."""
    from ntm.evaluations import recompute
    from ntm.testing import YEAR

    before = _stored(YEAR)
    Figure.objects.filter(year=YEAR, field="income_per_capita").update(value=Decimal("1"))  # every level falls
    calls = []
    write_rows = recompute._write_rows

    def failing(cursor, *args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("ổ đĩa đầy")
        return write_rows(cursor, *args)

    monkeypatch.setattr(recompute, "CHUNK", 2)
    monkeypatch.setattr(recompute, "_write_rows", failing)
    with pytest.raises(RuntimeError, match="ổ đĩa đầy"):
        recompute_all(years=[YEAR])
    assert len(calls) >= 2 and _stored(YEAR) == before
    monkeypatch.setattr(recompute, "_write_rows", write_rows)
    recompute_all(years=[YEAR])
    assert _stored(YEAR) != before  # the same recompute, not failing, does change them


def test_the_national_recompute_gives_each_run_the_past_values_its_units_read(world, monkeypatch):
    """2020's model-commune income is relative to the NTM year's (691/QĐ-TTg): the runs' background
    reads hand the engine each unit's past values, the same `past_for` gives one unit at a time."""
    from django.utils import timezone

    from ntm.evaluations import recompute
    from ntm.evaluations.recompute import past_for

    unit = Unit.objects.filter(level="commune", kind="xã", scheme="legacy").order_by("pk").first()
    now = timezone.now()
    Evaluation.all_rows.create(unit=unit, year=2018, set_code="x", level="ntm", criteria_met=19, criteria_total=19,
                               result={})
    for year, value in ((2018, 40), (2020, 65)):
        Figure.objects.create(unit=unit, year=year, field="income_per_capita", value=value, source="t", updated_at=now)
    given = {}
    evaluate_rows = recompute.evaluate_rows

    def spy(units, years, values, classes, past=None, **kw):
        given.update(past or {})
        return evaluate_rows(units, years, values, classes, past=past, **kw)

    monkeypatch.setattr(recompute, "evaluate_rows", spy)
    recompute_all(years=[2020])
    assert given[unit.pk] == {"income_per_capita@ntm_year": 40.0} == past_for([unit.pk], {"income_per_capita@ntm_year"})[unit.pk]
    assert Evaluation.all_rows.get(unit=unit, year=2020).error == ""

"""Figures → stored evaluations → rollups, on a real database with the fixture sets."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from ntm.evaluations.models import Evaluation
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

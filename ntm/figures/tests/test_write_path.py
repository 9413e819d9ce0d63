"""The one write path: every door (form, Excel page, CLI) goes through `write_figures`, so each
check holds everywhere — closed years for current, pre-2025 and hamlet units, the unit's years and
kind, scope — and each accepted write leaves figures, history, audit and evaluations consistent."""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from ntm.accounts.models import AuditEntry
from ntm.evaluations.models import Evaluation, LevelChange
from ntm.figures.models import Figure, FigureChange, Period
from ntm.figures.services import CellInput, WriteRefused, set_period, write_figures
from ntm.testing import YEAR, login
from ntm.units.models import Unit

FILES = Path(__file__).parent / "files"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORLD_COMMUNES = 2
pytestmark = pytest.mark.django_db


def counts():
    return Figure.objects.count(), FigureChange.objects.count(), AuditEntry.objects.filter(action__startswith="figures.").count()


def user(name):
    from django.contrib.auth.models import User

    return User.objects.get(username=name)


@pytest.fixture
def nam_giang():
    return Unit.objects.get(scheme="legacy", code="15505")


@pytest.fixture
def hamlet(world):
    return Unit.objects.get(code="15505-01")


def close(year, by="tinh"):
    set_period(user(by), Unit.objects.get(scheme="current", level="province", code="38"), year, True)


def test_case_file_legacy_commune_refused_in_a_closed_year_from_the_current_province_page(world, nam_giang):
    """../shared/cases/lock-bypass-legacy-2025.xlsx: the province closes 2025, then imports it."""
    close(2025)
    before = counts()
    data = (FILES / "lock-bypass-legacy-2025.xlsx").read_bytes()
    r = login("tinh").post(reverse("figure_import", args=[world["province"].pk, 2025]),
                           {"file": SimpleUploadedFile("x.xlsx", data, content_type=XLSX), "source": "Báo cáo"})
    body = r.content.decode()
    assert r.status_code == 200 and "Xã Nam Giang: kỳ báo cáo năm 2025 của Tỉnh Thanh Hóa đã khoá" in body
    assert "Kỳ báo cáo năm 2025 đã khoá" in body  # the page says so before any upload too
    assert counts() == before
    with pytest.raises(CommandError, match="chưa ghi gì"):
        call_command("figures", "import", str(FILES / "lock-bypass-legacy-2025.xlsx"), "--as", "tinh", "--format", "json",
                     stdout=io.StringIO())
    with pytest.raises(CommandError, match="đã khoá"):
        call_command("figures", "set", "--unit", "15505", "--legacy", "--year", "2025", "--field", "income_per_capita",
                     "--value", "77,7", "--as", "admin")
    assert counts() == before


def test_the_form_refuses_a_closed_year_for_current_legacy_and_hamlet_units(world, nam_giang, hamlet):
    close(2025)
    close(YEAR)
    before = counts()
    admin = login("admin")  # a national administrator may write anywhere, but not into a closed year
    for unit, year in ((world["tho_long"], YEAR), (nam_giang, 2025), (hamlet, YEAR)):
        r = admin.post(reverse("figure_save", args=[unit.pk, year, "income_per_capita"]), {"value": "50"})
        if r.status_code == 404:  # a hamlet's sets have no income field; try any field of its page
            continue
        assert r.status_code == 422 and "đã khoá" in r.content.decode(), (unit, r.status_code)
    with pytest.raises(WriteRefused, match="đã khoá"):
        write_figures(user("admin"), [CellInput(hamlet.pk, YEAR, "households_total", "10")])
    assert counts() == before


def test_a_legacy_province_year_closed_by_the_current_office_binds_every_predecessor(world, nam_giang):
    close(2024)
    legacy_thanh_hoa = nam_giang.province
    assert legacy_thanh_hoa.scheme == "legacy"
    assert Period.objects.filter(closed=True).get().province.scheme == "current"
    with pytest.raises(WriteRefused, match="đã khoá"):
        write_figures(user("admin"), [CellInput(nam_giang.pk, 2024, "income_per_capita", "60")])


def test_reopening_needs_an_administrator_and_a_reason(world):
    close(YEAR)
    province = world["province"]
    with pytest.raises(Exception, match="quản trị viên"):
        set_period(user("tinh"), province, YEAR, False, reason="cần sửa")
    with pytest.raises(WriteRefused, match="lý do"):
        set_period(user("admin"), province, YEAR, False)
    set_period(user("admin"), province, YEAR, False, reason="Xã bổ sung")
    entry = AuditEntry.objects.get(action="figures.reopen_period")
    assert entry.before == {"closed": True, "reason": ""} and entry.after["reason"] == "Xã bổ sung"


def test_a_unit_takes_figures_only_for_years_it_existed_and_only_if_a_set_measures_it(world, nam_giang):
    with pytest.raises(WriteRefused, match="thành lập từ 01/07/2025: chỉ nhận số liệu từ năm 2026"):
        write_figures(user("admin"), [CellInput(world["tho_long"].pk, 2024, "income_per_capita", "40")])
    with pytest.raises(WriteRefused, match="không còn tồn tại năm 2026"):
        write_figures(user("admin"), [CellInput(nam_giang.pk, 2026, "income_per_capita", "40")])
    ward = Unit.objects.get(scheme="current", code="00004")  # Phường Ba Đình
    with pytest.raises(WriteRefused, match="không đánh giá đơn vị loại “phường”"):
        write_figures(user("admin"), [CellInput(ward.pk, YEAR, "income_per_capita", "40")])


def test_scope_is_checked_for_every_unit_written(world):
    with pytest.raises(WriteRefused, match="không có quyền nhập số liệu cho Phường Ba Đình"):
        write_figures(user("tinh"), [CellInput(world["tho_long"].pk, YEAR, "income_per_capita", "40"),
                                     CellInput(world["outsider"].pk, YEAR, "income_per_capita", "40")])
    assert Figure.objects.get(unit=world["tho_long"], year=YEAR, field="income_per_capita").value != Decimal("40")


def test_one_save_writes_figure_history_audit_and_evaluation_together(world):
    unit = world["tho_long"]
    fig = Figure.objects.get(unit=unit, year=YEAR, field="income_per_capita")
    fig.source = "Báo cáo thống kê"
    fig.save()
    before_eval = Evaluation.objects.get(unit=unit, year=YEAR).computed_at
    r = login("xa").post(reverse("figure_save", args=[unit.pk, YEAR, "income_per_capita"]), {"value": "12,5"})
    assert r.status_code == 200
    fig.refresh_from_db()
    assert fig.value == Decimal("12.5") and fig.source == "Báo cáo thống kê"  # a save without a source keeps it
    change = FigureChange.objects.filter(figure=fig).latest("id")
    assert change.new_value == Decimal("12.5")
    audit = AuditEntry.objects.filter(action="figures.form").latest("id")
    assert (audit.unit_id, audit.after["value"], audit.user.username) == (unit.pk, "12.5", "xa")
    assert audit.request_id.startswith("req-")
    ev = Evaluation.objects.get(unit=unit, year=YEAR)
    assert ev.computed_at > before_eval and ev.set_code == "xa-ntm-2026" and ev.set_version == 1
    # the same value again: no history row, no audit entry
    n = FigureChange.objects.count(), AuditEntry.objects.count()
    login("xa").post(reverse("figure_save", args=[unit.pk, YEAR, "income_per_capita"]), {"value": "12,50"})
    assert (FigureChange.objects.count(), AuditEntry.objects.count()) == n


def test_a_refused_form_value_writes_nothing_and_keeps_what_was_typed(world):
    unit = world["tho_long"]
    before = counts()
    r = login("xa").post(reverse("figure_save", args=[unit.pk, YEAR, "income_per_capita"]), {"value": "abc"})
    assert r.status_code == 422 and "không phải là số" in r.content.decode() and 'value="abc"' in r.content.decode()
    assert counts() == before


def test_cli_set_show_and_level_change_rows(world, capsys):
    unit = world["tho_long"]
    level_before = Evaluation.objects.get(unit=unit, year=YEAR).level
    call_command("figures", "set", "--unit", "15505", "--year", str(YEAR), "--field", "income_per_capita",
                 "--value", "0", "--as", "xa", "--format", "json")
    assert json.loads(capsys.readouterr().out)["changed"] == 1
    call_command("figures", "show", "--unit", "15505", "--year", str(YEAR), "--format", "json")
    shown = json.loads(capsys.readouterr().out)
    assert shown["unit"] == "15505" and {"field": "income_per_capita", "value": 0, "source": ""} in shown["figures"]
    assert AuditEntry.objects.filter(action="figures.cli").latest("id").request_id.startswith("cli-")
    if level_before:
        change = LevelChange.objects.filter(unit=unit, year=YEAR).latest("id")
        assert (change.from_level, change.to_level, change.reason) == (level_before, "", "figures")


def test_cli_refuses_without_a_known_user_and_outside_scope(world):
    with pytest.raises(CommandError, match="Cần --as"):
        call_command("figures", "set", "--unit", "15505", "--year", str(YEAR), "--field", "income_per_capita", "--value", "1")
    with pytest.raises(CommandError, match="không có quyền"):
        call_command("figures", "set", "--unit", "00004", "--year", str(YEAR), "--field", "income_per_capita",
                     "--value", "1", "--as", "xa")


def test_period_command(world, capsys):
    call_command("period", "close", "--province", "38", "--year", "2026", "--as", "tinh", "--format", "json")
    assert json.loads(capsys.readouterr().out)["closed"] is True
    with pytest.raises(CommandError, match="lý do"):
        call_command("period", "reopen", "--province", "38", "--year", "2026", "--as", "admin")
    call_command("period", "reopen", "--province", "38", "--year", "2026", "--reason", "bổ sung", "--as", "admin")
    assert not Period.is_closed(world["tho_long"], 2026)

"""A closed year stays closed at every door, for legacy units too (shared case lock-bypass-legacy-2025);
an upload of a stale template shows its conflicts and does not revert what others entered."""

from __future__ import annotations

import html
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from ntm.accounts.models import AuditEntry
from ntm.figures.models import Figure, FigureChange
from ntm.figures.services import set_figure, set_period
from ntm.testing import YEAR, login
from ntm.units.models import Unit

from .test_corpus import confirm, counts, page_errors, post_file

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"
LOCKED = ("Xã Nam Giang: kỳ báo cáo năm 2025 của Tỉnh Thanh Hóa đã khoá, không ghi được số liệu (quản trị viên có thể "
          "mở lại kỳ, kèm lý do)")


@pytest.fixture
def closed_2025(world, settings, tmp_path):
    from django.contrib.auth import get_user_model

    settings.NTM_IMPORT_DIR = str(tmp_path)
    users = get_user_model().objects
    set_period(users.get(username="tinh"), world["province"], 2025, True)
    return Unit.objects.get(scheme=Unit.Scheme.LEGACY, level=Unit.Level.COMMUNE, code="15505")


def test_closed_year_refuses_legacy_units_on_the_province_import_page(world, closed_2025):
    admin = login("admin")
    before = counts()
    response = post_file(admin, world["province"], FILES / "lock-bypass-legacy-2025.xlsx", year=2025)
    assert response.status_code == 200
    assert page_errors(response) == [LOCKED]
    assert counts() == before


def test_closed_year_refuses_legacy_units_on_the_command_line(world, closed_2025):
    out = io.StringIO()
    before = counts()
    with pytest.raises(CommandError):
        call_command("figures", "import", str(FILES / "lock-bypass-legacy-2025.xlsx"), "--as", "admin", "--format", "json",
                     stdout=out)
    assert json.loads(out.getvalue())["errors"] == [LOCKED]
    assert counts() == before


def test_closed_year_refuses_legacy_units_in_the_form(world, closed_2025):
    before = counts()
    r = login("admin").post(reverse("figure_save", args=[closed_2025.pk, 2025, "income_per_capita"]), {"value": "77,7"})
    assert r.status_code == 422 and "kỳ báo cáo năm 2025 của Tỉnh Thanh Hóa đã khoá" in html.unescape(r.content.decode())
    assert counts() == before


def _template(client, unit):
    r = client.get(reverse("figure_import", args=[unit.pk, YEAR]), {"template": "1"})
    return load_workbook(io.BytesIO(r.content))


def _save(client, unit, wb):
    from django.core.files.uploadedfile import SimpleUploadedFile

    out = io.BytesIO()
    wb.save(out)
    f = SimpleUploadedFile("so-lieu.xlsx", out.getvalue())
    return client.post(reverse("figure_import", args=[unit.pk, YEAR]), {"file": f, "source": "Báo cáo tỉnh"})


def _cell(ws, code, field):
    col = next(c.column for c in ws[2] if c.value == field)
    row = next(r[0].row for r in ws.iter_rows(min_row=3) if str(r[0].value) == code)
    return ws.cell(row, col)


def test_a_stale_template_shows_conflicts_and_keeps_newer_values(world, settings, tmp_path):
    from django.contrib.auth import get_user_model

    settings.NTM_IMPORT_DIR = str(tmp_path)
    tho_long, province = world["tho_long"], world["province"]
    tinh = login("tinh")
    wb = _template(tinh, province)  # downloaded now…
    ws = wb["Số liệu 2026"]
    xa = get_user_model().objects.get(username="xa")
    # …then the commune enters two values that afternoon
    set_figure(tho_long, YEAR, "income_per_capita", "88,8", user=xa)
    set_figure(tho_long, YEAR, "km_commune_roads_total", "95", user=xa)
    # the province edits one of those cells in its old copy, and another cell nobody else touched
    _cell(ws, "15505", "km_commune_roads_total").value = 96
    old_pop = Figure.objects.get(unit=tho_long, year=YEAR, field="population_total").value
    _cell(ws, "15505", "population_total").value = int(old_pop) + 10
    before = counts()
    preview = _save(tinh, province, wb)
    body = html.unescape(preview.content.decode())
    assert counts() == before
    conflicts = re.search(r'data-testid="import-conflicts">(.*?)</table>', body, re.S).group(1)
    assert "Thu nhập bình quân đầu người khu vực nông thôn" in conflicts and "88,8" in conflicts and "xa" in conflicts
    assert "giữ giá trị mới (bạn không sửa ô này)" in conflicts  # income: untouched in the file
    assert "chỉ ghi nếu chọn ghi đè" in conflicts  # km: both edited
    assert re.search(r"\d+ ô sẽ thay đổi, \d+ ô không đổi, 2 ô xung đột\.", body)
    # confirmed without "ghi đè": the commune's values stay, the province's other change is written
    assert confirm(tinh, province, preview).status_code == 302
    value = {f: Figure.objects.get(unit=tho_long, year=YEAR, field=f).value
             for f in ("income_per_capita", "km_commune_roads_total", "population_total")}
    assert value == {"income_per_capita": Decimal("88.8"), "km_commune_roads_total": Decimal("95"),
                     "population_total": old_pop + 10}
    assert FigureChange.objects.filter(figure__unit=tho_long, figure__field="population_total",
                                       changed_by__username="tinh").exists()
    assert AuditEntry.objects.count() > before[2]


def test_overwrite_writes_the_cells_both_edited(world, settings, tmp_path):
    from django.contrib.auth import get_user_model

    settings.NTM_IMPORT_DIR = str(tmp_path)
    tho_long, province = world["tho_long"], world["province"]
    tinh = login("tinh")
    wb = _template(tinh, province)
    set_figure(tho_long, YEAR, "km_commune_roads_total", "95", user=get_user_model().objects.get(username="xa"))
    _cell(wb["Số liệu 2026"], "15505", "km_commune_roads_total").value = 96
    preview = _save(tinh, province, wb)
    assert confirm(tinh, province, preview, overwrite="1").status_code == 302
    assert Figure.objects.get(unit=tho_long, year=YEAR, field="km_commune_roads_total").value == 96


def test_a_change_between_preview_and_confirm_asks_again(world, settings, tmp_path):
    from django.contrib.auth import get_user_model

    settings.NTM_IMPORT_DIR = str(tmp_path)
    tho_long = world["tho_long"]
    xa = login("xa")
    wb = _template(xa, tho_long)
    _cell(wb["Số liệu 2026"], "15505", "income_per_capita").value = 123.4
    preview = _save(xa, tho_long, wb)
    set_figure(tho_long, YEAR, "income_per_capita", "99", user=get_user_model().objects.get(username="tinh"))
    before = counts()
    again = confirm(xa, tho_long, preview)
    assert again.status_code == 200 and "Số liệu đã thay đổi từ lúc xem trước" in again.content.decode()
    assert counts() == before

"""Excel import with real files: the template round-trips; any bad cell writes nothing."""

import html
import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from ntm.evaluations.models import Evaluation
from ntm.figures.models import Figure, FigureChange
from ntm.testing import YEAR, login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


WORLD_COMMUNES = 4


pytestmark = pytest.mark.django_db



def template(client, unit):
    r = client.get(reverse("figure_import", args=[unit.pk, YEAR]), {"template": "1"})
    assert r["Content-Type"] == XLSX
    return load_workbook(BytesIO(r.content))


def upload(client, unit, wb):
    out = BytesIO()
    wb.save(out)
    f = SimpleUploadedFile("so-lieu.xlsx", out.getvalue(), content_type=XLSX)
    return client.post(reverse("figure_import", args=[unit.pk, YEAR]), {"file": f, "source": "Báo cáo năm"})


def confirm(client, unit, preview, **extra):
    """Post the preview's confirmation form (token and digest from its hidden inputs)."""
    body = preview.content.decode()
    assert preview.status_code == 200 and 'data-testid="import-preview"' in body, body[:3000]
    token = re.search(r'name="token" value="([^"]+)"', body).group(1)
    digest = re.search(r'name="digest" value="([^"]+)"', body).group(1)
    return client.post(reverse("figure_import", args=[unit.pk, YEAR]), {"token": token, "digest": digest, **extra})


def column_of(ws, field):
    return next(c.column for c in ws[2] if c.value == field)


def row_of(ws, code):
    return next(r[0].row for r in ws.iter_rows(min_row=3) if str(r[0].value) == code)


def test_template_lists_the_communes_with_current_figures(world):
    ws = template(login("tinh"), world["province"])["Số liệu 2026"]
    assert ws["A2"].value == "code" and "households_total" in [c.value for c in ws[2]]
    codes = [str(r[0].value) for r in ws.iter_rows(min_row=3)]
    assert "15505" in codes and len(codes) == 147
    r = row_of(ws, "15505")
    assert ws.cell(r, column_of(ws, "households_total")).value == Figure.objects.get(
        unit=world["tho_long"], year=YEAR, field="households_total").value


def test_a_good_file_writes_everything_and_updates_results(world):
    client = login("xa")
    wb = template(client, world["tho_long"])
    ws = wb["Số liệu 2026"]
    r = row_of(ws, "15505")
    ws.cell(r, column_of(ws, "income_per_capita")).value = 321.5
    ws.cell(r, column_of(ws, "households_total")).value = "1.950"  # typed as Vietnamese text
    preview = upload(client, world["tho_long"], wb)
    assert not Figure.objects.filter(unit=world["tho_long"], year=YEAR, field="income_per_capita", value=321.5).exists()
    body = preview.content.decode()
    assert "321,5" in body and "chưa ghi gì" in body.lower() or "Xem trước" in body
    response = confirm(client, world["tho_long"], preview)
    assert response.status_code == 302
    fig = Figure.objects.get(unit=world["tho_long"], year=YEAR, field="income_per_capita")
    assert float(fig.value) == 321.5 and fig.source == "Báo cáo năm"
    assert float(Figure.objects.get(unit=world["tho_long"], year=YEAR, field="households_total").value) == 1950
    assert FigureChange.objects.filter(figure=fig, comment="Nhập từ Excel", changed_by__username="xa").exists()
    assert Evaluation.objects.get(unit=world["tho_long"], year=YEAR).computed_at is not None


def test_one_bad_cell_writes_nothing_and_names_row_and_column(world):
    client = login("tinh")
    wb = template(client, world["province"])
    ws = wb["Số liệu 2026"]
    r = row_of(ws, "15505")
    income = column_of(ws, "income_per_capita")
    ws.cell(r, income).value = 555
    ws.cell(r + 1, income).value = "nhiều"
    ws.cell(ws.max_row + 1, 1).value = "00004"  # Phường Ba Đình (Hà Nội): outside the grant
    before = list(Figure.objects.filter(year=YEAR).values_list("unit_id", "field", "value"))
    response = upload(client, world["province"], wb)
    body = response.content.decode()
    assert response.status_code == 200 and "chưa ghi gì" in body
    letter = ws.cell(r + 1, income).column_letter
    assert f"dòng {r + 1}, cột {letter}" in body and "không phải là số" in body
    assert "mã đơn vị “00004”" in body
    assert list(Figure.objects.filter(year=YEAR).values_list("unit_id", "field", "value")) == before


def test_not_an_excel_file(world):
    client = login("xa")
    f = SimpleUploadedFile("x.xlsx", b"not a zip", content_type=XLSX)
    r = client.post(reverse("figure_import", args=[world["tho_long"].pk, YEAR]), {"file": f, "source": "x"})
    assert "không phải bảng tính Excel" in r.content.decode()


def test_commune_official_cannot_import_for_the_province(world):
    assert login("xa").get(reverse("figure_import", args=[world["province"].pk, YEAR])).status_code == 404
    assert login("xem").get(reverse("figure_import", args=[world["tho_long"].pk, YEAR])).status_code == 403


def test_derived_field_is_not_offered_and_refused_when_typed(world):
    """OCOP products are counted from the register (ocop registers the field as derived): the template
    has no column for it, and a column added by hand is refused by sheet, row and column."""
    client = login("xa")
    wb = template(client, world["tho_long"])
    ws = wb["Số liệu 2026"]
    assert "ocop_products_rated" not in [c.value for c in ws[2]]
    col = ws.max_column + 1
    ws.cell(1, col).value, ws.cell(2, col).value = "Số sản phẩm OCOP", "ocop_products_rated"
    r = row_of(ws, "15505")
    ws.cell(r, col).value = 7
    before = list(Figure.objects.filter(year=YEAR).values_list("unit_id", "field", "value"))
    body = upload(client, world["tho_long"], wb).content.decode()
    letter = ws.cell(r, col).column_letter
    assert f"dòng {r}, cột {letter}" in body
    assert "không nhập tay — số này tính tự động từ sổ sản phẩm OCOP" in body
    assert list(Figure.objects.filter(year=YEAR).values_list("unit_id", "field", "value")) == before


@pytest.mark.parametrize("ahead", [True, False], ids=["figures-read-beside-the-file", "figures-read-after"])
def test_the_confirmation_reads_the_file_once_and_audits_each_unit(world, monkeypatch, ahead):
    """Preview, then confirm: the confirmation parses the upload once and reads (and locks) the figures
    once — beside the file on a background thread, or after it when the page has more units than
    AHEAD_UNITS; each commune written gets one audit entry naming every changed cell with its value
    before and after; each cell a history row."""
    from ntm.accounts.models import AuditEntry
    from ntm.figures import excel, imports

    if not ahead:
        monkeypatch.setattr(imports, "AHEAD_UNITS", 0)

    client = login("tinh")
    wb = template(client, world["province"])
    ws = wb["Số liệu 2026"]
    income, roads = column_of(ws, "income_per_capita"), column_of(ws, "km_commune_roads_total")
    a, b = row_of(ws, "15505"), row_of(ws, "15505") + 1
    code_b = str(ws.cell(b, 1).value)
    ws.cell(a, income).value, ws.cell(a, roads).value, ws.cell(b, income).value = 61.5, 4200, 77.25
    preview = upload(client, world["province"], wb)
    reads = []
    real = excel.read_sheet
    monkeypatch.setattr(excel, "read_sheet", lambda *args, **kw: reads.append(1) or real(*args, **kw))
    standing, read_standing = [], imports.read_standing
    monkeypatch.setattr(imports, "read_standing", lambda *args, **kw: standing.append(kw) or read_standing(*args, **kw))
    history = FigureChange.objects.count()
    done = confirm(client, world["province"], preview)
    assert done.status_code == 302
    told = re.search(r"Đã ghi 3 ô thay đổi của 2 đơn vị \(([\d.]+) ô không đổi\); kết quả đã cập nhật\.",
                     client.get(done.url).content.decode())
    # the count written as the preview wrote it (grouped by the locale: 10.690, not 10690)
    assert told.group(1) == re.search(r"([\d.]+) ô không đổi,", preview.content.decode()).group(1)
    assert len(reads) == 1
    assert [kw["lock"] for kw in standing] == [True] and ("cursor" in standing[0]) is ahead
    assert FigureChange.objects.count() == history + 3
    entries = {e.unit.code: e for e in AuditEntry.objects.filter(action="figures.excel").select_related("unit")}
    assert set(entries) == {"15505", code_b}
    assert entries["15505"].after == {"income_per_capita": "61.5", "km_commune_roads_total": "4200", "source": "Báo cáo năm"}
    assert set(entries["15505"].before) == {"income_per_capita", "km_commune_roads_total"}
    assert entries[code_b].object_repr.endswith("2026 income_per_capita")  # one cell: the figure itself
    assert entries[code_b].after == {"value": "77.25", "source": "Báo cáo năm"}
    # the unit's audit page (Nhật ký thay đổi) shows the import's entry with each cell before and after
    page = html.unescape(login("xa").get(reverse("audit_log", args=[world["tho_long"].pk]),
                                         {"action": "figures.excel"}).content.decode())
    row = re.search(r"<tr>(?:(?!</tr>).)*Xã Thọ Long 2026: 2 số liệu.*?</tr>", page, re.S).group(0)
    assert "income_per_capita: 61.5" in row and "km_commune_roads_total: 4200" in row and "tinh" in row
    before = entries["15505"].before
    assert f"income_per_capita: {before['income_per_capita']}" in row


@pytest.mark.parametrize("behind_from", [500, 1])
def test_a_confirmation_that_would_write_other_changes_is_rolled_back(world, monkeypatch, behind_from):
    """Between preview and confirmation someone changes a cell the upload also edits: the confirmation
    writes the other cells, sees the changes differ from the preview's, and rolls everything back —
    also when the check runs while the rows are being written on the background thread (behind_from=1:
    every write goes through `core.bulk.behind`, as a province's import does)."""
    from django.contrib.auth.models import User

    from ntm.accounts.models import AuditEntry
    from ntm.figures import services
    from ntm.figures.services import set_figure

    monkeypatch.setattr(services, "BEHIND_FROM", behind_from)

    client = login("tinh")
    wb = template(client, world["province"])
    ws = wb["Số liệu 2026"]
    r = row_of(ws, "15505")
    ws.cell(r, column_of(ws, "income_per_capita")).value = 61.5
    ws.cell(r, column_of(ws, "km_commune_roads_total")).value = 4200
    preview = upload(client, world["province"], wb)
    set_figure(world["tho_long"], YEAR, "km_commune_roads_total", "4300", user=User.objects.get(username="xa"))
    state = (list(Figure.objects.filter(year=YEAR).order_by("id").values_list("value", flat=True)),
             FigureChange.objects.count(), AuditEntry.objects.count(),
             list(Evaluation.objects.filter(year=YEAR).order_by("id").values_list("computed_at", flat=True)))
    again = confirm(client, world["province"], preview)
    assert again.status_code == 200 and "Số liệu đã thay đổi từ lúc xem trước" in again.content.decode()
    assert (list(Figure.objects.filter(year=YEAR).order_by("id").values_list("value", flat=True)),
            FigureChange.objects.count(), AuditEntry.objects.count(),
            list(Evaluation.objects.filter(year=YEAR).order_by("id").values_list("computed_at", flat=True))) == state

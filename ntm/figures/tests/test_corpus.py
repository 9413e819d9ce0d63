"""The malformed-workbook corpus (files/, built by files/make_corpus.py, with /work/shared/cases/
copied in): every file through the import page and through `manage.py figures import`, each with
its exact message, and nothing written (figures, their history, the audit log)."""

from __future__ import annotations

import html
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from ntm.accounts.models import AuditEntry
from ntm.figures.models import Figure, FigureChange
from ntm.testing import YEAR, login

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"

C3 = "Trang “Số liệu 2026”, dòng 3, cột C"
KM = "Tổng chiều dài đường xã (kể cả đường từ trung tâm xã đến đường huyện)"
NAN = "không phải là số (ví dụ hợp lệ: 12,5 hoặc 1.234)"
DAMAGED = ("Tệp Excel bị hỏng hoặc không trọn vẹn (có thể bị cắt khi sao chép hay tải lên){}: hãy mở tệp bằng Excel, "
           "lưu lại (dạng .xlsx) rồi tải lên lần nữa")
INCOME_DONG = (f"{C3}: Thu nhập bình quân đầu người khu vực nông thôn: Giá trị quá lớn: 33.500.000 vượt mức hợp lý tối "
               "đa 1.000 (đơn vị: triệu đồng/người/năm); có phải đã ghi theo đồng? Trường này tính bằng triệu "
               "đồng/người/năm")

# file → every message the import gives for it (in order), for Xã Thọ Long's official, year 2026.
CASES: dict[str, list[str]] = {
    # shared cases (../shared/cases/README.md)
    "nan-text-2026.xlsx": [f"{C3}: {KM}: “NaN” {NAN}"],
    "exponent-text-2026.xlsx": [f"{C3}: {KM}: Giá trị quá lớn: 1e30 vượt mức hợp lý tối đa 10.000 (đơn vị: km)"],
    "income-in-dong-2026.xlsx": [INCOME_DONG],
    "code-name-mismatch-2026.xlsx": ["Trang “Số liệu 2026”, dòng 3, cột B: tên “Xã Xuân Lập” không khớp mã 15505 "
                                     "(Xã Thọ Long) — kiểm tra lại mã đơn vị hoặc tên, chưa ghi gì"],
    "duplicate-field-columns-2026.xlsx": [f"Trang “Số liệu 2026”, dòng 2: trường “km_commune_roads_total” ({KM}) có ở "
                                          "hai cột C và D — mỗi trường chỉ một cột; hãy xoá một cột"],
    "formula-without-value-2026.xlsx": [
        "Trang “Số liệu 2026”, dòng 3, cột D (Chiều dài đường xã được nhựa hóa hoặc bê tông hóa, ô tô đi lại thuận tiện "
        "quanh năm): ô có công thức “=C3-5” nhưng chưa có giá trị tính sẵn — hãy mở tệp bằng Excel và lưu lại (để công "
        "thức được tính) rồi tải lên"],
    "truncated-sheet-xml.xlsx": [DAMAGED.format(" (trang “Số liệu 2026”: phần XML bị cắt hoặc sai cú pháp)")],
    # numbers
    "nan-typed-infinity.xlsx": [f"{C3}: {KM}: “Infinity” {NAN}"],
    "number-minus-infinity.xlsx": [f"{C3}: {KM}: “-Infinity” {NAN}"],
    "number-small-exponent.xlsx": [f"{C3}: {KM}: “1e2” {NAN}"],
    "number-underscore.xlsx": [f"{C3}: {KM}: “1_000” {NAN}"],
    "number-fullwidth-digits.xlsx": [f"{C3}: {KM}: “１２” {NAN}"],
    "number-arabic-indic-digits.xlsx": [f"{C3}: {KM}: “١٢” {NAN}"],
    "number-boolean-cell.xlsx": [f"{C3}: {KM}: “TRUE” {NAN}"],
    "number-words.xlsx": [f"{C3}: {KM}: “hai mươi” {NAN}"],
    "number-17-digits.xlsx": [f"{C3}: {KM}: Giá trị quá lớn: 12.345.678.901.234.570 vượt mức hợp lý tối đa 10.000 (đơn vị: km)"],
    "number-20-digit-text.xlsx": [f"{C3}: {KM}: Giá trị quá lớn: 12345678901234567890 vượt mức hợp lý tối đa 10.000 (đơn vị: km)"],
    "income-in-dong-number-cell.xlsx": [INCOME_DONG],
    "number-negative.xlsx": [f"{C3}: {KM}: Giá trị không được âm"],
    "percent-over-100.xlsx": [f"{C3}: Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận và giải quyết trực tuyến: Tỷ lệ không "
                              "được vượt quá 100%"],
    "count-with-decimals.xlsx": [f"{C3}: Tổng số hộ: Phải là số nguyên"],
    "number-ambiguous-dot.xlsx": [f"{C3}: {KM}: “1.234” có thể là 1.234 hoặc 1,234 (đơn vị: km): hãy viết 1234 (không dấu "
                                  "chấm) hoặc 1,234 (dấu phẩy thập phân)"],
    "bool-given-a-number.xlsx": [f"{C3}: Có quy hoạch chung xây dựng xã còn thời hạn/được rà soát, điều chỉnh, công bố theo "
                                 "quy định: “5”: chọn Đạt hoặc Không (ghi 1 hoặc 0)"],
    "number-date-cell.xlsx": [f"{C3} ({KM}): ô dạng ngày giờ (2026-03-05 00:00:00) không phải là số — đặt định dạng ô là "
                              "Số (Number)"],
    "number-excel-error-value.xlsx": [f"{C3} ({KM}): ô báo lỗi công thức #DIV/0! — sửa công thức trong Excel"],
    "percent-format-on-km.xlsx": [f"{C3} ({KM}): ô định dạng phần trăm (hiển thị 50%) nhưng trường tính bằng km: hãy ghi "
                                  "số theo đơn vị km và bỏ định dạng %"],
    # cross-field rules (errors)
    "working-age-above-population.xlsx": ["Trang “Số liệu 2026”, dòng 3, cột D: Dân số trong độ tuổi lao động có khả "
                                          "năng lao động: Không được lớn hơn “Dân số” (5.000)"],
    "households-above-population.xlsx": ["Trang “Số liệu 2026”, dòng 3, cột D: Tổng số hộ: Không được lớn hơn “Dân số” "
                                         "(3.000): mỗi hộ có ít nhất một người"],
    # the sheet
    "wrong-year-sheet.xlsx": ["Không có trang “Số liệu 2026” (các trang: Số liệu 2025). Hãy dùng tệp mẫu của năm 2026."],
    "no-code-header.xlsx": ["Trang “Số liệu 2026”, dòng 2, cột A: cần “code” (dòng 2 ghi mã trường; hãy dùng tệp mẫu)"],
    "unknown-field-column.xlsx": ["Trang “Số liệu 2026”, dòng 2, cột C: “no_such_field” không phải trường số liệu của năm 2026"],
    "unknown-unit-code.xlsx": ["Trang “Số liệu 2026”, dòng 3, cột A: mã đơn vị “99999” không có hoặc bạn không được nhập "
                               "cho đơn vị này"],
    "unit-row-twice.xlsx": ["Trang “Số liệu 2026”, dòng 4, cột A: đơn vị “15505” đã có ở dòng 3"],
    "too-many-rows.xlsx": ["Trang “Số liệu 2026” có hơn 5.000 dòng số liệu (tối đa 5.000): hãy chia thành nhiều tệp"],
    # the file
    "xls-old-format.xls": ["Tệp là bảng tính Excel 97–2003 (.xls) hoặc tệp có mật khẩu: NTM chỉ đọc .xlsx — hãy mở bằng "
                           "Excel, bỏ mật khẩu nếu có, chọn Lưu thành → Excel Workbook (.xlsx) rồi tải lên"],
    "csv-renamed.csv": ["Tệp là văn bản (CSV), không phải bảng tính Excel (.xlsx): hãy mở bằng Excel, chọn Lưu thành → "
                        "Excel Workbook (.xlsx), hoặc điền vào tệp mẫu tải từ trang này"],
    "random-bytes.xlsx": ["Tệp không phải bảng tính Excel (.xlsx) đọc được: hãy dùng tệp mẫu tải từ trang này"],
    "zip-without-workbook.xlsx": ["Tệp nén không phải bảng tính Excel (.xlsx) (thiếu phần xl/workbook.xml): hãy dùng tệp "
                                  "mẫu tải từ trang này"],
    "zip-cut-in-half.xlsx": [DAMAGED.format("")],
    "xml-entities.xlsx": ["Tệp có khai báo DOCTYPE/ENTITY trong phần “xl/worksheets/sheet1.xml”: Excel không tạo ra loại "
                          "tệp này và NTM không đọc nó — hãy mở bằng Excel, lưu lại rồi tải lên"],
    "zip-bomb.xlsx": ["Tệp giải nén ra 70 MB (tối đa 60 MB): quá lớn cho một tệp số liệu — hãy chỉ giữ trang số liệu của "
                      "năm và tải lên lại"],
}

# The command line reads every "Số liệu YYYY" sheet of a file, so a sheet of another year is read
# for that year (for units the user may edit then) rather than refused as missing.
NOT_ON_CLI = {"wrong-year-sheet.xlsx"}


@pytest.fixture
def blank(world, settings, tmp_path):
    """Xã Thọ Long without 2026 figures (so only the file's own cells are checked), uploads staged in tmp."""
    settings.NTM_IMPORT_DIR = str(tmp_path)
    Figure.objects.filter(unit=world["tho_long"], year=YEAR).delete()
    return world["tho_long"]


def counts() -> tuple[int, int, int]:
    return Figure.objects.count(), FigureChange.objects.count(), AuditEntry.objects.count()


def post_file(client, unit, path: Path, year: int = YEAR):
    f = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(reverse("figure_import", args=[unit.pk, year]), {"file": f, "source": "Tệp thử"})


def page_errors(response) -> list[str]:
    body = html.unescape(response.content.decode())
    block = re.search(r'data-testid="import-errors">(.*?)</ul>', body, re.S)
    return [re.sub(r"\s+", " ", e).strip() for e in re.findall(r'<li class="list-group-item">(.*?)</li>', block.group(1), re.S)] if block else []


def cli(path: Path, user: str, *extra: str) -> tuple[dict, bool]:
    out = io.StringIO()
    try:
        call_command("figures", "import", str(path), "--as", user, "--format", "json", *extra, stdout=out)
        failed = False
    except CommandError:
        failed = True
    return json.loads(out.getvalue()), failed


def test_the_corpus_is_complete():
    shared = Path("/work/shared/cases")
    names = {p.name for p in FILES.iterdir() if p.suffix != ".py"}
    assert len(CASES) >= 30 and set(CASES) <= names
    if shared.is_dir():
        assert {p.name for p in shared.glob("*.xlsx")} <= names


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_bad_file_is_refused_with_its_message_and_writes_nothing(blank, name):
    client = login("xa")
    before = counts()
    response = post_file(client, blank, FILES / name)
    assert response.status_code == 200
    assert page_errors(response) == CASES[name]
    assert "chưa ghi gì" in response.content.decode()
    token = re.search(r"\?marked=([\w-]+)", response.content.decode())
    if token:  # even a forged confirmation of a refused file writes nothing
        client.post(reverse("figure_import", args=[blank.pk, YEAR]), {"token": token.group(1), "digest": "x"})
    assert counts() == before


@pytest.mark.parametrize("name", sorted(set(CASES) - NOT_ON_CLI))
def test_the_command_line_gives_the_same_messages(blank, name):
    before = counts()
    out, failed = cli(FILES / name, "xa")
    assert failed and out["errors"] == CASES[name]
    assert counts() == before


def confirm(client, unit, preview, **extra):
    body = preview.content.decode()
    assert 'data-testid="import-preview"' in body, page_errors(preview)
    token = re.search(r'name="token" value="([^"]+)"', body).group(1)
    digest = re.search(r'name="digest" value="([^"]+)"', body).group(1)
    return client.post(reverse("figure_import", args=[unit.pk, YEAR]), {"token": token, "digest": digest, **extra})


@pytest.mark.parametrize("name, field, value", [
    ("percent-format-2026.xlsx", "online_admin_procedures_pct", Decimal("75")),  # shown 75%, holds 0,75
    ("ok-zero-point-750-km.xlsx", "km_commune_roads_total", Decimal("0.75")),  # a leading zero: a decimal point
    ("ok-dot-thousands-count.xlsx", "households_total", Decimal("1234")),  # a count cannot be 1,234
])
def test_number_formats_are_read_as_shown(blank, name, field, value):
    client = login("xa")
    before = counts()
    preview = post_file(client, blank, FILES / name)
    assert counts() == before  # the preview writes nothing
    assert confirm(client, blank, preview).status_code == 302
    assert Figure.objects.get(unit=blank, year=YEAR, field=field).value == value


def test_a_warning_is_confirmed_before_it_is_written(blank):
    client = login("xa")
    preview = post_file(client, blank, FILES / "workers-above-working-age-warning.xlsx")
    body = html.unescape(preview.content.decode())
    assert ("Trang “Số liệu 2026”, dòng 3, cột E: Số lao động có việc làm: Không được lớn hơn “Dân số trong độ tuổi lao "
            "động có khả năng lao động” (3.000): số lao động có việc làm thường không vượt dân số trong độ tuổi lao động") in body
    before = counts()
    again = confirm(client, blank, preview)
    assert again.status_code == 200 and "Cần xác nhận các cảnh báo trước khi ghi." in again.content.decode()
    assert counts() == before
    assert confirm(client, blank, preview, confirm_warnings="1").status_code == 302
    assert Figure.objects.get(unit=blank, year=YEAR, field="workers_total").value == 3200


def test_cli_warnings_need_confirm(blank):
    path = FILES / "workers-above-working-age-warning.xlsx"
    before = counts()
    out, failed = cli(path, "xa")
    assert failed and out["errors"][-1] == "Có cảnh báo: xem lại rồi chạy lại với --confirm để vẫn ghi"
    assert counts() == before
    out, failed = cli(path, "xa", "--confirm")
    assert not failed and out["changed"] == 3


def test_marked_workbook_shows_each_bad_cell(blank):
    from openpyxl import load_workbook

    client = login("xa")
    response = post_file(client, blank, FILES / "formula-without-value-2026.xlsx")
    token = re.search(r"\?marked=([\w-]+)", response.content.decode()).group(1)
    marked = client.get(reverse("figure_import", args=[blank.pk, YEAR]), {"marked": token})
    ws = load_workbook(io.BytesIO(marked.content))["Số liệu 2026"]
    assert ws["D3"].fill.fgColor.rgb.endswith("FFC9C9") and "chưa có giá trị tính sẵn" in ws["D3"].comment.text
    assert ws["C3"].comment is None
    # the write path's reasons are marked on their cells too
    response = post_file(client, blank, FILES / "working-age-above-population.xlsx")
    token = re.search(r"\?marked=([\w-]+)", response.content.decode()).group(1)
    ws = load_workbook(io.BytesIO(client.get(reverse("figure_import", args=[blank.pk, YEAR]), {"marked": token}).content))["Số liệu 2026"]
    assert "Không được lớn hơn “Dân số” (5.000)" in ws["D3"].comment.text
    # another user cannot fetch it
    assert login("tinh").get(reverse("figure_import", args=[blank.pk, YEAR]), {"marked": token}).status_code == 404

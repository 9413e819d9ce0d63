"""The two readers of an uploaded workbook (ntm.figures.excel): calamine for plain workbooks, openpyxl
for the rest. Each file — the malformed corpus, a province template, and workbooks written here with
openpyxl holding every kind of cell — gives the same reading (cells, problems and their messages,
rows, the `_ntm` sheet) both ways; `survey` sends every workbook calamine would read differently to
openpyxl. No database: reading is ORM-free."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from ntm.criteria.spec import FieldDef
from ntm.figures import excel

FILES = Path(__file__).parent / "files"
YEAR = 2026
FIELDS = ("km_commune_roads_total", "population_total", "households_total", "income_per_capita", "has_plan")


def _fields_units(data: bytes) -> tuple[dict, dict]:
    """Fields named in row 2 (km, a count, a yes/no…) and the units of column A, as the page gives them."""
    try:
        rows = list(load_workbook(io.BytesIO(data), read_only=True)[excel.sheet_name(YEAR)].iter_rows(values_only=True))
    except Exception:  # noqa: BLE001 — unreadable or another year: both readers refuse it the same way
        return {}, {}
    kinds = ("number", "count", "count", "number", "bool")
    fields = {str(c): FieldDef(str(c), f"Trường {c}", "km", kinds[i % len(kinds)])
              for i, c in enumerate(rows[1][2:] if len(rows) > 1 else []) if c}
    units = {}
    for r in rows[2:]:
        if r and r[0] is not None:
            code = str(r[0])
            units[code] = {"id": len(units) + 1, "code": code, "full_name": str(r[1] or ""), "name": str(r[1] or "")}
    return fields, units


def _reading(data: bytes, fast: bool):
    fields, units = _fields_units(data)
    try:
        r = excel.read_sheet(data, YEAR, fields, units, fast=fast)
    except excel.FileRefused as exc:
        return ("refused", str(exc))
    return ("read", [tuple(c) for c in r.cells], [dataclasses.astuple(p) for p in r.problems], r.rows,
            r.downloaded_at, r.originals)


def _book(rows: list[list], fmt: dict | None = None, meta: bool = True) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = excel.sheet_name(YEAR)
    ws.append(["Mã đơn vị", "Tên đơn vị", *FIELDS])
    ws.append(["code", "name", *FIELDS])
    for row in rows:
        ws.append(row)
    for (r, c), number_format in (fmt or {}).items():
        ws.cell(r, c).number_format = number_format
    if meta:
        m = wb.create_sheet(excel.META_SHEET)
        m.sheet_state = "hidden"
        m.append(["downloaded_at", "2026-11-30T08:00:00+00:00"])
        m.append(["year", YEAR])
        m.append(["code", *FIELDS])
        for row in rows:
            m.append([row[0], *row[2:]] if row else [])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rezip(data: bytes, part: str, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, change(body) if info.filename == part else body)
    return out.getvalue()


PLAIN_ROWS = [
    ["15505", "Xã Thọ Long", 12, 12.5, "1.234", "  7 ", True],
    ["15506", "Xã Xuân Lập", 0, 0.1 + 0.2, None, "", False],
    [],
    [15507, "Xã Khác", 1e20, -3, "12,5", "Đạt", 1],
    ["15508", "Xã Bốn", 123456789012345, "hai mươi", "#LỖI!", 9.75, "không"],  # text, not an Excel error
]
SHEET = "xl/worksheets/sheet1.xml"

# name → (workbook bytes, read by calamine?)
MADE: dict[str, tuple[bytes, bool]] = {
    "plain values": (_book(PLAIN_ROWS), True),
    "without the _ntm sheet": (_book(PLAIN_ROWS, meta=False), True),
    "thousands format (plain)": (_book(PLAIN_ROWS, {(3, 3): "#,##0", (3, 4): "0.00"}), True),
    "dimension smaller than the data (cut as openpyxl does)": (
        _rezip(_book(PLAIN_ROWS), SHEET, lambda b: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:D5"', b)), True),
    "a date cell": (_book([["15505", "Xã Thọ Long", dt.datetime(2026, 1, 5), 1, 2, 3, 1]]), False),
    "a date-only cell": (_book([["15505", "Xã Thọ Long", dt.date(2026, 1, 5), 1, 2, 3, 1]]), False),
    "a time cell": (_book([["15505", "Xã Thọ Long", dt.time(10, 30), 1, 2, 3, 1]]), False),
    "a percent cell": (_book([["15505", "Xã Thọ Long", 0.75, 1, 2, 3, 1]], {(3, 3): "0%"}), False),
    "a formula": (_book([["15505", "Xã Thọ Long", "=1+1", 1, 2, 3, 1]]), False),
    "a 17-digit integer (as Excel writes it)": (_rezip(_book([["15505", "Xã Thọ Long", 5, 1, 2, 3, 1]]), SHEET,
                                                       lambda b: b.replace(b"<v>5</v>", b"<v>12345678901234567</v>")), False),
    "an error value typed (openpyxl writes it as an error cell)": (_book([["15505", "Xã Thọ Long", "#DIV/0!", 1, 2, 3, 1]]),
                                                                   False),
    "an error cell": (_rezip(_book([["15505", "Xã Thọ Long", 5, 1, 2, 3, 1]]), SHEET,
                             lambda b: b.replace(b'<c r="C3" t="n"><v>5</v></c>', b'<c r="C3" t="e"><v>#N/A</v></c>')), False),
    "sheet XML cut after a row": (_rezip(_book(PLAIN_ROWS), SHEET, lambda b: b[: b.index(b"</row>", len(b) // 2) + 6]), False),
}


def test_calamine_is_installed():
    """python-calamine is a dependency: without it every upload is read (correctly, slowly) by openpyxl
    and the comparisons below compare openpyxl with itself. `make setup` installs it."""
    assert excel.CalamineWorkbook is not None, "pip install -e . (python-calamine)"


@pytest.mark.parametrize("name", sorted(p.name for p in FILES.glob("*.xls*")))
def test_the_corpus_reads_the_same_with_both_readers(name):
    data = (FILES / name).read_bytes()
    assert _reading(data, fast=True) == _reading(data, fast=False)


@pytest.mark.parametrize("name", sorted(MADE))
def test_made_workbooks_read_the_same_and_only_plain_ones_by_calamine(name):
    data, plain = MADE[name]
    fast, slow = _reading(data, fast=True), _reading(data, fast=False)
    assert fast == slow
    assert excel.survey(data).plain is plain
    if name == "an error cell":
        assert any("#N/A" in p[2] for p in fast[2])  # calamine reads an error as a blank: openpyxl reads it
    if name == "sheet XML cut after a row":
        assert fast[0] == "refused" and "phần XML bị cắt hoặc sai cú pháp" in fast[1]


def test_plain_values_are_read_as_openpyxl_gives_them():
    """Blanks, whole numbers, text with spaces, booleans, the values as downloaded: what the write path
    receives is the same (a whole number may come as 12.0 from calamine: equal, and the same Decimal)."""
    data = MADE["plain values"][0]
    kind, cells, problems, rows, stamp, originals = _reading(data, fast=True)
    assert kind == "read" and rows == 4 and stamp == dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC)
    got = {(c.code, c.field): c.raw for c in (excel.SheetCell(*c) for c in cells)}
    assert got[("15505", "km_commune_roads_total")] == 12 and got[("15505", "households_total")] == "1.234"
    assert got[("15505", "income_per_capita")] == "  7 " and got[("15505", "has_plan")] is True
    assert ("15506", "households_total") not in got and ("15506", "income_per_capita") not in got  # blanks
    assert got[("15507", "km_commune_roads_total")] == 1e20
    assert ["Trang “Số liệu 2026”, dòng 7, cột E (Trường households_total): ô báo lỗi công thức #LỖI! — sửa công "
            "thức trong Excel"] == [p[2] for p in problems]
    assert originals[("15505", "population_total")] == 12.5 and ("15506", "households_total") not in originals


def test_a_province_template_is_plain():
    rows = [[f"{15500 + i}", f"Xã {i}", *[i * 1.25 + k for k in range(len(FIELDS))]] for i in range(150)]
    data = _book(rows)
    assert excel.survey(data).plain
    assert _reading(data, fast=True) == _reading(data, fast=False)

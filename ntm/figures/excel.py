"""Excel import of figures: all-or-nothing, every error named by sheet, row, column and reason.

The template has one row per unit and one column per raw field of the year's sets (row 1: what
users read, row 2: the field code the importer reads, data from row 3)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from ntm.core.text import parse_vi_number
from ntm.criteria.spec import FieldDef

from .rules import InvalidFigure, clean_value

HEADER_ROWS = 2


@dataclass
class ImportResult:
    errors: list[str]
    written: int = 0
    unit_ids: tuple[int, ...] = ()


def sheet_name(year: int) -> str:
    return f"Số liệu {year}"


def template(year: int, fields: list[FieldDef], units: list[dict], values: dict[tuple[int, int], dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name(year)
    ws.append(["Mã đơn vị", "Tên đơn vị"] + [f"{f.name} ({f.unit})" if f.unit else f.name for f in fields])
    ws.append(["code", "name"] + [f.code for f in fields])
    for u in units:
        current = values.get((u["id"], year), {})
        ws.append([u["code"], u["full_name"]] + [current.get(f.code) for f in fields])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for cell in ws[2]:
        cell.font = Font(color="868E96", size=8)
        cell.fill = PatternFill("solid", fgColor="F1F3F5")
    ws.column_dimensions["B"].width = 28
    for i in range(len(fields)):
        ws.column_dimensions[get_column_letter(3 + i)].width = 16
    ws.freeze_panes = "C3"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def read(data: bytes, year: int, fields: dict[str, FieldDef], units_by_code: dict[str, int],
         current: dict[tuple[int, int], dict[str, float]], limits) -> tuple[dict[tuple[int, str], Decimal | None], list[str]]:
    """Parse and check everything; return the cells to write, or the list of errors."""
    try:
        wb = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        return {}, [f"Tệp không phải bảng tính Excel (.xlsx) đọc được: {exc.__class__.__name__}"]
    name = sheet_name(year)
    if name not in wb.sheetnames:
        return {}, [f"Không có trang “{name}” (các trang: {', '.join(wb.sheetnames)}). Hãy dùng tệp mẫu của năm {year}."]
    rows = list(wb[name].iter_rows(values_only=True))
    if len(rows) < HEADER_ROWS:
        return {}, [f"Trang “{name}”: thiếu dòng tiêu đề (dòng 2 ghi mã trường)"]
    codes = [str(c).strip() if c is not None else "" for c in rows[1]]
    errors: list[str] = []
    if codes[:1] != ["code"]:
        errors.append(f"Trang “{name}”, dòng 2, cột A: cần “code” (dòng 2 ghi mã trường; hãy dùng tệp mẫu)")
    columns = {}
    for i, code in enumerate(codes[2:], start=3):
        if not code:
            continue
        if code not in fields:
            errors.append(f"Trang “{name}”, dòng 2, cột {get_column_letter(i)}: “{code}” không phải trường số liệu của năm {year}")
        else:
            columns[i] = code
    cells: dict[tuple[int, str], Decimal | None] = {}
    names = {k: f.name for k, f in fields.items()}
    seen: dict[int, int] = {}
    for r, row in enumerate(rows[HEADER_ROWS:], start=HEADER_ROWS + 1):
        if row is None or all(v in (None, "") for v in row):
            continue
        code = str(row[0]).strip() if row[0] is not None else ""
        code = code[:-2] if code.endswith(".0") else code  # a code Excel turned into a number
        unit_id = units_by_code.get(code) or units_by_code.get(code.zfill(5))
        if unit_id is None:
            errors.append(f"Trang “{name}”, dòng {r}, cột A: mã đơn vị “{code}” không có hoặc bạn không được nhập cho đơn vị này")
            continue
        if unit_id in seen:
            errors.append(f"Trang “{name}”, dòng {r}, cột A: đơn vị “{code}” đã có ở dòng {seen[unit_id]}")
            continue
        seen[unit_id] = r
        row_values = dict(current.get((unit_id, year), {}))
        raw_cells = {columns[i]: row[i - 1] for i in columns if i - 1 < len(row)}
        for field, raw in raw_cells.items():  # the row's own values count for numerator ≤ denominator
            try:
                number = parse_vi_number(raw if not isinstance(raw, str) else raw.strip())
            except ValueError:
                continue  # reported below, with its row and column
            if number is not None:
                row_values[field] = float(number)
        for i, field in columns.items():
            raw = row[i - 1] if i - 1 < len(row) else None
            if raw is None or raw == "":
                continue
            under, over = limits(field)
            try:
                # numbers typed as numbers arrive as int/float; "1.234,5" typed as text arrives as str
                text = repr(raw).replace(".", ",") if isinstance(raw, float) else str(raw)
                cells[(unit_id, field)] = clean_value(text, fields[field], row_values, under, over, names)
            except InvalidFigure as exc:
                errors.append(f"Trang “{name}”, dòng {r}, cột {get_column_letter(i)} ({fields[field].name}): {exc}")
    return cells, errors

"""Commune groups by Excel: a template per province (one row per xã with its current inputs and
group), read back all-or-nothing with every error named by sheet, row and column."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

SHEET = "Nhóm xã 2026-2030"
COLUMNS = [  # (header users read, code the reader checks, kind)
    ("Mã xã", "code", "code"),
    ("Tên xã", "name", "text"),
    ("Giáp đô thị hiện hữu, định hướng lên đô thị (có/không)", "adjacent_urban", "bool"),
    ("Tỷ trọng nông nghiệp trong cơ cấu kinh tế (%)", "agriculture_share", "percent"),
    ("Được quy hoạch là đô thị mới (có/không)", "new_urban_area", "bool"),
    ("Khu vực vùng DTTS và miền núi (I, II, III hoặc để trống)", "ethnic_area", "area"),
    ("Nhóm do tỉnh xác định (để trống = theo dữ kiện)", "group", "group"),
    ("Căn cứ (số quyết định)", "source", "text"),
]
MAX_ROWS = 5000
YES, NO = {"có", "co", "x", "1", "true", "yes"}, {"không", "khong", "0", "false", "no", ""}


@dataclass
class Row:
    code: str
    inputs: dict[str, Any]
    group: int | None
    source: str
    where: str


def template(rows: list[dict]) -> bytes:
    """rows: [{"code", "name", "inputs": {...}, "group": int|None, "source"}]."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([c[0] for c in COLUMNS])
    ws.append([c[1] for c in COLUMNS])
    for r in rows:
        i = r.get("inputs") or {}
        ws.append([r["code"], r["name"], _yes(i.get("adjacent_urban")), i.get("agriculture_share"),
                   _yes(i.get("new_urban_area")), i.get("ethnic_area") or "", r.get("group"), r.get("source") or ""])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.row_dimensions[2].hidden = True  # the codes the reader checks; users read row 1
    for i in range(len(COLUMNS)):
        ws.column_dimensions[get_column_letter(i + 1)].width = 22
    ws.freeze_panes = "C3"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _yes(value) -> str:
    return "có" if value else ("không" if value is not None else "")


def read(data: bytes) -> tuple[list[Row], list[str]]:
    """Every row, or every error (Vietnamese, naming sheet/row/column). Nothing is written here."""
    try:
        wb = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError):
        return [], ["Tệp không phải bảng tính Excel (.xlsx) đọc được; hãy mở và lưu lại bằng Excel rồi tải lên"]
    if SHEET not in wb.sheetnames:
        return [], [f"Không có trang “{SHEET}”: hãy dùng tệp mẫu tải từ trang phân nhóm xã"]
    rows_out: list[Row] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for r, row in enumerate(wb[SHEET].iter_rows(values_only=True), start=1):
        if r == 2:
            codes = [str(v or "").strip() for v in row[: len(COLUMNS)]]
            if codes != [c[1] for c in COLUMNS]:
                return [], [f"Trang “{SHEET}”, dòng 2: các cột không đúng mẫu (cần {', '.join(c[1] for c in COLUMNS)})"]
            continue
        if r < 3 or row is None or all(v in (None, "") for v in row):
            continue
        if r > MAX_ROWS:
            return [], [f"Trang “{SHEET}”: quá {MAX_ROWS} dòng"]
        values = dict(zip([c[1] for c in COLUMNS], list(row) + [None] * len(COLUMNS), strict=False))
        where = f"Trang “{SHEET}”, dòng {r}"
        code = str(values["code"] or "").strip().removesuffix(".0")
        if not code:
            errors.append(f"{where}, cột A: thiếu mã xã")
            continue
        if code in seen:
            errors.append(f"{where}, cột A: xã “{code}” đã có ở dòng {seen[code]}")
            continue
        seen[code] = r
        inputs: dict[str, Any] = {}
        group = None
        for i, (_, name, kind) in enumerate(COLUMNS[2:7], start=3):
            raw = values[name]
            col = get_column_letter(i)
            text = "" if raw is None else str(raw).strip()
            if kind == "bool":
                if text.lower() not in YES | NO:
                    errors.append(f"{where}, cột {col}: “{text}” — ghi “có” hoặc “không”")
                inputs[name] = text.lower() in YES
            elif kind == "percent":
                if text == "":
                    inputs[name] = None
                    continue
                try:
                    number = float(text.replace(",", ".")) if not isinstance(raw, (int, float)) else float(raw)
                except ValueError:
                    errors.append(f"{where}, cột {col}: “{text}” không phải là số")
                    continue
                if not 0 <= number <= 100 or number != number:
                    errors.append(f"{where}, cột {col}: tỷ lệ phải từ 0 đến 100 (%)")
                inputs[name] = number
            elif kind == "area":
                if text.upper() not in ("", "I", "II", "III"):
                    errors.append(f"{where}, cột {col}: “{text}” — ghi I, II, III hoặc để trống")
                inputs[name] = text.upper()
            elif kind == "group" and text:
                if text not in ("1", "2", "3", "1.0", "2.0", "3.0"):
                    errors.append(f"{where}, cột {col}: nhóm phải là 1, 2 hoặc 3")
                else:
                    group = int(float(text))
        source = str(values["source"] or "").strip()
        if not source:
            errors.append(f"{where}, cột H: thiếu căn cứ phân nhóm (số quyết định)")
        rows_out.append(Row(code, inputs, group, source[:255], where))
    wb.close()
    return rows_out, errors

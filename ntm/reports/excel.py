"""Excel export of a dashboard's matrix: one row per commune, one column per criterion."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ntm.criteria.spec import LEVEL_LABELS

FILLS = {True: PatternFill("solid", fgColor="B2F2BB"), False: PatternFill("solid", fgColor="FFC9C9"),
         None: PatternFill("solid", fgColor="E9ECEF")}
MARKS = {True: "Đạt", False: "Chưa đạt", None: "Thiếu số liệu"}
LEVELS = {**LEVEL_LABELS, None: "Chưa có số liệu"}


def matrix_workbook(title: str, year: int, set_name: str, criteria: list[tuple[str, str]], rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = f"Năm {year}"
    ws.append([title])
    ws.append([f"Đánh giá năm {year} theo {set_name}. Kết quả tính từ số liệu; không sửa tay."])
    header = ["Mã", "Xã", "Thuộc", "Mức đạt", "Số tiêu chí đạt"] + [f"TC {c}" for c, _ in criteria]
    ws.append([])
    ws.append(header)
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r in rows:
        ws.append([r["code"], r["full_name"], r.get("parent__name") or "", LEVELS.get(r["level"], r["level"]),
                   r["criteria_met"]] + [MARKS[c] for c in r["cells"]])
        for i, c in enumerate(r["cells"]):
            ws.cell(row=ws.max_row, column=6 + i).fill = FILLS[c]
    ws["A1"].font = Font(bold=True, size=14)
    for col, width in zip("ABCDE", (8, 28, 24, 16, 10), strict=True):
        ws.column_dimensions[col].width = width
    for i in range(len(criteria)):
        ws.column_dimensions[get_column_letter(6 + i)].width = 11
    ws.freeze_panes = "C5"
    legend = wb.create_sheet("Tiêu chí")
    legend.append(["Mã", "Tiêu chí"])
    for code, name in criteria:
        legend.append([code, name])
    legend.column_dimensions["B"].width = 60
    out = BytesIO()
    wb.save(out)
    return out.getvalue()

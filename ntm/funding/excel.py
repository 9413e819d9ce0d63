"""Excel for the ledger: export (openpyxl write-only) and the contributions import — all-or-nothing,
every error named by sheet, row, column and reason (the style of `ntm/figures/excel.py`).

The import sheet "Đóng góp": row 1 what users read, row 2 the column codes the importer reads, data
from row 3: date, source, amount, quantity, rate, contributor, work, decision (the meeting's id),
obligation ("x"), note. Rows are checked with the same rules as the form (`services.check_entry`)
and written through `services.add_entries` in one transaction.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from ntm.units.models import Unit

from .config import rules
from .models import Contributor, ResidentDecision
from .services import EntryInput, check_entry

SHEET = "Đóng góp"
COLUMNS = [
    ("date", "Ngày (dd/mm/yyyy)"), ("source", "Mã nguồn"), ("amount", "Số tiền (đồng)"),
    ("quantity", "Số lượng"), ("rate", "Đơn giá quy đổi"), ("contributor", "Người đóng góp (tên đã khai)"),
    ("work", "Công trình, nội dung"), ("decision", "Số hiệu cuộc họp dân"), ("obligation", "Giao theo hộ (x)"),
    ("note", "Ghi chú"),
]


def ledger_workbook(unit: Unit, rows, summary: dict) -> bytes:
    """The ledger's entries and its totals by source (`rows`: Contribution queryset, `summary`:
    selectors.summary)."""
    labels = {s.code: s.label for s in rules().sources}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sổ huy động")
    ws.append([f"Sổ huy động nguồn lực — {unit.full_name}"])
    ws.append(["Ngày", "Năm", "Nguồn", "Số tiền", "Số lượng", "Đơn giá quy đổi", "Giá trị (đồng)", "Người đóng góp",
               "Dự án / công trình", "Bút toán đảo của", "Cần xem lại", "Ghi chú"])
    for c in rows:
        ws.append([c.date, c.year, labels.get(c.source, c.source), _n(c.amount), _n(c.quantity), _n(c.rate), _n(c.value),
                   c.contributor.name if c.contributor else "", c.project.name if c.project else c.work,
                   c.reverses_id or "", c.flagged, c.note])
    ws2 = wb.create_sheet("Tổng theo nguồn")
    ws2.append(["Nguồn", "Giá trị (đồng)", "Số lượng"])
    for s in summary["sources"]:
        ws2.append([s["label"], _n(s["value"]), _n(s["quantity"]) if s["measure"] != "money" else None])
    ws2.append(["Tổng", _n(summary["total"])])
    ws2.append([])
    ws2.append(["Nhóm nguồn", "Tỷ trọng của đơn vị", "Cơ cấu toàn quốc"])
    for row in summary["shares"]:
        ws2.append([row.label, row.share, row.national])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def template() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([label for _c, label in COLUMNS])
    ws.append([code for code, _l in COLUMNS])
    ws2 = wb.create_sheet("Mã nguồn")
    ws2.append(["Mã", "Nguồn", "Tính bằng"])
    for s in rules().sources:
        ws2.append([s.code, s.label, s.measure])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _n(v):
    if v is None:
        return None
    return int(v) if v == v.to_integral_value() else float(v)


def _date(raw) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def read(data: bytes, unit: Unit) -> tuple[list[EntryInput], list[str], list[str]]:
    """Parse and check every row: (entries, where (sheet/row per entry), errors)."""
    try:
        wb = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        return [], [], [f"Tệp không phải bảng tính Excel (.xlsx) đọc được: {exc.__class__.__name__}"]
    if SHEET not in wb.sheetnames:
        return [], [], [f"Không có trang “{SHEET}” (các trang: {', '.join(wb.sheetnames)}). Hãy dùng tệp mẫu."]
    rows = list(wb[SHEET].iter_rows(values_only=True))
    if len(rows) < 2:
        return [], [], [f"Trang “{SHEET}”: thiếu dòng 2 (mã cột)"]
    header = [str(c).strip() if c is not None else "" for c in rows[1]]
    errors: list[str] = []
    col: dict[str, int] = {}
    for code, _label in COLUMNS:
        if code not in header:
            errors.append(f"Trang “{SHEET}”, dòng 2: thiếu cột “{code}”")
        else:
            col[code] = header.index(code)
    if errors:
        return [], [], errors
    contributors = {c.name.strip().lower(): c for c in Contributor.objects.filter(unit=unit)}
    decisions = {d.pk: d for d in ResidentDecision.objects.filter(unit=unit)}
    entries, where = [], []
    for r, row in enumerate(rows[2:], start=3):
        if row is None or all(v in (None, "") for v in row):
            continue

        def cell(code, row=row):
            i = col[code]
            return row[i] if i < len(row) else None

        def at(code, r=r):
            return f"Trang “{SHEET}”, dòng {r}, cột {get_column_letter(col[code] + 1)}"

        date = _date(cell("date"))
        if date is None:
            errors.append(f"{at('date')}: ngày “{cell('date')}” không đọc được (dd/mm/yyyy)")
            continue
        contributor = None
        name = str(cell("contributor") or "").strip()
        if name:
            contributor = contributors.get(name.lower())
            if contributor is None:
                errors.append(f"{at('contributor')}: “{name}” chưa có trong danh sách người đóng góp của đơn vị")
                continue
        decision = None
        raw_decision = cell("decision")
        if raw_decision not in (None, ""):
            try:
                decision = decisions.get(int(float(raw_decision)))
            except (TypeError, ValueError):
                decision = None
            if decision is None:
                errors.append(f"{at('decision')}: cuộc họp dân số “{raw_decision}” không có ở đơn vị này")
                continue
        amount, quantity, rate = cell("amount"), cell("quantity"), cell("rate")
        entry = EntryInput(
            source=str(cell("source") or "").strip(), date=date,
            amount=repr(amount).replace(".", ",") if isinstance(amount, float) else amount,
            quantity=repr(quantity).replace(".", ",") if isinstance(quantity, float) else quantity,
            rate=repr(rate).replace(".", ",") if isinstance(rate, float) else rate,
            contributor=contributor, work=str(cell("work") or "")[:300], decision=decision,
            obligation=str(cell("obligation") or "").strip().lower() in ("x", "1", "có", "co", "true"),
            note=str(cell("note") or "")[:300])
        row_errors, _clean = check_entry(unit, entry)
        for e in row_errors:
            errors.append(f"Trang “{SHEET}”, dòng {r}: {e}")
        entries.append(entry)
        where.append(f"Trang “{SHEET}”, dòng {r}")
    if not entries and not errors:
        errors.append(f"Trang “{SHEET}”: không có dòng dữ liệu nào (từ dòng 3)")
    return entries, where, errors

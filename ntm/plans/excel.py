"""Excel export of a plan (openpyxl, write-only): one row per task with baseline, target, current
value, progress (computed from the figures), deadline, owner, status and budget by source."""

from __future__ import annotations

import io

from openpyxl import Workbook

from ntm.criteria.spec import LEVEL_LABELS
from ntm.funding.config import rules as ledger_rules

HEADERS = ["Thứ tự", "Tiêu chí", "Chỉ tiêu", "Nội dung", "Đầu kỳ", "Mục tiêu", "Hiện tại", "Tiến độ (%)",
           "Hạn", "Quá hạn", "Đơn vị chủ trì", "Trạng thái", "Chi phí ước tính (đồng)"]


def plan_workbook(plan, rows) -> bytes:
    """`rows`: selectors.task_rows(plan)."""
    sources = ledger_rules().sources
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Kế hoạch")
    ws.append([plan.title])
    ws.append([f"{plan.unit.full_name} — mục tiêu {LEVEL_LABELS.get(plan.target_level, plan.target_level)} năm "
               f"{plan.target_year}; thời kỳ {plan.year_from}–{plan.year_to}"
               + (f"; quyết định {plan.decision}" if plan.decision else "")])
    ws.append([])
    ws.append(HEADERS + [f"Dự toán: {s.label}" for s in sources])
    for r in rows:
        t = r.task
        budgets = {b.source: b.amount for b in t.budgets.all()}
        current = r.current if not isinstance(r.current, bool) else ("Đạt" if r.current else "Chưa đạt")
        ws.append([t.rank, t.criterion, t.indicator, t.title, t.baseline, t.target, current,
                   None if r.progress is None else round(100 * r.progress, 1), t.deadline,
                   "Có" if r.overdue else "", t.owner.name if t.owner else "", t.get_status_display(),
                   int(t.estimated_cost) if t.estimated_cost is not None else None]
                  + [int(budgets[s.code]) if s.code in budgets else None for s in sources])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

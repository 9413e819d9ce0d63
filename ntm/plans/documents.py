"""The content of a periodic review (sơ kết 6 tháng / tổng kết năm) as plain data: the evaluation
and its change, the plans' progress, the ledger, the lessons and the commendations proposed.

Rendering (PDF/.docx in the Decree 30/2020 layout, `ntm/core/documents.py`) is done by a reports view
(`ntm/reports/review_report.py` builds the document from this dict)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ntm.criteria.spec import LEVEL_LABELS
from ntm.evaluations.models import Evaluation
from ntm.funding.selectors import summary
from ntm.units.models import Unit

from .models import Plan, Review
from .selectors import task_rows

KIND_TITLES = {"half": "Báo cáo sơ kết 6 tháng đầu năm", "year": "Báo cáo tổng kết năm"}


def review_content(unit: Unit, year: int, kind: str = "year", today: dt.date | None = None) -> dict[str, Any]:
    """{title, unit, year, period, evaluation: {level, label, criteria_met, criteria_total, previous_level},
    plans: [{title, target, tasks: [{indicator, title, owner, progress, overdue}]}], ledger: {total, sources,
    shares}, lessons, commendations}. A half-year review counts tasks due by 30/06."""
    today = today or (dt.date(year, 6, 30) if kind == "half" else dt.date(year, 12, 31))
    ev = Evaluation.objects.filter(unit=unit, year=year).first()
    prev = Evaluation.objects.filter(unit=unit, year=year - 1).first()
    plans = []
    for plan in Plan.objects.filter(unit=unit, year_from__lte=year, year_to__gte=year):
        rows = task_rows(plan, today)
        plans.append({"title": plan.title, "target": f"{LEVEL_LABELS.get(plan.target_level, plan.target_level)} "
                      f"năm {plan.target_year}",
                      "tasks": [{"indicator": r.task.indicator, "title": r.task.title,
                                 "owner": r.task.owner.name if r.task.owner else "",
                                 "progress": r.progress, "overdue": r.overdue} for r in rows]})
    ledger = summary(unit, year)
    saved = Review.objects.filter(unit=unit, kind=kind, year=year).first()
    return {
        "title": f"{KIND_TITLES.get(kind, KIND_TITLES['year'])} {year} về xây dựng nông thôn mới",
        "unit": unit.full_name, "year": year, "kind": kind,
        "period": [dt.date(year, 1, 1).isoformat(), today.isoformat()],
        "evaluation": {
            "level": ev.level if ev else None, "label": LEVEL_LABELS.get(ev.level if ev else "", ""),
            "criteria_met": ev.criteria_met if ev else None, "criteria_total": ev.criteria_total if ev else None,
            "previous_level": prev.level if prev else None,
            "previous_criteria_met": prev.criteria_met if prev else None,
        },
        "plans": plans,
        "ledger": {"total": ledger["total"], "sources": ledger["sources"],
                   "shares": [s.__dict__ for s in ledger["shares"]]},
        "lessons": saved.lessons if saved else "",
        "commendations": saved.commendations if saved else "",
    }

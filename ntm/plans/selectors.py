"""Reading for plans (no writes): the prioritiser's inputs from the live evaluation, the ranked items,
task progress from the figures, the what-if on a plan's targets, who is late."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ntm.criteria.classify import class_rows, classify
from ntm.criteria.evaluate import EvaluationError, SetResult, base_set_for, evaluate_unit
from ntm.criteria.loader import province_view, registry
from ntm.criteria.spec import LEVEL_LABELS, LEVEL_RANK, shared_fields
from ntm.figures.live import live_outcome
from ntm.figures.models import Figure
from ntm.figures.services import values_for
from ntm.units.models import Unit

from .config import CostRate, prioritise_rules
from .models import Assignment, Plan, ResidentPriority, Task
from .models import CostRate as CostRow
from .prioritise import IndicatorState, Item, prioritise, progress


def province_of(unit: Unit) -> Unit:
    return unit if unit.level == Unit.Level.PROVINCE else unit.province


def catalogue(unit: Unit) -> dict[str, CostRate]:
    """The province's cost catalogue, {field: CostRate}."""
    province = province_of(unit)
    rows = CostRow.objects.filter(province=province) if province else CostRow.objects.none()
    return {r.field: CostRate(r.field, float(r.unit_cost), r.unit, r.effort, r.label, r.source) for r in rows}


def priorities(unit: Unit, year: int) -> dict[str, int]:
    return dict(ResidentPriority.objects.filter(unit=unit, year=year).values_list("code", "weight"))


def target_set(result) -> SetResult:
    """The set the unit works towards: the first level not reached, else the highest reached."""
    return result.next_level or result.levels[-1]


@dataclass
class Ranking:
    unit: Unit
    year: int
    set_code: str = ""
    level: str = ""
    items: list[Item] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # indicators without data
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit.code, "name": self.unit.full_name, "year": self.year, "set": self.set_code,
                "target_level": self.level, "error": self.error, "missing_data": self.missing,
                "items": [{k: v for k, v in i.as_dict().items()} for i in self.items]}


def _states(unit: Unit, year: int) -> tuple[SetResult | None, list[IndicatorState], str]:
    outcome = live_outcome(unit, year)
    if outcome is None:
        return None, [], f"{unit.full_name} chưa có số liệu năm {year}"
    if outcome.result is None:
        return None, [], outcome.error
    target = target_set(outcome.result)
    last: dict[str, Any] = {}
    before = live_outcome(unit, year - 1)
    if before is not None and before.result is not None:
        for r in before.result.levels:
            if r.set == target.set:
                last = {ind.code: value for _c, ind, _t, _target, _op, value, _m in r.cells}
    raw = values_for([unit.pk], [year], derived=True).get((unit.pk, year), {})
    spec = province_view(registry(), province_of(unit).code if province_of(unit) else "").get(target.set)
    field_defs = {**shared_fields(), **(spec.fields if spec else {})}
    states = []
    for crit, ind, _thr, threshold, op, value, met in target.cells:
        den = raw.get(ind.denominator) if ind.denominator else None
        gap = None
        if met is False and value is not None and not isinstance(threshold, bool) and threshold is not None:
            gap = round(float(threshold) - float(value), 4) if op in (">=", ">") else round(float(value) - float(threshold), 4)
        qfield = field_defs.get(ind.numerator or ind.field)
        states.append(IndicatorState(ind.code, crit, ind.name, ind.kind, ind.unit, op, value, threshold, met, gap,
                                     ind.numerator or ind.field, den, last.get(ind.code),
                                     qfield.kind if qfield else "", qfield.unit if qfield else ""))
    return target, states, ""


def ranking(unit: Unit, year: int) -> Ranking:
    """The prioritiser's answer for one unit and year (live figures, last year's, the catalogue,
    residents' priorities)."""
    target, states, error = _states(unit, year)
    out = Ranking(unit, year, error=error)
    if target is None:
        return out
    out.set_code, out.level = target.set, target.level
    out.missing = [s.code for s in states if s.met is None]
    out.items = prioritise(states, catalogue(unit), priorities(unit, year), prioritise_rules())
    return out


# --- progress ----------------------------------------------------------------------------------

def latest_year(unit: Unit, up_to: int | None = None) -> int | None:
    qs = Figure.objects.filter(unit=unit)
    if up_to:
        qs = qs.filter(year__lte=up_to)
    return qs.order_by("-year").values_list("year", flat=True).first()


def current_values(unit: Unit, year: int | None) -> dict[str, Any]:
    """{indicator code: value} of every evaluated set for a year (live)."""
    if year is None:
        return {}
    outcome = live_outcome(unit, year)
    if outcome is None or outcome.result is None:
        return {}
    values: dict[str, Any] = {}
    for r in outcome.result.levels:
        for _c, ind, _t, _target, _op, value, _m in r.cells:
            values.setdefault(ind.code, value)
    return values


@dataclass
class TaskRow:
    task: Task
    current: Any
    progress: float | None
    overdue: bool


def task_rows(plan: Plan, today: dt.date | None = None) -> list[TaskRow]:
    """Each task with its current value (latest figures), progress and overdue flag."""
    today = today or dt.date.today()
    year = latest_year(plan.unit, today.year)
    values = current_values(plan.unit, year)
    rows = []
    for task in plan.tasks.select_related("owner").prefetch_related("budgets"):
        current = values.get(task.indicator)
        p = progress(task.baseline, task.target, current)
        done = p is not None and p >= 1.0
        overdue = task.deadline < today and not done and task.status != Task.Status.CANCELLED
        rows.append(TaskRow(task, current, p, overdue))
    return rows


def late(unit: Unit, today: dt.date | None = None) -> list[dict]:
    """"Ai đang chậm việc gì": overdue tasks of the unit's plans, grouped by owner, with the
    organisation assigned to the task's criterion when the task has no owner."""
    assigned = {a.criterion: a.organisation for a in Assignment.objects.filter(unit=unit).select_related("organisation")}
    groups: dict[str, list[TaskRow]] = {}
    for plan in Plan.objects.filter(unit=unit):
        for row in task_rows(plan, today):
            if row.overdue:
                who = row.task.owner or assigned.get(row.task.criterion)
                groups.setdefault(who.name if who else "Chưa giao", []).append(row)
    return [{"owner": k, "tasks": v} for k, v in sorted(groups.items())]


# --- what-if -----------------------------------------------------------------------------------

def what_if(plan: Plan) -> dict[str, Any]:
    """Run the engine on the plan's targets: for each year of the plan, the figures of the baseline
    year with every task due by the end of that year replaced by its target value. Returns
    {"base_year", "years": [{year, level, label, criteria_met, criteria_total, remaining: {criterion:
    [indicator…]}}], "reached_year": first year the target level is reached (None), "error"}."""
    unit = plan.unit
    base_year = latest_year(unit, plan.year_from) or latest_year(unit)
    out: dict[str, Any] = {"base_year": base_year, "years": [], "reached_year": None, "error": ""}
    if base_year is None:
        out["error"] = "Đơn vị chưa có số liệu"
        return out
    values = values_for([unit.pk], [base_year], derived=True).get((unit.pk, base_year), {})
    view = province_view(registry(), province_of(unit).code if province_of(unit) else "")
    rows = class_rows([unit.pk]).get(unit.pk, [])
    tasks = [t for t in plan.tasks.all() if t.status != Task.Status.CANCELLED]
    for year in range(max(plan.year_from, base_year), max(plan.year_to, plan.target_year) + 1):
        vals = dict(values)
        for t in tasks:
            if t.deadline.year <= year:
                vals[t.indicator] = t.target
        try:
            base = base_set_for(view, unit.level, year)
            result = evaluate_unit(view, base.code, classify(unit.region, rows, year), year, vals)
        except EvaluationError as exc:
            out["error"] = str(exc)
            break
        nxt = result.next_level
        remaining: dict[str, list[str]] = {}
        if nxt is not None:
            for crit, ind, _t, _target, _op, _v, met in nxt.cells:
                if met is not True:
                    remaining.setdefault(crit, []).append(ind.code)
        level = result.level or ""
        top = result.levels[-1] if result.levels else None
        shown = nxt or top
        out["years"].append({"year": year, "level": level, "label": LEVEL_LABELS.get(level, level),
                             "criteria_met": shown.criteria_met if shown else 0,
                             "criteria_total": shown.criteria_total if shown else 0,
                             "next": nxt.level if nxt else "", "remaining": remaining})
        if out["reached_year"] is None and LEVEL_RANK.get(level, 0) >= LEVEL_RANK.get(plan.target_level, 99):
            out["reached_year"] = year
    return out

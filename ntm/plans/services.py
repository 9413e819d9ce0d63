"""The only code that writes plans' data: atomic, scoped (`plans.edit`, `plans.catalogue`), validated
(Vietnamese messages), audited (`ntm.accounts.audit.record`). `user=None` is the system (demo, CLI
loaders) and skips the scope check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ntm.accounts.audit import record
from ntm.accounts.scope import can
from ntm.criteria.spec import LEVEL_LABELS
from ntm.funding.config import rules as ledger_rules
from ntm.units.models import Unit

from .config import default_costs
from .models import Assignment, Budget, Committee, CostRate, Member, Organisation, Plan, ResidentPriority, Review, Task
from .selectors import ranking

EDIT, CATALOGUE = "plans.edit", "plans.catalogue"


def _check(user, unit: Unit, action: str) -> None:
    if user is None:
        return
    if not can(user, unit, action):
        raise PermissionDenied(f"Bạn không có quyền thay đổi dữ liệu kế hoạch của {unit.full_name}")


def _money(raw, label: str) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).replace(".", "").replace(",", ".")) if isinstance(raw, str) else Decimal(raw)
    except InvalidOperation as exc:
        raise ValidationError(f"{label}: “{raw}” không phải số tiền") from exc
    if value < 0:
        raise ValidationError(f"{label}: không được âm")
    return value.quantize(Decimal(1))


# --- organisations, committees, assignments ----------------------------------------------------

@transaction.atomic
def save_organisation(user, unit: Unit, name: str, kind: str = Organisation.Kind.DEPARTMENT,
                      hamlet: Unit | None = None) -> Organisation:
    _check(user, unit, EDIT)
    name = (name or "").strip()
    if not name:
        raise ValidationError("Tên tổ chức: không được để trống")
    if kind not in Organisation.Kind.values:
        raise ValidationError(f"Loại tổ chức “{kind}” không hợp lệ")
    if hamlet is not None and hamlet.parent_id != unit.pk:
        raise ValidationError("Thôn phải thuộc đơn vị này")
    org, created = Organisation.objects.get_or_create(unit=unit, name=name, defaults={"kind": kind, "hamlet": hamlet})
    if created:
        record(user, "plans.organisation", org, after={"name": name, "kind": kind})
    return org


@transaction.atomic
def save_committee(user, unit: Unit, kind: str, name: str, decision: str = "") -> Committee:
    _check(user, unit, EDIT)
    if kind not in Committee.Kind.values:
        raise ValidationError(f"Loại ban “{kind}” không hợp lệ")
    committee, _ = Committee.objects.update_or_create(unit=unit, kind=kind, defaults={"name": name, "decision": decision})
    record(user, "plans.committee", committee, after={"kind": kind, "name": name, "decision": decision})
    return committee


@transaction.atomic
def add_member(user, committee: Committee, name: str, role: str = Member.Role.MEMBER, position: str = "",
               organisation: Organisation | None = None) -> Member:
    _check(user, committee.unit, EDIT)
    if role not in Member.Role.values:
        raise ValidationError(f"Vai trò “{role}” không hợp lệ")
    if role == Member.Role.HEAD and committee.members.filter(role=Member.Role.HEAD).exists():
        raise ValidationError(f"{committee.name} đã có trưởng ban")
    if organisation is not None and organisation.unit_id != committee.unit_id:
        raise ValidationError("Tổ chức phải thuộc cùng đơn vị với ban")
    member = Member.objects.create(committee=committee, name=name.strip(), role=role, position=position,
                                   organisation=organisation)
    record(user, "plans.member", member, after={"name": member.name, "role": role, "position": position})
    return member


@transaction.atomic
def assign_criterion(user, unit: Unit, criterion: str, organisation: Organisation) -> Assignment:
    _check(user, unit, EDIT)
    if organisation.unit_id != unit.pk:
        raise ValidationError("Tổ chức phụ trách phải thuộc đơn vị này")
    row, _ = Assignment.objects.update_or_create(unit=unit, criterion=criterion, defaults={"organisation": organisation})
    record(user, "plans.assign", row, after={"criterion": criterion, "organisation": organisation.name})
    return row


# --- the province's cost catalogue, residents' priorities ---------------------------------------

@transaction.atomic
def set_cost_rate(user, province: Unit, field: str, *, label: str, unit_cost, unit: str = "", effort: int = 2,
                  source: str = "") -> CostRate:
    _check(user, province, CATALOGUE)
    if province.level != Unit.Level.PROVINCE:
        raise ValidationError("Danh mục chi phí thuộc cấp tỉnh")
    cost = _money(unit_cost, "Đơn giá")
    if cost is None:
        raise ValidationError("Đơn giá: không được để trống")
    if int(effort) not in (1, 2, 3):
        raise ValidationError("Độ khó: 1 (dễ), 2 (trung bình) hoặc 3 (khó)")
    before = CostRate.objects.filter(province=province, field=field).values("unit_cost", "effort").first()
    row, _ = CostRate.objects.update_or_create(province=province, field=field, defaults={
        "label": label, "unit": unit, "unit_cost": cost, "effort": int(effort), "source": source})
    record(user, "plans.cost_rate", row, before=before and {k: str(v) for k, v in before.items()},
           after={"unit_cost": str(cost), "effort": int(effort)})
    return row


def load_default_costs(user, province: Unit) -> int:
    """Seed the catalogue from data/costs.toml (rows the province already has are kept)."""
    n = 0
    for rate in default_costs():
        if not CostRate.objects.filter(province=province, field=rate.field).exists():
            set_cost_rate(user, province, rate.field, label=rate.label, unit_cost=Decimal(str(rate.unit_cost)),
                          unit=rate.unit, effort=rate.effort, source=rate.source)
            n += 1
    return n


@transaction.atomic
def set_priority(user, unit: Unit, year: int, code: str, weight: int, note: str = "") -> ResidentPriority:
    _check(user, unit, EDIT)
    if int(weight) < 0:
        raise ValidationError("Mức ưu tiên không được âm")
    row, _ = ResidentPriority.objects.update_or_create(unit=unit, year=year, code=code,
                                                       defaults={"weight": int(weight), "note": note})
    record(user, "plans.priority", row, after={"year": year, "code": code, "weight": int(weight)})
    return row


# --- plans and tasks --------------------------------------------------------------------------

@transaction.atomic
def create_plan(user, unit: Unit, *, title: str, target_level: str, target_year: int, year_from: int, year_to: int,
                decision: str = "", decision_date: dt.date | None = None) -> Plan:
    _check(user, unit, EDIT)
    errors = []
    if not (title or "").strip():
        errors.append("Tên kế hoạch: không được để trống")
    if target_level not in LEVEL_LABELS or not target_level:
        errors.append(f"Mức phấn đấu “{target_level}” không hợp lệ")
    if year_from > year_to:
        errors.append("Năm bắt đầu phải trước năm kết thúc")
    if not year_from <= target_year <= year_to:
        errors.append("Năm đạt phải nằm trong thời kỳ của kế hoạch")
    if errors:
        raise ValidationError(errors)
    plan = Plan.objects.create(unit=unit, title=title.strip(), target_level=target_level, target_year=target_year,
                               year_from=year_from, year_to=year_to, decision=decision, decision_date=decision_date)
    record(user, "plans.create", plan, after={"title": plan.title, "target_level": target_level,
                                               "target_year": target_year, "period": [year_from, year_to]})
    return plan


@transaction.atomic
def accept_items(user, plan: Plan, indicators: list[str], year: int, deadline: dt.date | None = None) -> list[Task]:
    """Make tasks from the prioritiser's items of `year` (baseline = the current value, target = the
    threshold for an unmet indicator, the current value for an at-risk one; estimated cost, rank and
    reason). An indicator already in the plan is skipped; one the
    prioritiser does not list is refused."""
    _check(user, plan.unit, EDIT)
    ranked = ranking(plan.unit, year)
    items = {i.indicator: i for i in ranked.items}
    unknown = [code for code in indicators if code not in items]
    if unknown:
        raise ValidationError(f"Chỉ tiêu không có trong danh sách ưu tiên năm {year}: {', '.join(unknown)}")
    set_code = ranked.set_code
    deadline = deadline or dt.date(plan.target_year, 12, 31)
    existing = set(plan.tasks.values_list("indicator", flat=True))
    made = []
    for code in indicators:
        if code in existing:
            continue
        item = items[code]
        # an unmet indicator aims at its threshold; an at-risk one at holding its current value
        target = item.threshold if item.status == "not_met" else item.value
        task = Task.objects.create(
            plan=plan, set_code=set_code, criterion=item.criterion, indicator=code, title=item.name[:300],
            baseline=None if item.value is None else float(item.value), baseline_year=year,
            target=float(target) if target is not None else 0.0, estimated_cost=None if item.cost is None else Decimal(item.cost),
            deadline=deadline, rank=item.rank, reason=item.reason)
        record(user, "plans.accept", task, after={"indicator": code, "baseline": task.baseline, "target": task.target,
                                                   "rank": item.rank})
        made.append(task)
    return made


@transaction.atomic
def update_task(user, task: Task, *, owner: Organisation | None = None, deadline: dt.date | None = None,
                status: str | None = None, target: float | None = None, clear_owner: bool = False) -> Task:
    _check(user, task.plan.unit, EDIT)
    before = {"owner": task.owner_id, "deadline": str(task.deadline), "status": task.status, "target": task.target}
    if owner is not None:
        if owner.unit_id != task.plan.unit_id:
            raise ValidationError("Đơn vị chủ trì phải là một tổ chức của đơn vị này")
        task.owner = owner
    elif clear_owner:
        task.owner = None
    if deadline is not None:
        task.deadline = deadline
    if status is not None:
        if status not in Task.Status.values:
            raise ValidationError(f"Trạng thái “{status}” không hợp lệ")
        task.status = status
    if target is not None:
        task.target = float(target)
    task.save()
    record(user, "plans.task", task, before=before, after={"owner": task.owner_id, "deadline": str(task.deadline),
                                                           "status": task.status, "target": task.target})
    return task


@transaction.atomic
def set_budget(user, task: Task, source: str, amount) -> Budget | None:
    """Planned amount of a task from one source (codes of ntm/funding/data/rules.toml); 0 or empty removes it."""
    _check(user, task.plan.unit, EDIT)
    if ledger_rules().source(source) is None:
        raise ValidationError(f"Nguồn “{source}” không có trong danh mục nguồn lực")
    value = _money(amount, "Dự toán")
    if not value:
        Budget.objects.filter(task=task, source=source).delete()
        record(user, "plans.budget", task, after={"source": source, "amount": None})
        return None
    row, _ = Budget.objects.update_or_create(task=task, source=source, defaults={"amount": value})
    record(user, "plans.budget", row, after={"source": source, "amount": str(value)})
    return row


@transaction.atomic
def save_review(user, unit: Unit, kind: str, year: int, lessons: str = "", commendations: str = "") -> Review:
    _check(user, unit, EDIT)
    if kind not in Review.Kind.values:
        raise ValidationError(f"Loại báo cáo “{kind}” không hợp lệ")
    row, _ = Review.objects.update_or_create(unit=unit, kind=kind, year=year,
                                             defaults={"lessons": lessons, "commendations": commendations})
    record(user, "plans.review", row, after={"kind": kind, "year": year})
    return row

"""Pages of plans: the prioritiser (accept items into a plan), plans with tasks (progress from the
figures, overdue flags, owners, budgets, what-if), leadership (committees, assignments, who is
late), the province's cost catalogue, the residents' priorities and the review's content.
Every object is fetched through the scope (404 outsider, 403 read-only); writes go through services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from ntm.accounts.pages import unit_list
from ntm.accounts.scope import can, get_object_for, get_unit_for
from ntm.core.pages import flash_errors, flash_form_errors, submit
from ntm.criteria.spec import LEVEL_LABELS
from ntm.funding.config import rules as ledger_rules
from ntm.funding.selectors import budget_vs_mobilised

from . import documents, excel, services
from .forms import (
    AcceptForm,
    AssignmentForm,
    BudgetForm,
    CommitteeForm,
    CostRateForm,
    MemberForm,
    OrganisationForm,
    PlanForm,
    PriorityForm,
    ReviewForm,
    TaskForm,
)
from .models import Assignment, Committee, CostRate, Organisation, Plan, ResidentPriority, Task
from .selectors import late, province_of, ranking, task_rows, what_if

EDIT = services.EDIT


@login_required
def prioritise(request, pk: int, year: int):
    unit = get_unit_for(request, pk)
    result = ranking(unit, year)
    plans = list(Plan.objects.filter(unit=unit).order_by("-year_from"))
    in_plans = set(Task.objects.filter(plan__unit=unit).values_list("indicator", flat=True))
    return render(request, "plans/prioritise.html", {
        "unit": unit, "year": year, "result": result, "plans": plans, "in_plans": in_plans,
        "can_edit": can(request.user, unit, EDIT), "level_label": LEVEL_LABELS.get(result.level, result.level),
        "priorities": ResidentPriority.objects.filter(unit=unit, year=year).order_by("code"),
        "priority_form": PriorityForm(),
    })


@login_required
def priority(request, pk: int, year: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    unit = get_unit_for(request, pk, EDIT)
    submit(request, PriorityForm(request.POST),
           lambda d: services.set_priority(request.user, unit, year, d["code"], d["weight"], d["note"]),
           "Đã ghi ưu tiên của người dân")
    return redirect("plans:prioritise", pk=unit.pk, year=year)


@login_required
def accept(request, pk: int, year: int):
    """Accept ticked items of the prioritiser into a plan (the unit's `pk`)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    unit = get_unit_for(request, pk, EDIT)
    codes = [i.indicator for i in ranking(unit, year).items]
    form = AcceptForm(request.POST, codes=codes)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("plans:prioritise", pk=unit.pk, year=year)
    plan = get_object_for(request, Plan.objects.filter(unit=unit), form.cleaned_data["plan"], EDIT)
    try:
        made = services.accept_items(request.user, plan, form.cleaned_data["indicators"], year,
                                     form.cleaned_data["deadline"])
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("plans:prioritise", pk=unit.pk, year=year)
    messages.success(request, f"Đã đưa {len(made)} chỉ tiêu vào kế hoạch")
    return redirect("plans:detail", pk=plan.pk)


@login_required
def plan_list(request, pk: int):
    year = dt.date.today().year
    return unit_list(
        request, pk, action=EDIT, form=lambda data, unit: PlanForm(data), create=services.create_plan,
        created="Đã lập kế hoạch", detail="plans:detail", template="plans/plans.html",
        context=lambda unit: {
            "plans": Plan.objects.filter(unit=unit), "labels": LEVEL_LABELS, "year": year,
            "form": PlanForm(initial={"year_from": year, "year_to": year + 4, "target_year": year,
                                      "target_level": "ntm"}),
        })


@login_required
def detail(request, pk: int):
    plan = get_object_for(request, Plan.objects.select_related("unit"), pk)
    rows = task_rows(plan)
    budgets = {r.task.pk: {b.source: b.amount for b in r.task.budgets.all()} for r in rows}
    labels = {s.code: s.label for s in ledger_rules().sources}
    money = budget_vs_mobilised({k: v for k, v in budgets.items() if v})
    for r in rows:
        r.money = [dict(x, label=labels.get(x["source"], x["source"])) for x in money.get(r.task.pk, [])]
        r.form = TaskForm(unit=plan.unit, initial={"owner": r.task.owner_id, "deadline": r.task.deadline,
                                                   "status": r.task.status})
    totals: dict[str, dict] = {}
    for r in rows:
        for m in r.money:
            t = totals.setdefault(m["source"], {"label": m["label"], "planned": 0, "mobilised": 0})
            t["planned"] += m["planned"]
            t["mobilised"] += m["mobilised"]
    return render(request, "plans/detail.html", {
        "money_totals": list(totals.values()),
        "plan": plan, "unit": plan.unit, "rows": rows, "whatif": what_if(plan), "labels": LEVEL_LABELS,
        "can_edit": can(request.user, plan.unit, EDIT), "budget_form": BudgetForm(),
        "overdue": sum(r.overdue for r in rows),
    })


@login_required
def task(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    obj = get_object_for(request, Task.objects.select_related("plan__unit"), pk, EDIT)
    submit(request, TaskForm(request.POST, unit=obj.plan.unit),
           lambda d: services.update_task(request.user, obj, owner=d["owner"], deadline=d["deadline"],
                                          status=d["status"] or None),
           f"Đã cập nhật nhiệm vụ {obj.indicator}")
    return redirect("plans:detail", pk=obj.plan_id)


@login_required
def budget(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    obj = get_object_for(request, Task.objects.select_related("plan__unit"), pk, EDIT)
    submit(request, BudgetForm(request.POST),
           lambda d: services.set_budget(request.user, obj, d["source"], d["amount"]),
           f"Đã ghi dự toán nhiệm vụ {obj.indicator}")
    return redirect("plans:detail", pk=obj.plan_id)


@login_required
def export(request, pk: int):
    plan = get_object_for(request, Plan.objects.select_related("unit"), pk)
    data = excel.plan_workbook(plan, task_rows(plan))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-{plan.unit.code}-{plan.pk}.xlsx"'
    return response


@login_required
def leadership(request, pk: int):
    unit = get_unit_for(request, pk)
    if request.method == "POST":
        unit = get_unit_for(request, pk, EDIT)
        what = request.POST.get("what")
        forms_by = {"organisation": OrganisationForm, "committee": CommitteeForm, "member": MemberForm,
                    "assignment": AssignmentForm}
        form_class = forms_by.get(what)
        if form_class is None:
            messages.error(request, "Thao tác không hợp lệ")
            return redirect("plans:leadership", pk=unit.pk)
        form = form_class(request.POST, unit=unit) if form_class in (MemberForm, AssignmentForm) else form_class(request.POST)
        writes = {
            "organisation": lambda d: services.save_organisation(request.user, unit, d["name"], d["kind"]),
            "committee": lambda d: services.save_committee(request.user, unit, d["kind"], d["name"], d["decision"]),
            "member": lambda d: services.add_member(request.user, d["committee"], d["name"], d["role"], d["position"]),
            "assignment": lambda d: services.assign_criterion(request.user, unit, d["criterion"], d["organisation"]),
        }
        submit(request, form, writes[what], "Đã ghi")
        if not form.errors:
            return redirect("plans:leadership", pk=unit.pk)
        refused = {{"organisation": "org_form"}.get(what, f"{what}_form"): form}  # shown again as typed
    else:
        refused = {}
    return render(request, "plans/leadership.html", {
        "unit": unit, "organisations": Organisation.objects.filter(unit=unit),
        "committees": Committee.objects.filter(unit=unit).prefetch_related("members"),
        "assignments": Assignment.objects.filter(unit=unit).select_related("organisation").order_by("criterion"),
        "late": late(unit), "can_edit": can(request.user, unit, EDIT),
        "org_form": OrganisationForm(), "committee_form": CommitteeForm(), "member_form": MemberForm(unit=unit),
        "assignment_form": AssignmentForm(unit=unit), **refused,
    }, status=400 if refused else 200)


@login_required
def catalogue(request, pk: int):
    unit = get_unit_for(request, pk)
    province = province_of(unit)
    if province is None:
        raise Http404("Không có tỉnh")
    refused = {}
    if request.method == "POST":
        province = get_unit_for(request, province.pk, services.CATALOGUE)
        form = CostRateForm(request.POST)
        submit(request, form,
               lambda d: services.set_cost_rate(request.user, province, d["field"], label=d["label"],
                                                unit_cost=d["unit_cost"], unit=d["unit"], effort=d["effort"],
                                                source=d["source"]),
               "Đã ghi đơn giá")
        if not form.errors:
            return redirect("plans:catalogue", pk=unit.pk)
        refused = {"form": form}  # shown again as typed
    return render(request, "plans/catalogue.html", {
        "unit": unit, "province": province, "rates": CostRate.objects.filter(province=province).order_by("field"),
        "can_edit": can(request.user, province, services.CATALOGUE), "form": CostRateForm(), **refused,
    }, status=400 if refused else 200)


@login_required
def review(request, pk: int, year: int):
    unit = get_unit_for(request, pk)
    refused = {}
    if request.method == "POST":
        unit = get_unit_for(request, pk, EDIT)
        form = ReviewForm(request.POST)
        submit(request, form,
               lambda d: services.save_review(request.user, unit, d["kind"], year, d["lessons"], d["commendations"]),
               "Đã ghi")
        if not form.errors:
            return redirect("plans:review", pk=unit.pk, year=year)
        refused = {"form": form}  # shown again as typed
    kind = request.GET.get("loai", "year")
    if kind not in ("half", "year"):
        kind = "year"
    return render(request, "plans/review.html", {
        "unit": unit, "year": year, "content": documents.review_content(unit, year, kind),
        "form": ReviewForm(initial={"kind": kind}), "can_edit": can(request.user, unit, EDIT), **refused,
    }, status=400 if refused else 200)

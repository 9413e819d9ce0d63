"""Plans on a real database: the CLI, accepting items, progress from the figures, overdue, the
what-if against the engine, leadership, scope (404 outsider, 403 read-only)."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from ntm.criteria.classify import class_rows, classify
from ntm.criteria.evaluate import base_set_for, evaluate_unit
from ntm.criteria.loader import province_view, registry
from ntm.figures.services import CellInput, values_for, write_figures
from ntm.plans import services
from ntm.plans.models import Plan, Task
from ntm.plans.selectors import late, ranking, task_rows, what_if
from ntm.testing import YEAR, login

pytestmark = pytest.mark.django_db
WORLD_COMMUNES = 1


def _plan(unit, **kw):
    args = dict(title="Kế hoạch xây dựng NTM 2026", target_level="ntm", target_year=YEAR, year_from=YEAR, year_to=YEAR + 1)
    args.update(kw)
    return services.create_plan(None, unit, **args)


def test_cli_prioritise_json(world):
    out = StringIO()
    call_command("prioritise", "--unit", "15505", "--year", str(YEAR), "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["set"] == "xa-ntm-2026" and data["items"]
    first = data["items"][0]
    assert {"indicator", "criterion", "gap", "cost", "rank", "reason"} <= set(first)
    assert first["rank"] == 1 and first["status"] == "not_met" and first["criterion"] == "3"
    assert [i["rank"] for i in data["items"]] == list(range(1, len(data["items"]) + 1))


def test_cli_refuses_unknown_unit_and_year_without_figures(world):
    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("prioritise", "--unit", "99999", "--year", str(YEAR), stdout=StringIO())
    with pytest.raises(CommandError, match="chưa có số liệu"):
        call_command("prioritise", "--unit", "15505", "--year", "2030", stdout=StringIO())


def test_costs_from_the_province_catalogue(world):
    unit = world["tho_long"]
    total = values_for([unit.pk], [YEAR])[(unit.pk, YEAR)]["km_hamlet_roads_total"]
    write_figures(None, [CellInput(unit.pk, YEAR, "km_hamlet_roads_hardened", str(round(0.8 * total, 2)))],
                  source="test", system=True)
    item = next(i for i in ranking(unit, YEAR).items if i.indicator == "2.2")
    assert item.status == "not_met" and item.cost is None and "chưa có đơn giá" in item.reason
    services.load_default_costs(None, world["province"])
    item = next(i for i in ranking(unit, YEAR).items if i.indicator == "2.2")
    # group 2 threshold 95 %: gap ≈ 15 points of the hamlet roads, at 1,2 tỷ đồng per km
    assert item.quantity == pytest.approx(item.gap * total / 100, abs=0.01)
    assert item.cost == pytest.approx(item.quantity * 1_200_000_000, rel=1e-6)
    with pytest.raises(PermissionDenied):
        services.set_cost_rate(User.objects.get(username="xa"), world["province"], "x", label="x", unit_cost=1)
    services.set_cost_rate(User.objects.get(username="tinh"), world["province"], "km_hamlet_roads_hardened",
                           label="Đường thôn", unit_cost="2.000.000.000", unit="km")
    item = next(i for i in ranking(unit, YEAR).items if i.indicator == "2.2")
    assert item.cost == pytest.approx(item.quantity * 2_000_000_000, rel=1e-6)


def test_accept_items_progress_and_overdue(world):
    unit = world["tho_long"]
    plan = _plan(unit)
    items = ranking(unit, YEAR).items
    at_risk = next(i for i in items if i.status == "at_risk" and i.indicator == "2.6")
    codes = [items[0].indicator, at_risk.indicator]
    made = services.accept_items(User.objects.get(username="xa"), plan, codes, YEAR)
    assert [t.indicator for t in made] == codes
    assert services.accept_items(None, plan, codes, YEAR) == []  # already in the plan
    with pytest.raises(ValidationError):
        services.accept_items(None, plan, ["9.99"], YEAR)
    electricity = plan.tasks.get(indicator="2.6")
    assert electricity.target == electricity.baseline == pytest.approx(at_risk.value)
    # aim at 100 %; then raise the figures half-way: progress is computed, ~50 %
    room = 100 - electricity.baseline
    assert room > 0.2
    services.update_task(None, electricity, target=100)
    vals = values_for([unit.pk], [YEAR])[(unit.pk, YEAR)]
    total = vals["households_total"]
    half = round((electricity.baseline + room / 2) * total / 100)
    write_figures(None, [CellInput(unit.pk, YEAR, "households_safe_electricity", str(half))], source="test", system=True)
    row = next(r for r in task_rows(plan, dt.date(YEAR, 6, 1)) if r.task.indicator == "2.6")
    expected = (100 * half / total - electricity.baseline) / room
    assert row.progress == pytest.approx(expected, abs=0.01) and 0.3 < row.progress < 0.7 and not row.overdue
    # the yes/no task: not done until the figure says so; overdue after its deadline
    yes_no = plan.tasks.get(indicator=items[0].indicator)
    row = next(r for r in task_rows(plan, dt.date(YEAR + 1, 1, 2)) if r.task == yes_no)
    assert row.progress == 0.0 and row.overdue
    owner = services.save_organisation(None, unit, "Công chức Văn hóa - Xã hội")
    services.update_task(None, yes_no, owner=owner)
    groups = {g["owner"]: [r.task.indicator for r in g["tasks"]] for g in late(unit, dt.date(YEAR + 1, 1, 2))}
    assert groups == {"Công chức Văn hóa - Xã hội": [yes_no.indicator], "Chưa giao": ["2.6"]}


def test_what_if_reaches_ntm_as_the_engine_says(world):
    unit = world["tho_long"]
    plan = _plan(unit)
    first = ranking(unit, YEAR).items[0]
    services.accept_items(None, plan, [first.indicator], YEAR, deadline=dt.date(YEAR + 1, 6, 30))
    result = what_if(plan)
    assert result["base_year"] == YEAR
    assert [y["year"] for y in result["years"]] == [YEAR, YEAR + 1]
    assert result["years"][0]["level"] == "" and first.indicator in result["years"][0]["remaining"][first.criterion]
    assert result["years"][1]["level"] == "ntm" and result["reached_year"] == YEAR + 1
    # the same answer straight from the engine
    view = province_view(registry(), "38")
    values = dict(values_for([unit.pk], [YEAR], derived=True)[(unit.pk, YEAR)], **{first.indicator: 1.0})
    engine = evaluate_unit(view, base_set_for(view, "commune", YEAR + 1).code,
                           classify(unit.region, class_rows([unit.pk]).get(unit.pk, []), YEAR + 1), YEAR + 1, values)
    assert engine.level == "ntm"


def test_plan_pages_and_scope(world):
    unit, outsider = world["tho_long"], world["outsider"]
    plan = _plan(unit)
    foreign = _plan(outsider, title="Kế hoạch khác")
    xa, xem = login("xa"), login("xem")
    assert xa.get(f"/ke-hoach/{plan.pk}/").status_code == 200
    assert xa.get(f"/ke-hoach/{foreign.pk}/").status_code == 404
    assert xa.get(f"/don-vi/{unit.pk}/uu-tien/{YEAR}/").status_code == 200
    assert xa.get(f"/ke-hoach/{plan.pk}/excel/")["Content-Type"].startswith("application/vnd.openxml")
    r = xa.post(f"/don-vi/{unit.pk}/uu-tien/{YEAR}/chap-nhan/", {"plan": plan.pk, "indicators": ["3.2"]})
    assert r.status_code == 302 and plan.tasks.filter(indicator="3.2").exists()
    task = plan.tasks.get()
    assert xem.get(f"/ke-hoach/{plan.pk}/").status_code == 200
    assert xem.post(f"/nhiem-vu/{task.pk}/", {"status": "done"}).status_code == 403
    assert xa.post(f"/nhiem-vu/{task.pk}/", {"status": "active"}).status_code == 302
    task.refresh_from_db()
    assert task.status == "active"
    assert xa.post(f"/don-vi/{outsider.pk}/ke-hoach/", {"title": "x"}).status_code == 404


def test_plan_list_page_creates_through_the_service(world):
    unit = world["tho_long"]
    xa, xem = login("xa"), login("xem")
    url = f"/don-vi/{unit.pk}/ke-hoach/"
    good = {"title": "Kế hoạch 2026–2027", "target_level": "ntm", "target_year": YEAR, "year_from": YEAR,
            "year_to": YEAR + 1}
    assert xa.get(url).status_code == 200 and xem.get(url).status_code == 200
    assert xem.post(url, good).status_code == 403
    r = xa.post(url, {**good, "year_to": ""}, follow=True)  # form error: back to the list, nothing written
    assert r.redirect_chain == [(url, 302)] and "Đến năm: " in r.content.decode()
    r = xa.post(url, {**good, "year_from": YEAR + 1, "year_to": YEAR}, follow=True)  # refused by the service
    assert r.redirect_chain == [(url, 302)] and "Năm bắt đầu phải trước năm kết thúc" in r.content.decode()
    assert not Plan.objects.exists()
    r = xa.post(url, good)
    plan = Plan.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/ke-hoach/{plan.pk}/" and plan.unit == unit


def test_leadership_and_committee_rules(world):
    unit = world["tho_long"]
    committee = services.save_committee(None, unit, "steering", "Ban chỉ đạo xây dựng NTM xã Thọ Long")
    services.add_member(None, committee, "Nguyễn Văn A", "head", "Bí thư Đảng ủy")
    with pytest.raises(ValidationError, match="đã có trưởng ban"):
        services.add_member(None, committee, "Lê Văn B", "head")
    org = services.save_organisation(None, unit, "Hội Nông dân xã", "mass")
    services.assign_criterion(None, unit, "3", org)
    r = login("xa").get(f"/don-vi/{unit.pk}/chi-dao/")
    assert "Hội Nông dân xã" in r.content.decode() and "Ai đang chậm việc gì" in r.content.decode()
    assert Task.objects.count() == 0 and Plan.objects.count() == 0


def test_posted_forms_write_through_the_services(world):
    """Each small form of the plans pages: written through its service with "Đã ghi…", or refused with
    the field's label, nothing written."""
    from ntm.plans.models import Assignment, Committee, CostRate, Member, Organisation, ResidentPriority, Review

    unit, province = world["tho_long"], world["province"]
    xa, tinh = login("xa"), login("tinh")

    def post(client, url, data):
        return [str(m) for m in client.post(url, data, follow=True).context["messages"]]

    lead = f"/don-vi/{unit.pk}/chi-dao/"
    refused = post(xa, lead, {"what": "organisation", "name": "", "kind": "mass"})
    assert len(refused) == 1 and refused[0].startswith("Tên tổ chức: ") and not Organisation.objects.exists()
    assert post(xa, lead, {"what": "organisation", "name": "Hội Nông dân xã", "kind": "mass"}) == ["Đã ghi"]
    assert post(xa, lead, {"what": "committee", "kind": "steering", "name": "Ban chỉ đạo NTM xã"}) == ["Đã ghi"]
    committee, org = Committee.objects.get(unit=unit), Organisation.objects.get(unit=unit)
    assert post(xa, lead, {"what": "member", "committee": committee.pk, "name": "Lê Văn A", "role": "head"}) == ["Đã ghi"]
    assert post(xa, lead, {"what": "member", "committee": committee.pk, "name": "Lê Văn B", "role": "head"})[0] != "Đã ghi"
    assert post(xa, lead, {"what": "assignment", "criterion": "3", "organisation": org.pk}) == ["Đã ghi"]
    assert post(xa, lead, {"what": "khac"}) == ["Thao tác không hợp lệ"]
    assert Member.objects.get().name == "Lê Văn A" and Assignment.objects.get().organisation == org
    assert post(xa, f"/don-vi/{unit.pk}/uu-tien/{YEAR}/nguoi-dan/", {"code": "3.4", "weight": 3}) == \
        ["Đã ghi ưu tiên của người dân"]
    assert ResidentPriority.objects.get(unit=unit).weight == 3
    assert post(xa, f"/don-vi/{unit.pk}/so-ket/{YEAR}/", {"kind": "year", "lessons": "Dân biết, dân bàn"}) == ["Đã ghi"]
    assert Review.objects.get(unit=unit).lessons == "Dân biết, dân bàn"
    rate = {"field": "km_hamlet_roads_total", "label": "Đường thôn", "unit": "km", "unit_cost": "1.200.000.000", "effort": 2}
    assert post(tinh, f"/don-vi/{province.pk}/don-gia/", rate) == ["Đã ghi đơn giá"]
    assert CostRate.objects.get(province=province).unit_cost == 1_200_000_000
    plan = _plan(unit)
    task = services.accept_items(None, plan, ["3.2"], YEAR)[0]
    assert post(xa, f"/nhiem-vu/{task.pk}/du-toan/", {"source": "central_budget", "amount": "5.000.000"}) == \
        [f"Đã ghi dự toán nhiệm vụ {task.indicator}"]
    assert task.budgets.get().amount == 5_000_000

"""The ledger on a real database: voluntary and exemption rules, the ceiling flag, reversing
entries (edits refused), totals, the API (scoped), the public disclosure (consent), the Excel
import (all-or-nothing), community projects and their boards."""

import datetime as dt
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from openpyxl import load_workbook

from ntm.accounts.models import AuditEntry
from ntm.funding import excel, services
from ntm.funding.models import Contribution
from ntm.funding.selectors import summary
from ntm.funding.services import EntryInput, EntryRefused
from ntm.testing import YEAR, login

pytestmark = pytest.mark.django_db
WORLD_COMMUNES = 1
DAY = dt.date(YEAR, 3, 15)


def _meeting(unit, agreeing=70, per_household=None):
    return services.record_decision(None, unit, subject="Bê tông hóa đường thôn 1", meeting_date=dt.date(YEAR, 3, 1),
                                    eligible=100, attendance=85, agreeing=agreeing, per_household=per_household)


def test_community_contribution_needs_a_passed_residents_decision(world):
    unit = world["tho_long"]
    cash = EntryInput("community_cash", DAY, amount="2.000.000")
    with pytest.raises(EntryRefused, match="họp dân"):
        services.add_entry(None, unit, cash)
    failed = _meeting(unit, agreeing=50)
    assert failed.passed is False
    with pytest.raises(EntryRefused, match="chưa đủ tỷ lệ"):
        services.add_entry(None, unit, EntryInput("community_cash", DAY, amount="2.000.000", decision=failed))
    row = services.add_entry(None, unit, EntryInput("community_cash", DAY, amount="2.000.000", decision=_meeting(unit)))
    assert row.value == 2_000_000 and row.year == YEAR
    assert Contribution.objects.filter(unit=unit).count() == 1  # nothing half-written before


def test_exempt_households_never_carry_an_obligation_and_the_ceiling_flags(world):
    unit, province = world["tho_long"], world["province"]
    services.set_ceiling(None, province, 2021, "500.000", decision="QĐ mẫu")
    poor = services.save_contributor(None, unit, "Hộ bà Lê Thị C", exemption="poor")
    meeting = _meeting(unit, per_household="600.000")
    assert meeting.over_ceiling
    with pytest.raises(EntryRefused, match="Hộ nghèo"):
        services.add_entry(None, unit, EntryInput("community_cash", DAY, amount=600_000, contributor=poor,
                                                  decision=meeting, obligation=True))
    gift = services.add_entry(None, unit, EntryInput("community_cash", DAY, amount=100_000, contributor=poor,
                                                     decision=meeting))
    assert gift.flagged == ""
    other = services.save_contributor(None, unit, "Hộ ông Trần Văn D")
    row = services.add_entry(None, unit, EntryInput("community_cash", DAY, amount=600_000, contributor=other,
                                                    decision=meeting, obligation=True))
    assert "vượt mức trần" in row.flagged and "500.000" in row.flagged


def test_corrections_are_reversing_entries_and_edits_are_refused(world):
    unit = world["tho_long"]
    row = services.add_entry(None, unit, EntryInput("central_budget", DAY, amount="1.500.000.000", work="Trường mầm non"))
    row.amount = D(1)
    with pytest.raises(ValidationError, match="không cho sửa"):
        row.save()
    with pytest.raises(ValidationError, match="không cho xóa"):
        row.delete()
    row.refresh_from_db()
    assert row.amount == 1_500_000_000
    back = services.reverse(User.objects.get(username="xa"), row, "Ghi nhầm nguồn")
    assert back.value == -1_500_000_000 and back.reverses == row
    with pytest.raises(ValidationError, match="đã được đảo"):
        services.reverse(None, row, "lần nữa")
    with pytest.raises(ValidationError, match="bút toán đảo"):
        services.reverse(None, back, "đảo của đảo")
    assert summary(unit, YEAR)["total"] == 0
    assert AuditEntry.objects.filter(action="funding.reverse", object_id=str(back.pk)).exists()


def test_in_kind_valuation_totals_and_scope(world):
    unit = world["tho_long"]
    meeting = _meeting(unit)
    services.add_entries(None, unit, [
        EntryInput("workdays", DAY, quantity=200, rate="150.000", decision=meeting, work="Đường thôn 1"),
        EntryInput("land", DAY, quantity="1.250,5", rate=0, decision=meeting, work="Đường thôn 1"),
        EntryInput("province_budget", DAY, amount=300_000_000, work="Đường thôn 1"),
    ])
    s = summary(unit, YEAR)
    by = {r["source"]: r for r in s["sources"]}
    assert by["workdays"]["value"] == 30_000_000 and by["workdays"]["quantity"] == 200
    assert by["land"]["quantity"] == D("1250.5") and s["total"] == 330_000_000
    shares = {r.group: r for r in s["shares"]}
    assert shares["local"].share == pytest.approx(300 / 330) and shares["local"].national == 0.287
    with pytest.raises(PermissionDenied):
        services.add_entry(User.objects.get(username="xa"), world["outsider"], EntryInput("central_budget", DAY, amount=1))
    with pytest.raises(PermissionDenied):
        services.add_entry(User.objects.get(username="xem"), unit, EntryInput("central_budget", DAY, amount=1))


def test_api_contributions_scoped(world):
    unit = world["tho_long"]
    named = services.save_contributor(None, unit, "Công ty TNHH Mẫu", "enterprise", public_consent=True)
    shy = services.save_contributor(None, unit, "Ông Nguyễn Văn Kín", "person")
    services.add_entry(None, unit, EntryInput("enterprise", DAY, amount=50_000_000, contributor=named))
    services.add_entry(None, unit, EntryInput("natives_away", DAY, amount=20_000_000, contributor=shy))
    r = login("xa").get(f"/api/units/15505/contributions?year={YEAR}")
    assert r.status_code == 200
    data = r.json()
    assert data["totals"]["enterprise"]["value"] == 50_000_000 and data["totals"]["natives_away"]["value"] == 20_000_000
    assert [e["contributor"] for e in data["entries"]] == ["Công ty TNHH Mẫu", "Ẩn danh"]
    assert login("xa").get("/api/units/00004/contributions").status_code == 404  # Hà Nội: outside the grant
    assert Client().get("/api/units/15505/contributions").status_code == 401


def test_public_disclosure_shows_only_what_was_disclosed_and_consented(world):
    unit = world["tho_long"]
    named = services.save_contributor(None, unit, "Bà Hoàng Thị Công Khai", public_consent=True)
    shy = services.save_contributor(None, unit, "Ông Không Muốn Nêu Tên")
    meeting = _meeting(unit)
    services.add_entry(None, unit, EntryInput("community_cash", DAY, amount=5_000_000, contributor=named, decision=meeting))
    services.add_entry(None, unit, EntryInput("community_cash", DAY, amount=3_000_000, contributor=shy, decision=meeting))
    services.add_entry(None, unit, EntryInput("central_budget", dt.date(YEAR, 9, 1), amount=777_000_000))
    anonymous = Client()
    url = "/cong-khai/don-vi/15505/nguon-luc/"
    assert "chưa công khai" in anonymous.get(url).content.decode()
    services.disclose(None, unit, year=YEAR, date=dt.date(YEAR, 6, 30), place="Nhà văn hóa thôn 1 và loa truyền thanh xã")
    body = anonymous.get(url).content.decode()
    assert "Bà Hoàng Thị Công Khai" in body and "Ông Không Muốn Nêu Tên" not in body
    assert "Nhà văn hóa thôn 1" in body and "30/06/" in body
    assert "8 triệu đồng" in body and "777" not in body  # the September entry was not disclosed yet
    assert anonymous.get("/cong-khai/don-vi/99999/nguon-luc/").status_code == 404


def test_excel_import_all_or_nothing(world):
    unit = world["tho_long"]
    meeting = _meeting(unit)
    services.save_contributor(None, unit, "Hộ ông Phạm Văn E")
    wb = load_workbook(BytesIO(excel.template()))
    ws = wb[excel.SHEET]
    ws.append(["15/03/2026", "workdays", None, 10, 150000, "Hộ ông Phạm Văn E", "Đường thôn", meeting.pk, None, None])
    ws.append(["16/03/2026", "community_cash", 500000, None, None, "", "Đường thôn", None, None, None])  # no meeting
    ws.append(["32/03/2026", "central_budget", 1, None, None, "", "", None, None, None])
    ws.append(["17/03/2026", "gold", 1, None, None, "Người lạ", "", None, None, None])
    out = BytesIO()
    wb.save(out)
    entries, where, errors = excel.read(out.getvalue(), unit)
    assert any("dòng 4" in e and "họp dân" in e for e in errors)
    assert any("dòng 5, cột A" in e for e in errors)
    assert any("dòng 6, cột F" in e and "Người lạ" in e for e in errors)
    # the page writes nothing when any row is wrong
    client = login("xa")
    out.seek(0)
    out.name = "x.xlsx"
    r = client.post(f"/don-vi/{unit.pk}/nguon-luc/nhap/", {"file": out}, follow=True)
    assert "Không ghi dòng nào" in r.content.decode() and not Contribution.objects.filter(unit=unit).exists()
    for _ in range(3):
        ws.delete_rows(4)
    good = BytesIO()
    wb.save(good)
    good.seek(0)
    good.name = "y.xlsx"
    r = client.post(f"/don-vi/{unit.pk}/nguon-luc/nhap/", {"file": good})
    assert "Xem trước: 1 khoản" in r.content.decode() and not Contribution.objects.filter(unit=unit).exists()
    r = client.post(f"/don-vi/{unit.pk}/nguon-luc/nhap/", {"confirm": "1"}, follow=True)
    assert "Đã nhập 1 khoản" in r.content.decode()
    assert Contribution.objects.get(unit=unit).value == 1_500_000
    r = client.post(f"/don-vi/{unit.pk}/nguon-luc/nhap/", {"confirm": "1"}, follow=True)  # the preview is used once
    assert "Hết phiên xem trước" in r.content.decode() and Contribution.objects.filter(unit=unit).count() == 1


def test_ledger_pages_and_export(world):
    unit = world["tho_long"]
    xa = login("xa")
    r = xa.post(f"/don-vi/{unit.pk}/nguon-luc/", {"what": "entry", "source": "enterprise", "date": "20/03/2026",
                                                 "amount": "25.000.000", "work": "Nhà văn hóa"}, follow=True)
    assert "Đã ghi khoản huy động" in r.content.decode()
    row = Contribution.objects.get(unit=unit)
    assert row.amount == 25_000_000 and row.date == dt.date(2026, 3, 20)
    assert login("xem").post(f"/nguon-luc/{row.pk}/dao/", {"reason": "x"}).status_code == 403
    assert xa.post(f"/nguon-luc/{row.pk}/dao/", {"reason": "nhầm"}).status_code == 302
    wb = load_workbook(BytesIO(xa.get(f"/don-vi/{unit.pk}/nguon-luc/excel/").content))
    assert wb["Sổ huy động"].max_row == 4 and wb["Tổng theo nguồn"]["B2"].value == 0
    assert xa.get(f"/don-vi/{world['outsider'].pk}/nguon-luc/").status_code == 404


def test_community_project_and_supervision_board(world):
    unit, province = world["tho_long"], world["province"]
    road = services.set_project_type(None, province, "duong-thon", "Đường giao thông thôn, xóm")
    with pytest.raises(ValidationError, match="vượt mức tối đa"):
        services.create_project(None, unit, name="Đường lớn", type=road, total="5.000.000.001")
    with pytest.raises(ValidationError, match="một xã"):
        services.create_project(None, province, name="Đường tỉnh", type=road, total=1)
    project = services.create_project(None, unit, name="Bê tông hóa đường thôn 1", type=road, total="1.200.000.000")
    six = [("A", "head"), ("B", "deputy"), ("C", "member"), ("D", "member"), ("E", "member"), ("F", "member")]
    with pytest.raises(ValidationError, match="tối đa 5"):
        services.elect_board(None, project, elected_on=DAY, meeting="Họp thôn 1", members=six)
    three_deputies = [("A", "head"), ("B", "deputy"), ("C", "deputy"), ("D", "deputy")]
    with pytest.raises(ValidationError, match="tối đa 2 phó"):
        services.elect_board(None, project, elected_on=DAY, meeting="Họp thôn 1", members=three_deputies)
    board = services.elect_board(None, project, elected_on=DAY, meeting="Họp thôn 1", members=six[:5])
    with pytest.raises(ValidationError, match="tối đa 5"):
        services.add_board_member(None, board, "G", "member")
    inspection = services.inspect(User.objects.get(username="giamsat"), board, date=dt.date(YEAR, 5, 2),
                                  content="Kiểm tra độ dày mặt đường", findings="Đoạn cuối mỏng hơn thiết kế 2 cm")
    request = services.make_request(None, inspection, text="Đề nghị đơn vị thi công làm lại đoạn cuối",
                                    addressed_to="UBND xã Thọ Long")
    with pytest.raises(PermissionDenied):
        services.inspect(User.objects.get(username="xem"), board, date=DAY, content="x")
    # a refused answer (an impossible date) comes back in its request's line, as typed; nothing written
    r = login("xa").post(f"/du-an/{project.pk}/", {"what": "follow_up", "request": request.pk,
                                                   "response": "Đã làm lại 120 m", "resolved_on": "32/05/2026"})
    body = r.content.decode()
    assert r.status_code == 400 and 'value="Đã làm lại 120 m"' in body and 'value="32/05/2026"' in body
    request.refresh_from_db()
    assert not request.response
    services.follow_up(None, request, response="Đã làm lại 120 m", resolved_on=dt.date(YEAR, 5, 20))
    body = login("giamsat").get(f"/du-an/{project.pk}/").content.decode()
    assert "Đoạn cuối mỏng hơn" in body and "Đã làm lại 120 m" in body
    assert login("xa").get(f"/du-an/{project.pk}/").status_code == 200


def test_a_district_ledger_rolls_up_its_communes_and_plans_compare_budgets(world):
    from ntm.funding.selectors import by_unit
    from ntm.plans import services as plans
    from ntm.plans.models import Task

    unit = world["tho_long"]
    services.add_entry(None, unit, EntryInput("central_budget", DAY, amount=10_000_000))
    province = world["province"]
    assert summary(province, YEAR)["total"] == 10_000_000
    assert by_unit(province, YEAR) == [{"unit_id": unit.pk, "name": unit.full_name, "total": 10_000_000}]
    plan = plans.create_plan(None, unit, title="KH", target_level="ntm", target_year=YEAR, year_from=YEAR, year_to=YEAR)
    task = Task.objects.create(plan=plan, set_code="x", criterion="2", indicator="2.2", title="Đường thôn", target=95,
                               deadline=dt.date(YEAR, 12, 31))
    plans.set_budget(None, task, "central_budget", "100.000.000")
    with pytest.raises(ValidationError, match="không có trong danh mục"):
        plans.set_budget(None, task, "gold", 1)
    services.add_entry(None, unit, EntryInput("central_budget", DAY, amount=40_000_000, task=task))
    body = login("xa").get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert "Dự toán và đã huy động theo nguồn" in body and "40 triệu đồng" in body and "100 triệu đồng" in body


def test_province_settings_page(world):
    unit, province = world["tho_long"], world["province"]
    tinh = login("tinh")
    r = tinh.post(f"/don-vi/{province.pk}/nguon-luc/cai-dat/", {"what": "ceiling", "year_from": "2026",
                                                               "amount": "400.000", "decision": "QĐ 1"}, follow=True)
    assert "400.000 đồng/hộ/năm" in r.content.decode()
    assert services.ceiling_for(unit, 2026) == 400_000
    # a commune reads its province's values but cannot change them (the province is outside its grant)
    assert login("xa").post(f"/don-vi/{unit.pk}/nguon-luc/cai-dat/", {"what": "type", "code": "x", "name": "y"}
                            ).status_code == 404
    assert login("xem").post(f"/don-vi/{province.pk}/nguon-luc/cai-dat/", {"what": "type", "code": "x", "name": "y"}
                             ).status_code == 403
    assert "Hộ nghèo" in login("xa").get(f"/don-vi/{unit.pk}/nguon-luc/cai-dat/").content.decode()


def test_a_refused_entry_is_shown_again_with_what_was_typed(world):
    """Bad input loses nothing: the ledger page comes back (400) with the typed values in their fields,
    the reason beside the field, and nothing written — whether the form or the service refuses."""
    unit = world["tho_long"]
    xa = login("xa")
    typed = {"what": "entry", "source": "enterprise", "date": "31/02/2026", "amount": "20.000.000",
             "work": "Nhà văn hóa thôn 3", "note": "Công ty X tài trợ"}
    r = xa.post(f"/don-vi/{unit.pk}/nguon-luc/", typed)
    body = r.content.decode()
    assert r.status_code == 400
    for value in ("31/02/2026", "20.000.000", "Nhà văn hóa thôn 3", "Công ty X tài trợ"):
        assert f'value="{value}"' in body, value
    assert '<option value="enterprise" selected>' in body
    assert 'is-invalid" type="text" name="date"' in body and 'class="invalid-feedback"' in body
    r = xa.post(f"/don-vi/{unit.pk}/nguon-luc/", {**typed, "date": "20/03/2026", "amount": "hai mươi triệu"})
    assert r.status_code == 400 and 'value="hai mươi triệu"' in r.content.decode()  # refused by the service
    assert not Contribution.objects.filter(unit=unit).exists()
    # corrected, the same form is written and the page moves on (post/redirect/get)
    r = xa.post(f"/don-vi/{unit.pk}/nguon-luc/", {**typed, "date": "20/03/2026"})
    assert r.status_code == 302 and Contribution.objects.filter(unit=unit).count() == 1


@pytest.mark.parametrize("who, page, typed, kept, model", [
    # the form refuses (no unit cost): the catalogue of unit costs
    ("tinh", "/don-vi/{province}/don-gia/", {"field": "roads_paved_share", "label": "Bê tông hóa đường thôn",
     "unit": "km", "unit_cost": "", "effort": "2", "source": "QĐ 12/UBND"}, ["Bê tông hóa đường thôn", "QĐ 12/UBND"],
     "plans.CostRate"),
    # the form refuses (a year out of range): the province's ceiling per household
    ("tinh", "/don-vi/{province}/nguon-luc/cai-dat/", {"what": "ceiling", "year_from": "1999", "amount": "400.000",
     "decision": "QĐ 7/2026/QĐ-UBND"}, ["1999", "400.000", "QĐ 7/2026/QĐ-UBND"], "funding.Ceiling"),
    # the form refuses (no name): a steering organisation of the commune
    ("xa", "/don-vi/{commune}/chi-dao/", {"what": "organisation", "name": "", "kind": "mass"}, ['value="mass" selected'],
     "plans.Organisation"),
])
def test_a_refused_form_comes_back_as_typed(world, who, page, typed, kept, model):
    """Every page with a form: refused input comes back (400) with what was typed, nothing written."""
    from django.apps import apps

    rows = apps.get_model(model).objects.count()
    url = page.format(province=world["province"].pk, commune=world["tho_long"].pk)
    r = login(who).post(url, typed)
    body = r.content.decode()
    assert r.status_code == 400, r.status_code
    for text in kept:
        assert text in body, text
    assert apps.get_model(model).objects.count() == rows

"""The web app driven through the test client: scoping, entry, scorecard, dashboard, queries."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from ntm.accounts.models import AuditEntry
from ntm.evaluations.models import Evaluation
from ntm.figures.models import FigureChange, Period
from ntm.testing import YEAR, login
from ntm.units.models import Unit

WORLD_COMMUNES = 12


pytestmark = pytest.mark.django_db



def test_login_page_is_vietnamese(client, world):
    r = client.get(reverse("login"))
    assert "Đăng nhập hệ thống NTM" in r.content.decode()


def test_anonymous_is_sent_to_login(client, world):
    r = client.get(reverse("unit_detail", args=[world["tho_long"].pk]))
    assert r.status_code == 302 and "/dang-nhap/" in r["Location"]


def test_commune_official_sees_own_commune_and_its_history(world):
    c = login("xa")
    r = c.get(reverse("unit_detail", args=[world["tho_long"].pk]))
    assert r.status_code == 200
    assert "Xã Thọ Long" in r.content.decode() and "Hình thành từ" in r.content.decode()
    nam_giang = Unit.objects.get(scheme="legacy", code="15505")
    assert c.get(reverse("unit_detail", args=[nam_giang.pk])).status_code == 200


def test_commune_official_cannot_open_another_commune(world):
    c = login("xa")
    other = Unit.objects.filter(scheme="current", province__code="38", kind="xã").exclude(pk=world["tho_long"].pk).first()
    assert c.get(reverse("unit_detail", args=[other.pk])).status_code == 404
    assert c.get(reverse("figure_entry", args=[other.pk, YEAR])).status_code == 404
    assert c.post(reverse("figure_save", args=[other.pk, YEAR, "income_per_capita"]), {"value": "1"}).status_code == 404


def test_legacy_history_is_read_only_for_the_commune(world):
    c = login("xa")
    nam_giang = Unit.objects.get(scheme="legacy", code="15505")
    assert c.get(reverse("figure_entry", args=[nam_giang.pk, 2016])).status_code == 403


def test_viewer_cannot_edit(world):
    c = login("xem")
    assert c.get(reverse("unit_detail", args=[world["tho_long"].pk])).status_code == 200
    assert c.post(reverse("figure_save", args=[world["tho_long"].pk, YEAR, "income_per_capita"]), {"value": "1"}).status_code == 403


def test_search_ignores_diacritics_and_scope(world):
    c = login("tinh")
    body = c.get(reverse("unit_search"), {"q": "tho long"}).content.decode()
    assert "Xã Thọ Long" in body
    assert "Đông Sơn" in c.get(reverse("unit_search"), {"q": "dong son"}).content.decode()
    assert "Hà Nội" not in c.get(reverse("unit_search"), {"q": "ba dinh"}).content.decode()


def test_saving_a_figure_updates_the_scorecard_and_keeps_history(world):
    c = login("xa")
    unit = world["tho_long"]
    before = Evaluation.objects.get(unit=unit, year=YEAR)
    assert before.met["3"] is False
    url = reverse("figure_save", args=[unit.pk, YEAR, "income_per_capita"])
    r = c.post(url, {"value": "250,5"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert 'hx-swap-oob="true"' in r.content.decode()
    change = FigureChange.objects.filter(figure__unit=unit, figure__field="income_per_capita").latest("changed_at")
    assert str(change.new_value) == "250.5000" and change.changed_by.username == "xa"
    history = c.get(reverse("figure_history", args=[unit.pk, YEAR, "income_per_capita"])).content.decode()
    assert "250,5" in history and "xa" in history


@pytest.mark.parametrize("raw, message", [("abc", "không phải là số"), ("-3", "không được âm"), ("150", "vượt quá 100")])
def test_bad_values_are_refused_and_kept(world, raw, message):
    c = login("xa")
    field = "income_per_capita" if raw != "150" else None
    if field is None:
        from ntm.criteria.loader import registry

        spec = registry()[world["base"].code]
        field = next(i.field for i in spec.indicators() if i.kind == "percent" and i.field)
    r = c.post(reverse("figure_save", args=[world["tho_long"].pk, YEAR, field]), {"value": raw})
    body = r.content.decode()
    assert r.status_code == 422 and message in body and f'value="{raw}"' in body


def test_numerator_cannot_exceed_denominator(world):
    from ntm.criteria.loader import registry

    spec = registry()[world["base"].code]
    ind = next(i for i in spec.indicators() if i.numerator == "poor_households" or (i.numerator and i.denominator == "households_total"))
    c = login("xa")
    r = c.post(reverse("figure_save", args=[world["tho_long"].pk, YEAR, ind.numerator]), {"value": "1.000.000"})
    assert r.status_code == 422 and "Không được lớn hơn" in r.content.decode()


def test_closed_period_is_read_only_until_reopened(world):
    tinh, xa = login("tinh"), login("xa")
    unit = world["tho_long"]
    assert xa.post(reverse("period", args=[unit.pk, YEAR]), {"closed": "1"}).status_code == 403
    tinh.post(reverse("period", args=[unit.pk, YEAR]), {"closed": "1"})
    assert Period.is_closed(unit, YEAR)
    r = xa.post(reverse("figure_save", args=[unit.pk, YEAR, "income_per_capita"]), {"value": "10"})
    assert r.status_code == 422 and "đã khoá" in r.content.decode()
    tinh.post(reverse("period", args=[unit.pk, YEAR]), {"closed": "0", "reason": "sửa số liệu"})
    assert Period.is_closed(unit, YEAR), "only an administrator reopens a closed year"
    admin = login("admin")
    admin.post(reverse("period", args=[unit.pk, YEAR]), {"closed": "0"})
    assert Period.is_closed(unit, YEAR), "reopening needs a reason"
    admin.post(reverse("period", args=[unit.pk, YEAR]), {"closed": "0", "reason": "Xã bổ sung số liệu"})
    assert not Period.is_closed(unit, YEAR)
    closing = AuditEntry.objects.get(action="figures.close_period")
    reopening = AuditEntry.objects.get(action="figures.reopen_period")
    assert closing.unit == unit.province and reopening.after["reason"] == "Xã bổ sung số liệu"


def test_dashboard_renders_matrix_counts_and_map(world, django_assert_max_num_queries):
    c = login("tinh")
    with django_assert_max_num_queries(25):
        r = c.get(reverse("dashboard", args=[world["province"].pk]), {"year": YEAR, "sort": "-met"})
    body = r.content.decode()
    assert r.status_code == 200
    assert 'data-testid="matrix"' in body and "Xã Thọ Long" in body  # evaluated communes first: on the first page
    assert "geo/communes/38.geojson" in body


def test_dashboard_filters(world):
    c = login("tinh")
    r = c.get(reverse("dashboard", args=[world["province"].pk]), {"year": YEAR, "criterion": "3", "partial": "1"},
              HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert "<html" not in body
    # the answer replaces the rows, not the form that asked: a change made meanwhile stays in the form
    assert "<form" not in body and "xã khớp bộ lọc" in body
    from ntm.evaluations.models import Evaluation

    evaluated = Evaluation.objects.filter(unit__province=world["province"], year=YEAR)
    failing = {e.unit.full_name for e in evaluated if e.met.get("3") is not True}
    passing = {e.unit.full_name for e in evaluated if e.met.get("3") is True}
    assert "Xã Thọ Long" in failing and passing, "the world must have communes on both sides of the filter"
    shown = set(re.findall(r'class="name"><a [^>]*title="([^"]+)"', body))
    assert shown == failing, (shown, failing)


def test_scorecard_marks_unverified_thresholds(world):  # its query count is pinned in tests/test_query_counts.py
    r = login("tinh").get(reverse("unit_detail", args=[world["tho_long"].pk]))
    assert r.status_code == 200 and "chưa xác minh" in r.content.decode()


def test_admin_manages_users_and_grants(world):
    c = login("admin")
    r = c.post(reverse("user_list"), {"username": "moi", "full_name": "Nguyễn Văn Mới", "password": "x", "role": "commune", "unit": "15505"})
    assert "This password is too short" in r.content.decode() or "quá ngắn" in r.content.decode()
    assert 'value="moi"' in r.content.decode()  # what was typed is kept
    r = c.post(reverse("user_list"), {"username": "moi", "full_name": "Nguyễn Văn Mới", "password": "rat-kho-doan-2026",
                                      "role": "commune", "unit": "15505"})
    assert r.status_code == 302
    assert login_ok("moi", "rat-kho-doan-2026")
    assert AuditEntry.objects.filter(action="accounts.grant").exists()
    assert login("xa").get(reverse("user_list")).status_code == 404


def login_ok(username, password):
    return Client().login(username=username, password=password)


def test_english_through_django_i18n(client, world):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("login")).content.decode()
    assert "Sign in to NTM" in body and 'lang="en"' in body


def test_national_overview_is_for_administrators(world):
    body = login("admin").get(reverse("national"), {"year": YEAR}).content.decode()
    assert "Tỉnh Thanh Hóa" in body and "%" in body
    assert login("tinh").get(reverse("national")).status_code == 404


def test_vietnamese_first_even_for_an_english_browser(world):
    body = Client().get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Đăng nhập hệ thống NTM" in body


def test_matrix_exports_to_excel_with_the_same_rows(world, tmp_path):
    from openpyxl import load_workbook

    r = login("tinh").get(reverse("dashboard", args=[world["province"].pk]), {"year": YEAR, "format": "xlsx", "criterion": "3"})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    path = tmp_path / "m.xlsx"
    path.write_bytes(r.content)
    ws = load_workbook(path)["Năm 2026"]
    rows = [row for row in ws.iter_rows(min_row=5, values_only=True)]
    assert any(row[1] == "Xã Thọ Long" for row in rows)
    tho_long = next(row for row in rows if row[1] == "Xã Thọ Long")
    assert tho_long[3] == "Chưa đạt" and tho_long[5 + 2] == "Chưa đạt"  # criterion 3 is the failing one
    assert all(row[7] != "Đạt" for row in rows)  # filtered: only communes not meeting criterion 3

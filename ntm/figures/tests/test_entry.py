"""The entry page through the test client: saving (htmx and without JavaScript), the source, history
rows, the per-field history, and which pages link to entry and import."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from ntm.figures.models import Figure, FigureChange
from ntm.figures.services import CellInput, write_figures
from ntm.figures.views import entry_open, import_open
from ntm.testing import YEAR, login
from ntm.units.models import Unit

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def save(client, unit, field, value, source=""):
    return client.post(reverse("figure_save", args=[unit.pk, YEAR, field]), {"value": value, "source": source}, **HTMX)


def bool_field(world):
    return next(f.code for f in world["base"].fields.values() if f.kind == "bool")


def test_saving_keeps_the_source_and_an_unchanged_value_adds_no_history(world):
    unit, c = world["tho_long"], login("xa")
    assert save(c, unit, "income_per_capita", "71,5", source="Báo cáo thống kê xã 2026").status_code == 200
    fig = Figure.objects.get(unit=unit, year=YEAR, field="income_per_capita")
    assert fig.source == "Báo cáo thống kê xã 2026"
    rows = FigureChange.objects.filter(figure=fig).count()
    # the same value again (the user pressed Enter twice), then a new value without a source
    assert save(c, unit, "income_per_capita", "71,5").status_code == 200
    assert FigureChange.objects.filter(figure=fig).count() == rows
    assert save(c, unit, "income_per_capita", "72").status_code == 200
    fig.refresh_from_db()
    assert fig.source == "Báo cáo thống kê xã 2026" and fig.value == 72
    assert FigureChange.objects.filter(figure=fig).count() == rows + 1


def test_entry_page_offers_the_last_source_and_never_submits_natively(world):
    unit, c = world["tho_long"], login("xa")
    save(c, unit, "income_per_capita", "73", source="Sổ theo dõi thôn")
    body = c.get(reverse("figure_entry", args=[unit.pk, YEAR])).content.decode()
    assert re.search(r'id="entry-source"[^>]*value="Sổ theo dõi thôn"', body)
    assert "js/entry.js" in body
    # every field form posts (never a GET that would put ?value= in the address) and has a unique id
    forms = re.findall(r"<form [^>]*data-entry[^>]*>", body)
    assert forms and all('method="post"' in f and 'hx-include="#entry-source"' in f for f in forms)
    ids = re.findall(r'<form [^>]*id="(f-[^"]+)"', body)
    assert len(ids) == len(set(ids)) == len(forms)
    assert "onclick" not in body and "hx-on" not in body and "<script>" not in body


def test_without_javascript_a_save_returns_to_the_page(world):
    unit, c = world["tho_long"], login("xa")
    page = c.get(reverse("figure_entry", args=[unit.pk, YEAR])).content.decode()
    assert '<noscript><input type="hidden" name="csrfmiddlewaretoken"' in page and 'name="native" value="1"></noscript>' in page
    r = c.post(reverse("figure_save", args=[unit.pk, YEAR, "income_per_capita"]), {"value": "74", "native": "1"})
    assert r.status_code == 302 and r["Location"].endswith(f"/so-lieu/{YEAR}/#f-income_per_capita")
    assert Figure.objects.get(unit=unit, year=YEAR, field="income_per_capita").value == 74


def test_save_swaps_the_bar_and_the_criterion_marks(world):
    unit, c = world["tho_long"], login("xa")
    body = save(c, unit, "income_per_capita", "75").content.decode()
    assert 'id="entry-bar"' in body and 'hx-swap-oob="true"' in body
    assert re.search(r'id="cs-xa-ntm-2026-\d+" hx-swap-oob="true"', body)


def test_each_history_shows_its_own_field_and_yes_no_reads_dat_khong(world):
    unit, c = world["tho_long"], login("xa")
    flag = bool_field(world)
    save(c, unit, flag, "0")
    save(c, unit, flag, "1")
    save(c, unit, "income_per_capita", "76")
    h_flag = c.get(reverse("figure_history", args=[unit.pk, YEAR, flag]), **HTMX).content.decode()
    h_income = c.get(reverse("figure_history", args=[unit.pk, YEAR, "income_per_capita"]), **HTMX).content.decode()
    assert f'data-field="{flag}"' in h_flag and 'data-field="income_per_capita"' in h_income
    assert world["base"].fields[flag].name in h_flag
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', h_flag)
    assert cells[:2] == ["Không", "Đạt"]  # newest first: old = Không, new = Đạt
    assert "1.0000" not in h_flag and ">1<" not in h_flag


def test_updated_time_follows_an_import(world):
    unit, c = world["tho_long"], login("xa")
    tinh = User.objects.get(username="tinh")
    before = timezone.now() - timedelta(minutes=1)
    write_figures(tinh, [CellInput(unit.pk, YEAR, "income_per_capita", "77")], source="Tệp Excel của tỉnh", door="import")
    fig = Figure.objects.get(unit=unit, year=YEAR, field="income_per_capita")
    assert fig.updated_at >= before and fig.updated_by == tinh
    body = c.get(reverse("figure_history", args=[unit.pk, YEAR, "income_per_capita"]), **HTMX).content.decode()
    shown = timezone.localtime(fig.updated_at).strftime("%H:%M %d/%m/%Y")
    assert f"cập nhật {shown}" in body and "Tệp Excel của tỉnh" in body


def test_entry_and_import_links_only_where_they_open(world):
    tinh, xa = User.objects.get(username="tinh"), User.objects.get(username="xa")
    province, unit = world["province"], world["tho_long"]
    nam_giang = Unit.objects.get(scheme="legacy", code="15505")
    assert entry_open(xa, unit, YEAR) and not entry_open(xa, nam_giang, 2020)  # history is read-only
    assert not entry_open(tinh, province, YEAR)  # no criteria set evaluates a province
    assert not entry_open(User.objects.get(username="xem"), unit, YEAR)
    assert not entry_open(xa, unit, 2024)  # Thọ Long exists from 1 July 2025
    c = login("tinh")
    page = c.get(reverse("unit_detail", args=[province.pk])).content.decode()
    assert reverse("figure_entry", args=[province.pk, YEAR]) not in page
    checked = 0
    for username in ("tinh", "admin", "xem", "thamdinh"):
        user, client = User.objects.get(username=username), login(username)
        for year in (2025, YEAR):
            dash = client.get(reverse("dashboard", args=[province.pk]), {"year": year}).content.decode()
            link = reverse("figure_import", args=[province.pk, year])
            assert (link in dash) == import_open(user, province, year), (username, year)
            if link in dash:  # a link offered opens
                assert client.get(link).status_code == 200, (username, year)
                checked += 1
    assert checked >= 2


def test_search_finds_units_by_code(world):
    c = login("xa")
    body = c.get(reverse("unit_search"), {"q": "15505"}, **HTMX).content.decode()
    assert "Xã Thọ Long" in body and "Nam Giang" in body
    assert body.index("Xã Thọ Long") < body.index("Nam Giang")  # the current commune first
    legacy = c.get(reverse("unit_search"), {"q": "L:15505"}, **HTMX).content.decode()
    assert "Nam Giang" in legacy and "Xã Thọ Long</strong>" not in legacy
    assert "Ba Đình" not in login("xa").get(reverse("unit_search"), {"q": "00004"}, **HTMX).content.decode()


def test_matrix_cells_carry_a_symbol_and_the_filters_go_into_the_address(world):
    c = login("tinh")
    body = c.get(reverse("dashboard", args=[world["province"].pk]), {"year": YEAR, "criterion": "3"}).content.decode()
    matrix = body[body.index('data-testid="matrix"'):]
    assert re.search(r'class="cell cell-0" title="Chưa đạt">✗<', matrix)
    assert 'hx-push-url="true"' in body
    assert re.search(r'<option value="3" selected>', body)  # a shared link reproduces the filter
    partial = c.get(reverse("dashboard", args=[world["province"].pk]), {"year": YEAR, "criterion": "3"},
                    HTTP_HX_REQUEST="true", HTTP_HX_TARGET="matrix").content.decode()
    assert "<html" not in partial and "Thọ Long" in partial


def test_users_change_their_own_password(world):
    c = login("xem")
    assert reverse("password_change") in c.get("/", follow=True).content.decode()
    r = c.post(reverse("password_change"), {"old_password": "ntm-demo", "new_password1": "Lua-chin-vang-2026",
                                            "new_password2": "Lua-chin-vang-2026"})
    assert r.status_code == 302 and r["Location"] == reverse("password_change_done")
    assert "Đã đổi mật khẩu" in c.get(r["Location"]).content.decode()
    assert login("xem", "Lua-chin-vang-2026")


def test_revoking_a_grant_asks_for_confirmation(world):
    c = login("admin")
    xem = User.objects.get(username="xem")
    grant = xem.grants.get()
    page = c.get(reverse("user_grants", args=[xem.pk])).content.decode()
    assert re.search(r"<details[^>]*>\s*<summary[^>]*>Thu hồi</summary>", page)
    assert f'name="delete" value="{grant.pk}">Xác nhận thu hồi' in page
    c.post(reverse("user_grants", args=[xem.pk]), {"delete": grant.pk})
    assert not xem.grants.exists()


def test_favicon_is_linked_and_served(world):
    c = login("xa")
    assert 'rel="icon"' in c.get("/", follow=True).content.decode()
    r = c.get("/favicon.ico")
    assert r.status_code == 301 and r["Location"].endswith("favicon.svg")


def test_derived_field_is_read_only_with_a_link_to_its_source(world):
    """The count of OCOP products comes from the register: shown, not typed; the save door and the
    write path refuse it (a system seed may still store a figure the register then overrides)."""
    from ntm.figures.services import WriteRefused, derived_fields, set_figure

    assert derived_fields()["ocop_products_rated"].source.startswith("sổ sản phẩm OCOP")
    unit = world["tho_long"]
    xa = login("xa")
    body = xa.get(reverse("figure_entry", args=[unit.pk, YEAR])).content.decode()
    block = body.split('data-testid="derived-ocop_products_rated"')[1].split("</div>\n</div>")[0]
    assert f'href="/don-vi/{unit.pk}/ocop/"' in block and 'name="value"' not in block
    assert xa.post(reverse("figure_save", args=[unit.pk, YEAR, "ocop_products_rated"]), {"value": "3"}).status_code == 404
    with pytest.raises(WriteRefused, match="không nhập tay"):
        set_figure(unit, YEAR, "ocop_products_rated", "3", user=User.objects.get(username="xa"))
    write_figures(None, [CellInput(unit.pk, YEAR, "ocop_products_rated", "3")], system=True, door="demo")

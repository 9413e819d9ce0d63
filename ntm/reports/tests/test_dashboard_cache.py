"""The dashboard's cached figures and rendered fragments: a change of the data shows at once (through
the data version raised on commit, whichever process wrote), readers with different scopes never
share an entry, and the matrix pages while its Excel export keeps every row."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from ntm.accounts.models import Grant, Role
from ntm.core import versions
from ntm.evaluations.models import Evaluation
from ntm.evaluations.recompute import recompute_all
from ntm.figures.services import set_figure
from ntm.reports.views import MATRIX_PAGE
from ntm.testing import YEAR, login
from ntm.units.models import Unit

pytestmark = pytest.mark.django_db
WORLD_COMMUNES = 4


def names(body: str) -> list[str]:
    return re.findall(r'class="name"><a [^>]*title="([^"]+)"', body)


def row_of(response, unit) -> dict:
    return next(r for r in response.context["rows"] if r["id"] == unit.pk)


def test_a_figure_change_shows_on_the_cached_dashboard(world, django_capture_on_commit_callbacks):
    c = login("tinh")
    url = reverse("dashboard", args=[world["province"].pk])
    params = {"year": YEAR, "sort": "met"}  # the commune sorts first once it meets fewer criteria
    unit = Evaluation.objects.filter(unit__province=world["province"], year=YEAR, level="ntm").first().unit
    before = row_of(c.get(url, params), unit)
    assert c.get(url, params).context["fragment"]  # the second answer comes from the cache
    start = versions.read(versions.RESULTS)[0]
    with django_capture_on_commit_callbacks(execute=True):
        set_figure(unit, YEAR, "income_per_capita", "1", user=User.objects.get(username="tinh"))
    assert versions.read(versions.RESULTS)[0] > start
    stored = Evaluation.objects.get(unit=unit, year=YEAR)
    assert stored.criteria_met < before["criteria_met"], "the test needs a figure that changes the result"
    r = c.get(url, params)
    assert row_of(r, unit)["criteria_met"] == stored.criteria_met and row_of(r, unit)["level"] == stored.level == ""
    shown = re.search(rf'title="{unit.full_name}".*?<td class="text-end">(\d+)</td>', r.content.decode(), re.S)
    assert int(shown.group(1)) == stored.criteria_met  # the rendered matrix moved too, not only the data


def test_a_recompute_from_the_command_line_shows_too(world, django_capture_on_commit_callbacks):
    """`manage.py recompute` runs in another process: it sends no signal to the web workers, only
    raises the version in the database."""
    from ntm.figures.models import Figure

    c = login("tinh")
    url = reverse("dashboard", args=[world["province"].pk])
    params = {"year": YEAR, "sort": "met"}  # evaluated communes first: on the first page
    unit = Evaluation.objects.filter(unit__province=world["province"], year=YEAR, level="ntm").first().unit
    before = row_of(c.get(url, params), unit)["criteria_met"]
    Figure.objects.filter(unit=unit, year=YEAR, field="income_per_capita").update(value=1)  # a raw load: no signal
    assert row_of(c.get(url, params), unit)["criteria_met"] == before  # cached, and nothing said otherwise
    with django_capture_on_commit_callbacks(execute=True):
        recompute_all(province_code="38", years=[YEAR])
    stored = Evaluation.objects.get(unit=unit, year=YEAR).criteria_met
    assert stored < before and row_of(c.get(url, params), unit)["criteria_met"] == stored


def test_readers_with_different_scopes_never_share_a_cached_page(world):
    province = world["province"]
    url = reverse("dashboard", args=[province.pk])
    national = login("admin").get(url, {"year": YEAR}).context
    office = login("tinh").get(url, {"year": YEAR}).context
    assert national["total"] == office["total"]
    assert national["fragment"] != office["fragment"]  # keyed by scope: never served across scopes
    # an official of one pre-reform district: that district's communes only, and no province dashboard
    district = Unit.objects.filter(scheme="legacy", level="district", province__code="38").order_by("code").first()
    user = User.objects.create_user("huyen-test", password="x")
    Grant.objects.create(user=user, unit=district, role=Role.PROVINCE)
    from django.test import Client

    c = Client()
    c.force_login(user)
    assert c.get(url, {"year": 2024}).status_code == 404
    mine = c.get(reverse("dashboard", args=[district.pk]), {"year": 2024}).context
    assert mine["total"] == Unit.objects.filter(parent=district, level="commune", kind="xã").count() > 0


def test_matrix_pages_keep_filters_and_excel_keeps_every_row(world):
    c = login("tinh")
    url = reverse("dashboard", args=[world["province"].pk])
    first = c.get(url, {"year": YEAR})
    total = first.context["total"]
    assert total > MATRIX_PAGE, "the province has more communes than one page"
    body = first.content.decode()
    assert len(names(body)) == MATRIX_PAGE and 'data-testid="matrix-pages"' in body
    assert f"?year={YEAR}&amp;level=&amp;criterion=&amp;sort=name&amp;page=2" in body
    seen = []
    pages = -(-total // MATRIX_PAGE)
    for n in range(1, pages + 1):  # the htmx pager swaps only the matrix
        part = c.get(url, {"year": YEAR, "page": n}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="matrix").content.decode()
        assert "<html" not in part
        seen += names(part)
    assert len(seen) == len(set(seen)) == total
    # a filter stays in the pager's links, and the page number falls back into range
    r = c.get(url, {"year": YEAR, "sort": "-met", "page": 99})
    assert r.context["page"].number == pages and "sort=-met&amp;page=1" in r.content.decode()
    from io import BytesIO

    from openpyxl import load_workbook

    xlsx = c.get(url, {"year": YEAR, "format": "xlsx", "page": 2})
    ws = load_workbook(BytesIO(xlsx.content))[f"Năm {YEAR}"]
    assert sum(1 for row in ws.iter_rows(min_row=5, values_only=True) if row[0]) == total


def test_a_recognition_decision_shows_on_the_cached_dashboard(world, django_capture_on_commit_callbacks):
    from ntm.recognition.models import Recognition

    c = login("tinh")
    url = reverse("dashboard", args=[world["province"].pk])
    assert c.get(url, {"year": YEAR}).context["recognised"]["count"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        Recognition.objects.create(unit=world["tho_long"], year=YEAR, level="ntm", kind=Recognition.Kind.RECORDED,
                                   decision_number="1/QĐ-UBND")
    assert c.get(url, {"year": YEAR}).context["recognised"]["count"] == 1

"""Query counts of the main pages, pinned exactly (as NetBox pins its views' counts): a change that
adds a query per row, or a query anywhere, fails here and names the page — then either remove the
query or, for a deliberate change, update the pin with the reason in the commit.

Each page is read at two sizes of what it lists and must cost the same both times (the count does not
grow with the rows). Counts are taken after one warm-up request (module caches such as the criteria
sets are not the page's cost) and with the portal's page cache cleared. The dashboard is pinned
elsewhere once its speed work lands (`reports/tests/test_views.py` caps it meanwhile)."""

import random
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ntm.accounts.models import Grant, Role
from ntm.criteria.evaluate import Classification, base_set_for
from ntm.criteria.loader import province_view, registry
from ntm.demo.synth import Target, synthesize
from ntm.evaluations.recompute import recompute_all
from ntm.figures.models import Figure
from ntm.practices.services import save_news
from ntm.testing import YEAR, login
from ntm.units.models import Classification as UnitClass
from ntm.units.models import Unit

pytestmark = pytest.mark.django_db
WORLD_COMMUNES = 2

# page → queries (SQLite and PostgreSQL alike, unless given per database)
# portal home: one query reads the data versions its cached parts are keyed by (core.versions)
# scorecard 25 → 22, entry 21 → 17 (issue 16, the save): the period lock is one query when nothing is
# closed (was 3), the OCOP products of a unit one query (was 2, read twice by the entry page)
PINS = {"scorecard": 22, "entry": 17, "unit_tree": 5, "portal_home": 12, "api_units": 4,
        # one figure saved (htmx), figures/views.save — session, user, grants, the unit within the scope
        # of figures.edit, the registry check; in the write: units with the scope decision, the period
        # lock, the figures (locked), the update, history row, audit entry (one statement on PostgreSQL,
        # core.bulk.together); the recompute (from the figures the write hands over, not read back):
        # unit rows, OCOP products (the district rollup is not asked about a commune), classification, the
        # stored row before and the upsert — one statement on PostgreSQL (its past results only for years
        # whose sets read them: not 2026);
        # SAVEPOINT/RELEASE (here the write runs inside the test's transaction; in production it is
        # the transaction: BEGIN on SQLite, none counted on PostgreSQL, and the data versions' UPDATE
        # after commit, see `make bench`)
        "save": {"sqlite": 18, "postgresql": 15}}


def queries(client, url, **params) -> int:
    """The queries one GET of `url` makes (after a warm-up request); the page must answer 200."""
    cache.clear()
    client.get(url, params)
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params)
    assert r.status_code == 200, (url, r.status_code)
    return len(ctx.captured_queries)


def evaluate_more(province_code: str, n: int, years=(YEAR,)) -> list[Unit]:
    """Figures (synthesised to reach NTM) and stored results for `n` more communes of a province."""
    specs = province_view(registry(), province_code)
    base = base_set_for(specs, "commune", YEAR)
    units = list(Unit.objects.filter(scheme="current", province__code=province_code, kind="xã")
                 .exclude(evaluations__year=YEAR).order_by("-code")[:n])
    rows = []
    for i, unit in enumerate(units):
        UnitClass.objects.get_or_create(unit=unit, scheme="group", value="2", year_from=YEAR)
        values, _ = synthesize(specs, base.code, Classification(region=unit.region, group=2), YEAR, Target(level="ntm"),
                               random.Random(100 + i))
        rows += [Figure(unit=unit, year=y, field=k, value=Decimal(str(round(v, 4)))) for y in years for k, v in values.items()]
    Figure.objects.bulk_create(rows)
    recompute_all(years=list(years))
    return units


def copy_figures(unit: Unit, to_year: int, share: float = 1.0) -> None:
    """`unit`'s figures of YEAR again for `to_year` (the first `share` of them), evaluated."""
    figures = list(Figure.objects.filter(unit=unit, year=YEAR).order_by("field"))
    Figure.objects.bulk_create([Figure(unit=unit, year=to_year, field=f.field, value=f.value)
                                for f in figures[: max(1, int(len(figures) * share))]])
    recompute_all(years=[to_year])


def test_scorecard_costs_the_same_with_more_years(world):
    tl, client = world["tho_long"], login("tinh")
    assert queries(client, f"/don-vi/{tl.pk}/") == PINS["scorecard"]
    for year in (YEAR + 1, YEAR + 2):  # two more years of figures, results and level changes
        copy_figures(tl, year)
    assert queries(client, f"/don-vi/{tl.pk}/") == PINS["scorecard"]


def test_entry_page_costs_the_same_with_more_figures(world):
    tl, client = world["tho_long"], login("xa")
    copy_figures(tl, YEAR + 1, share=0.2)
    few = queries(client, f"/don-vi/{tl.pk}/so-lieu/{YEAR + 1}/")
    assert (few, queries(client, f"/don-vi/{tl.pk}/so-lieu/{YEAR}/")) == (PINS["entry"], PINS["entry"])


def test_unit_tree_costs_the_same_with_more_provinces(world):
    client = login("tinh")
    assert queries(client, "/don-vi/") == PINS["unit_tree"]
    user = User.objects.get(username="tinh")
    for code in ("01", "79"):
        Grant.objects.create(user=user, unit=Unit.objects.get(scheme="current", level="province", code=code),
                             role=Role.PROVINCE)
    body = client.get("/don-vi/").content.decode()
    assert "Hà Nội" in body and "Hồ Chí Minh" in body
    assert queries(client, "/don-vi/") == PINS["unit_tree"]


def test_portal_home_costs_the_same_with_more_results_and_news(world):
    client = Client()
    assert queries(client, "/cong-khai/") == PINS["portal_home"]
    evaluate_more("38", 3)
    evaluate_more("01", 2)  # a second province in the table
    for i in range(3):
        save_news(None, world["tho_long"], title=f"Tin {i}", body="<p>Nội dung</p>", published=True, system=True)
    cache.clear()  # the writes above ran inside the test's transaction: no on-commit invalidation
    assert len(client.get("/cong-khai/").context["provinces"]) == 2
    assert queries(client, "/cong-khai/") == PINS["portal_home"]


def test_api_unit_list_costs_the_same_for_5_or_200_rows(world):
    client = login("tinh")
    assert len(client.get("/api/units", {"limit": 200}).json()) == 200
    assert queries(client, "/api/units", limit=5) == queries(client, "/api/units", limit=200) == PINS["api_units"]


def save_queries(client, unit, field: str, values: tuple[str, str]) -> int:
    """The queries one saved figure costs (a real change), after a warm-up save."""
    url = reverse("figure_save", args=[unit.pk, YEAR, field])
    assert client.post(url, {"value": values[0]}, HTTP_HX_REQUEST="true").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        r = client.post(url, {"value": values[1]}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200, r.content[:300]
    return len(ctx.captured_queries)


def test_a_saved_figure_costs_the_same_with_more_years_and_communes(world):
    tl, client = world["tho_long"], login("xa")
    pin = PINS["save"][connection.vendor]
    assert save_queries(client, tl, "income_per_capita", ("71,5", "72,5")) == pin
    for year in (YEAR - 1, YEAR + 1):  # more years of the commune's figures and results
        copy_figures(tl, year)
    evaluate_more("38", 3)  # more communes of the province with results
    assert save_queries(client, tl, "income_per_capita", ("73,5", "74,5")) == pin

"""Every URL pattern (from the resolver, so a new route is covered without editing this test),
filled with hostile path values and hostile query strings, as a signed-in administrator and
as an anonymous visitor: the answer is a page, a redirect, a 4xx — never a 5xx."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from ntm.testing import YEAR, login

WORLD_COMMUNES = 2
pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
LONG = "a" * 50_000
ZERO_WIDTH = "th\u200bo\u200d lo\ufeffng"
FULL_WIDTH = "ｔｈｏ ｌｏｎｇ"
# Values a path segment may take (each must survive quoting into a URL).
PATH_VALUES = [HUGE, "0", "-1", "1e5", "²", "%00", "\x00", "ｔｈｏ", ZERO_WIDTH, "<script>", "a" * 3000, "..", "%2e%2e"]
# Django's admin serves every model through the same views (object ids reach ModelAdmin.get_object,
# which turns a value the key refuses into "not found"): a few values per admin route are enough,
# and all of them on NTM's own routes.
ADMIN_VALUES = [HUGE, "%00", "<script>", ".."]
# Query strings: every parameter a view reads, and some no view reads.
QUERIES = [
    {"year": "-1"}, {"year": HUGE}, {"year": "0"}, {"year": "²"}, {"year": "２０２６"}, {"year": "2026\x00"},
    {"q": LONG}, {"q": "\x00"}, {"q": FULL_WIDTH}, {"q": ZERO_WIDTH}, {"q": "%"}, {"q": "_"}, {"q": "\U0010ffff"},
    {"level": "<script>", "criterion": HUGE, "sort": "-" * 100, "scheme": "\x00", "format": "xlsx", "partial": "1"},
    {"limit": HUGE, "template": "1", "next": "//evil.example/"}, {"limit": "-" + HUGE},
]


def patterns(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield p, prefix + str(p.pattern)


def urls_for(route: str, pattern: URLPattern, real: dict[str, str]) -> list[str]:
    """The route with each parameter set to a real value, then to each hostile one in turn."""
    template = "/" + route.lstrip("^").rstrip("$").replace("^", "")
    names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", template)
    names = [a or b for a, b in names]

    def build(values: dict[str, str]) -> str:
        url = template
        for name in names:
            value = quote(values.get(name, real.get(name, "1")), safe="")
            url = re.sub(rf"<(?:\w+:)?{name}>", value, url)
            url = re.sub(rf"\(\?P<{name}>[^)]*\)", value, url)
        return url.replace("\\", "")

    converters = getattr(pattern.pattern, "converters", {})
    out = [build({})]
    for name in names:
        if route.startswith("quan-tri/"):
            values = ADMIN_VALUES
        elif name in converters:
            # A value the route's converter refuses never reaches the view: one such value checks the
            # resolver's 404; the rest go to the view.
            accepted = [v for v in PATH_VALUES if re.fullmatch(converters[name].regex, v)]
            values = accepted + [v for v in PATH_VALUES if v not in accepted][:1]
        else:
            values = PATH_VALUES
        out += [build({name: v}) for v in values]
    return out


def sweep(client: Client, real: dict[str, str]) -> tuple[int, list[str]]:
    failures, checked = [], 0
    for pattern, route in patterns():
        if pattern.name in ("logout", "set_language"):
            continue
        # The admin's add, change, delete and history views read no query parameter; its lists do.
        reads_queries = not route.startswith("quan-tri/") or (pattern.name or "").endswith("changelist")
        for n, url in enumerate(urls_for(route, pattern, real)):
            for query in QUERIES if n == 0 and reads_queries else QUERIES[:1]:
                try:
                    r = client.get(url, query)
                    status = r.status_code
                except Exception as exc:  # noqa: BLE001 — recorded, the test fails below
                    status = f"{type(exc).__name__}: {str(exc)[:120]}"
                checked += 1
                if not isinstance(status, int) or status >= 500:
                    failures.append(f"GET {url[:120]} {str(query)[:80]} → {status}")
    return checked, failures


@pytest.fixture
def real(world):
    return {"pk": str(world["province"].pk), "year": str(YEAR), "field": "income_per_capita", "code": "xa-ntm-2026",
            "app_label": "auth", "object_id": "1"}


def test_admin_gets_no_server_error(world, real):
    checked, failures = sweep(login("admin"), real)
    assert checked > 300
    assert not failures, "\n".join(failures)


def test_commune_official_with_a_commune_gets_no_server_error(world, real):
    checked, failures = sweep(login("xa"), {**real, "pk": str(world["tho_long"].pk)})
    assert not failures, "\n".join(failures)


def test_anonymous_gets_no_server_error(world, real):
    checked, failures = sweep(Client(), real)
    assert checked > 300
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", [f"/don-vi/{HUGE}/", f"/bang-dieu-khien/{HUGE}/", f"/don-vi/1/so-lieu/{HUGE}/",
                                  "/don-vi/00001/", f"/api/units/{HUGE}", f"/api/units/1/evaluations/{HUGE}"])
def test_huge_numbers_in_paths_are_not_found(world, path):
    assert login("admin").get(path).status_code == 404


def test_year_out_of_range_falls_back_to_a_normal_page(world):
    client = login("admin")
    for year in ("-1", HUGE, "²", "0"):
        r = client.get(f"/bang-dieu-khien/{world['province'].pk}/", {"year": year})
        assert r.status_code == 200, year
        r = client.get("/toan-quoc/", {"year": year})
        assert r.status_code == 200, year


def test_long_and_odd_searches_are_answered(world):
    client = login("admin")
    assert client.get("/don-vi/tim/", {"q": LONG}).status_code == 200
    r = client.get("/don-vi/tim/", {"q": FULL_WIDTH})
    assert "Thọ Long" in r.content.decode()
    r = client.get("/don-vi/tim/", {"q": ZERO_WIDTH})
    assert "Thọ Long" in r.content.decode()
    assert client.get("/api/units", {"q": LONG}).status_code == 200
    assert client.get("/api/units", {"q": FULL_WIDTH}).json()


def test_nul_in_a_path_is_not_found(world):
    client = login("admin")
    for path in ("/api/units/%00/recognitions", "/don-vi/%00/", "/api/criteria-sets/%00"):
        assert client.get(path).status_code == 404, path

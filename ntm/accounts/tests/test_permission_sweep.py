"""Walk every URL pattern (from the resolver, so a new route is covered without editing this
test) as users of each role and of another unit: nothing outside their grants comes back."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from ntm.testing import YEAR

ROLES = ["tinh", "xa", "thon", "thamdinh", "giamsat", "xem"]
SECRET = "99,5"  # the outsider's (Hà Nội) figure, as the app would print it


WORLD_COMMUNES = 3


def patterns(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            if "quan-tri" in str(p.pattern):  # Django admin: staff only, checked separately below
                continue
            yield from patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield p, prefix + str(p.pattern)


def fill(route: str, pattern: URLPattern, pk: int) -> str:
    values = {"pk": pk, "year": YEAR, "field": "income_per_capita", "code": "xa-ntm-2026"}
    url = "/" + route.lstrip("^").rstrip("$")
    for name in pattern.pattern.converters:
        url = re.sub(rf"<(?:\w+:)?{name}>", str(values.get(name, 1)), url)
    return url


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ROLES)
def test_no_route_returns_another_units_data(world, username):
    client = Client()
    assert client.login(username=username, password="ntm-demo")
    outsider = world["outsider"]
    checked = 0
    for pattern, route in patterns():
        if pattern.name == "logout":
            continue
        url = fill(route, pattern, outsider.pk)
        for method in ("get", "post"):
            r = getattr(client, method)(url, {"value": "1", "closed": "1", "q": "ba dinh"})
            body = r.content.decode(errors="ignore")
            if "pk" in pattern.pattern.converters:
                assert r.status_code in (403, 404, 405), f"{method.upper()} {url} → {r.status_code} for {username}"
            assert SECRET not in body, f"{method.upper()} {url} leaked the outsider's figure to {username}"
            assert "Hà Nội" not in body, f"{method.upper()} {url} shows Hà Nội to {username}"
            checked += 1
    assert checked >= 20


def test_admin_site_is_staff_only(world):
    client = Client()
    client.login(username="tinh", password="ntm-demo")
    r = client.get("/quan-tri/units/unit/")
    assert r.status_code == 302 and "login" in r["Location"]

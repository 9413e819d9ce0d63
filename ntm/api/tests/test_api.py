"""The REST API: signed-in only, scoped like the pages, same engine."""

import pytest
from django.db import transaction
from django.test import Client

from ntm.testing import YEAR, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world(communes=2)
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def client_for(username):
    c = Client()
    assert c.login(username=username, password="ntm-demo")
    return c


def test_anonymous_gets_401(client, world):
    assert client.get("/api/units").status_code == 401


def test_search_is_diacritic_insensitive_and_scoped(world):
    xa = client_for("xa")
    names = [u["name"] for u in xa.get("/api/units", {"q": "tho long"}).json()]
    assert set(names) == {"Xã Thọ Long", "Thôn 1, Xã Thọ Long"}  # the commune and its hamlet
    assert xa.get("/api/units", {"q": "ba dinh"}).json() == []


def test_unit_and_its_evaluation(world):
    xa = client_for("xa")
    pk = world["tho_long"].pk
    unit = xa.get(f"/api/units/{pk}").json()
    assert unit["code"] == "15505" and any(p["name"] == "Xã Nam Giang" for p in unit["predecessors"])
    years = xa.get(f"/api/units/{pk}/evaluations").json()
    assert years[-1]["year"] == YEAR and years[-1]["criteria_total"] == 10
    full = xa.get(f"/api/units/{pk}/evaluations/{YEAR}").json()
    assert full["set"] == "xa-ntm-2026" and {"code", "value", "threshold", "op", "met"} <= full["indicators"][0].keys()
    assert xa.get(f"/api/units/{pk}/evaluations/2009").status_code == 404


def test_outsider_unit_is_404(world):
    assert client_for("xa").get(f"/api/units/{world['outsider'].pk}").status_code == 404


def test_criteria_sets(world):
    tinh = client_for("tinh")
    codes = {s["code"] for s in tinh.get("/api/criteria-sets").json()}
    assert {"xa-ntm-2021", "xa-ntm-2026"} <= codes
    detail = tinh.get("/api/criteria-sets/xa-ntm-2021").json()
    assert len(detail["criteria"]) == 19


def test_openapi_schema_is_served_without_a_cdn_page(world):
    schema = client_for("xem").get("/api/openapi.json").json()
    assert "/api/units/{pk}" in schema["paths"]
    assert client_for("xem").get("/api/docs").status_code == 404

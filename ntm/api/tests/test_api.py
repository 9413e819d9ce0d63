"""The REST API: signed-in only, scoped like the pages, same engine."""

import pytest

from ntm.testing import YEAR, login

WORLD_COMMUNES = 2


pytestmark = pytest.mark.django_db



def test_anonymous_gets_401(client, world):
    assert client.get("/api/units").status_code == 401


def test_search_is_diacritic_insensitive_and_scoped(world):
    xa = login("xa")
    names = [u["name"] for u in xa.get("/api/units", {"q": "tho long"}).json()]
    assert set(names) == {"Xã Thọ Long", "Thôn 1, Xã Thọ Long"}  # the commune and its hamlet
    assert xa.get("/api/units", {"q": "ba dinh"}).json() == []


def test_unit_and_its_evaluation(world):
    xa = login("xa")
    pk = world["tho_long"].pk
    unit = xa.get(f"/api/units/{pk}").json()
    assert unit["code"] == "15505" and any(p["name"] == "Xã Nam Giang" for p in unit["predecessors"])
    years = xa.get(f"/api/units/{pk}/evaluations").json()
    assert years[-1]["year"] == YEAR and years[-1]["criteria_total"] == 10
    full = xa.get(f"/api/units/{pk}/evaluations/{YEAR}").json()
    assert full["set"] == "xa-ntm-2026" and {"code", "value", "threshold", "op", "met"} <= full["indicators"][0].keys()
    # every threshold says how far it can be trusted; verdicts resting on unread values are listed
    assert {i["trust"] for i in full["indicators"]} == {"unverified"}
    assert full["unverified_criteria"] and full["date"] == f"{YEAR}-12-31"
    assert xa.get(f"/api/units/{pk}/evaluations/2009").status_code == 404


def test_outsider_unit_is_404(world):
    assert login("xa").get(f"/api/units/{world['outsider'].pk}").status_code == 404


def test_criteria_sets(world):
    tinh = login("tinh")
    codes = {s["code"] for s in tinh.get("/api/criteria-sets").json()}
    assert {"xa-ntm-2021", "xa-ntm-2026"} <= codes
    detail = tinh.get("/api/criteria-sets/xa-ntm-2021").json()
    assert len(detail["criteria"]) == 19


def test_openapi_schema_is_served_without_a_cdn_page(world):
    schema = login("xem").get("/api/openapi.json").json()
    assert "/api/units/{pk}" in schema["paths"]
    assert login("xem").get("/api/docs").status_code == 404


def test_units_of_the_same_name_carry_their_parent_and_province(world):
    rows = login("tinh").get("/api/units", {"q": "phu son", "scheme": "legacy", "level": "commune", "limit": 200}).json()
    phu_son = [r for r in rows if r["name"] in ("Xã Phú Sơn", "Phường Phú Sơn") and r["province"]["code"] == "38"]
    assert len(phu_son) == 4  # four communes and wards named Phú Sơn in Thanh Hóa before 2025
    assert {r["province"]["name"] for r in phu_son} == {"Tỉnh Thanh Hóa"}
    parents = {r["parent"]["name"] for r in phu_son}
    assert parents == {"Thành phố Thanh Hóa", "Thị xã Bỉm Sơn", "Huyện Quan Hóa", "Thị xã Nghi Sơn"}
    assert all(r["parent"]["code"] for r in phu_son)
    detail = login("tinh").get(f"/api/units/{phu_son[0]['id']}").json()
    assert detail["parent"]["name"] == phu_son[0]["parent"]["name"] and detail["province"]["code"] == "38"


def test_unit_rows_after_the_reform_name_their_province(world):
    row = next(r for r in login("xa").get("/api/units", {"q": "tho long"}).json() if r["code"] == "15505")
    assert row["province"] == {"code": "38", "name": "Tỉnh Thanh Hóa"} and row["parent"]["code"] == "38"
    schema = login("xa").get("/api/openapi.json").json()["components"]["schemas"]["UnitOut"]["properties"]
    assert {"parent", "province"} <= set(schema)

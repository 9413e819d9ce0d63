"""Reads from a replica (ntm/core/dbrouter.py): dashboards and the portal read from the `replica` alias,
writes and every read of a request that writes go to `default`, and a browser that just saved reads
its own write from `default` (read-your-writes), not from a replica that may lag.

The `replica` alias is configured as settings.py does for DATABASE_REPLICA_URL (TEST MIRROR of
`default`: the same test database). Its connection object shares the DB-API connection of `default`,
so it sees the test's rows inside the test's transaction, while every query is still logged on the
alias that ran it — which is what these tests count. SQLite and PostgreSQL alike."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ntm.core.dbrouter import PIN_COOKIE, REPLICA, ReplicaRouter
from ntm.testing import YEAR, login
from ntm.units.models import Unit

pytestmark = pytest.mark.django_db(databases=["default", REPLICA])


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup, django_db_blocker):
    """The `replica` alias of settings.py (DATABASE_REPLICA_URL), mirroring the test database, on the
    DB-API connection of `default`: always inside the tests' transaction (its atomic blocks are savepoints)."""
    default = connections["default"].settings_dict
    settings.DATABASES[REPLICA] = {**default, "TEST": {**default["TEST"], "MIRROR": "default"}}
    with django_db_blocker.unblock():
        connections["default"].ensure_connection()
    replica = connections[REPLICA]
    replica.connection = connections["default"].connection
    replica.autocommit, replica.in_atomic_block = False, True
    yield
    replica.connection, replica.in_atomic_block = None, False  # shared with default: never closed from here
    del connections[REPLICA]
    del settings.DATABASES[REPLICA]


@pytest.fixture(autouse=True)
def fresh_cache(world):
    cache.clear()  # portal pages are cached whole


def queries(client, method: str, url: str, **kwargs) -> tuple[object, dict[str, list[str]]]:
    """(response, {alias: [sql]}) of one request."""
    with CaptureQueriesContext(connections["default"]) as on_default, CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = getattr(client, method)(url, **kwargs)
    return response, {"default": [q["sql"] for q in on_default], REPLICA: [q["sql"] for q in on_replica]}


def only_session_and_user(sql: list[str]) -> bool:
    """Who the reader is and what they may see: always the primary's (a revoked grant stops at once)."""
    return all("django_session" in q or "auth_user" in q or "accounts_grant" in q for q in sql)


def test_portal_pages_read_from_the_replica(world):
    from django.test import Client

    for url in ("/cong-khai/", "/cong-khai/don-vi/15505/"):
        r, sql = queries(Client(), "get", url)
        assert r.status_code == 200
        assert sql[REPLICA] and not sql["default"], (url, sql["default"])


def test_dashboards_read_from_the_replica_session_and_user_from_default(world):
    province = world["province"]
    client = login("tinh")
    for url in (reverse("dashboard", args=[province.pk]), reverse("unit_detail", args=[world["tho_long"].pk])):
        r, sql = queries(client, "get", url)
        assert r.status_code == 200, url
        assert len(sql[REPLICA]) > 3 and only_session_and_user(sql["default"]), (url, sql["default"])
    r, sql = queries(login("admin"), "get", reverse("national"))
    assert r.status_code == 200 and sql[REPLICA] and only_session_and_user(sql["default"])


def test_grants_are_read_from_the_primary():
    from ntm.accounts.models import Grant
    from ntm.core.dbrouter import _current, _Request

    token = _current.set(_Request(replica_ok=True, depth=len(connections["default"].atomic_blocks)))
    try:
        settings_router = ReplicaRouter()
        assert settings_router.db_for_read(Grant) == "default"
        assert settings_router.db_for_read(Unit) == REPLICA
    finally:
        _current.reset(token)


def test_other_pages_and_writes_use_default(world):
    client = login("xa")
    r, sql = queries(client, "get", reverse("figure_entry", args=[world["tho_long"].pk, YEAR]))
    assert r.status_code == 200 and sql["default"] and not sql[REPLICA]
    r, sql = queries(client, "post", reverse("figure_save", args=[world["tho_long"].pk, YEAR, "income_per_capita"]),
                     data={"value": "73,5"})
    assert r.status_code == 200 and sql["default"] and not sql[REPLICA]
    # the write: plain statements, or one WITH … UPDATE … INSERT on PostgreSQL (core.bulk.together)
    assert any(q.startswith(("UPDATE", "INSERT")) or (q.startswith("WITH") and "UPDATE" in q) for q in sql["default"])


def test_a_browser_reads_its_own_write_from_default_until_the_pin_expires(world, settings):
    tho_long = world["tho_long"]
    client = login("xa")
    r = client.post(reverse("figure_save", args=[tho_long.pk, YEAR, "income_per_capita"]), {"value": "74,5"})
    assert r.status_code == 200 and int(r.cookies[PIN_COOKIE]["max-age"]) == settings.NTM_REPLICA_PIN
    # the same browser, right after its save: its dashboard and scorecard come from default
    r, sql = queries(client, "get", reverse("unit_detail", args=[tho_long.pk]))
    assert r.status_code == 200 and sql["default"] and not sql[REPLICA]
    # another reader is not pinned: the replica serves them
    r, sql = queries(login("tinh"), "get", reverse("unit_detail", args=[tho_long.pk]))
    assert r.status_code == 200 and sql[REPLICA]
    # once the pin has expired, the writer reads from the replica again
    client.cookies[PIN_COOKIE] = str(int(time.time()) - 1)
    r, sql = queries(client, "get", reverse("unit_detail", args=[tho_long.pk]))
    assert sql[REPLICA] and only_session_and_user(sql["default"])


def test_reads_after_a_write_in_the_same_request_and_inside_transactions_use_default():
    from django.db import transaction

    from ntm.core import dbrouter

    router = ReplicaRouter()
    depth = len(connections["default"].atomic_blocks)  # the test's own transactions: the request's baseline
    token = dbrouter._current.set(dbrouter._Request(replica_ok=True, depth=depth))
    try:
        assert router.db_for_read(Unit) == REPLICA
        with transaction.atomic():  # a transaction opened by the code: what it reads comes from default
            assert router.db_for_read(Unit) == "default"
    finally:
        dbrouter._current.reset(token)
    # outside a listed view (tasks, commands, other pages): default
    assert router.db_for_read(Unit) == "default"
    state = dbrouter._Request(replica_ok=True, depth=depth)
    token = dbrouter._current.set(state)
    try:
        assert router.db_for_write(Unit) == "default" and state.wrote
        assert router.db_for_read(Unit) == "default"
    finally:
        dbrouter._current.reset(token)


def test_without_a_replica_nothing_changes(monkeypatch):
    from ntm.core import dbrouter

    monkeypatch.setattr(dbrouter, "replica_configured", lambda: False)
    token = dbrouter._current.set(dbrouter._Request(replica_ok=True))
    try:
        assert ReplicaRouter().db_for_read(Unit) is None
    finally:
        dbrouter._current.reset(token)
    from django.test import Client

    r, sql = queries(Client(), "get", "/cong-khai/")
    assert r.status_code == 200 and not sql[REPLICA] and PIN_COOKIE not in r.cookies

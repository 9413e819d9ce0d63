"""`make bench`, part "save": one figure saved through the entry form, as its user does it.

The commune user `xa` saves one field of Xã Thọ Long (2026) through the HTMX entry view with the
Django test client (the whole request: middleware, session, scope, validation, write, history,
audit, the stored evaluation recomputed, the field and summary rendered back), alternating two
values so that every save is a real change. Floor: a bare authenticated request by the same client
(the "password changed" page: session, user, one small template), interleaved with the saves.
Prints both; returns {"save_p95_ms": p95 of the saves}.
"""

from __future__ import annotations

import os
import statistics

from bench.common import p95, timed

SAVES = 60


def run() -> dict[str, float]:
    from django.test.utils import override_settings

    with override_settings(DEBUG=False):  # as in production: no query log, no debug templates
        return _run()


def _run() -> dict[str, float]:
    from django.db import connection
    from django.urls import reverse

    from bench.thanhhoa import build
    from ntm.figures.models import Figure, FigureChange
    from ntm.testing import YEAR, login

    world = build(communes=200)
    print(f"world: {world['seconds']:.0f} s")
    unit = world["tho_long"]
    client = login("xa")
    url = reverse("figure_save", args=[unit.pk, YEAR, "income_per_capita"])
    floor_url = reverse("password_change_done")
    base = Figure.objects.get(unit=unit, year=YEAR, field="income_per_capita").value
    values = [str(base), str(base + 1)]
    history = FigureChange.objects.count()

    def save(i: int):
        response = client.post(url, {"value": values[i % 2].replace(".", ","), "source": "bench"},
                               HTTP_HX_REQUEST="true")
        assert response.status_code == 200, response.content[:500]

    def floor():
        assert client.get(floor_url).status_code == 200

    for i in range(3):  # warm-up (templates, registries, connections)
        floor(), save(i + 1)
    queries = []

    def count(execute, sql, params, many, context):  # survives the reconnect of each request (CONN_MAX_AGE 0)
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        save(0)
    saves, floors = [], []
    for i in range(SAVES):
        floors.append(timed(floor))
        saves.append(timed(lambda i=i: save(i + 1)))
    assert FigureChange.objects.count() == history + 4 + SAVES  # every save a real change, with its history row
    ms = [s * 1000 for s in saves]
    fl = [s * 1000 for s in floors]
    print(f"one save ({connection.vendor}, {SAVES} saves): p50 {statistics.median(ms):.1f} ms, p95 {p95(ms):.1f} ms, "
          f"{len(queries)} queries; floor (bare authenticated request) p50 {statistics.median(fl):.1f} ms, "
          f"p95 {p95(fl):.1f} ms")
    if os.environ.get("BENCH_SQL"):  # the queries of one save, one line each
        for i, sql in enumerate(queries, start=1):
            print(f"  {i:2d}. {sql[:int(os.environ.get("BENCH_SQL_WIDTH", "300"))]}")
    return {"save_p95_ms": p95(ms)}

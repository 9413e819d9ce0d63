"""`make bench`: the national recompute measured against the floor of reading the same figures.

Fills a dedicated test database (nothing of the user's is touched) with figures for every
legacy commune of the country (10,051) for ten years, 2015–2024, each year under the commune set
in force that year (so about 94 rows per commune-year, 9.4 M rows in all). Then, interleaved
(floor, work, floor, work, …; medians, see bench.common.interleaved):
  floor — reading every figure row of those years into Python with a plain DB-API cursor, one
          query per year (`SELECT unit, year, field, value::float … WHERE year = …`): the least
          any recompute must do;
  work  — `recompute_all(years=…)`: read, evaluate every commune through its whole ladder and the
          districts above, write the stored results.
Figures: `recompute_ratio` (2024 alone) and `recompute_ratio_10y` (all ten years), work ÷ floor.

Figures are not synthesised per commune and year (7 ms each, 12 minutes for ten years): a pool of
profiles is synthesised per (year, region) with demo.synth — each a story the engine confirms:
criteria failed, level reached — and every commune-year draws one from its pool with a seeded
random; rows go in with one executemany (SQLite) or COPY (PostgreSQL).

Environment: BENCH_SPAN=1 builds and measures one year only (skips the ten-year figure);
BENCH_BREAKDOWN=1 prints where the recompute's time goes (read / evaluate / write / districts)
instead of figures; BENCH_PROFILE=1 runs one recompute under cProfile (BENCH_SORT=tottime…);
BENCH_ROUNDS=n sets the interleaved rounds (default 5 for one year, 3 for ten).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable

from bench.common import interleaved, vacuum_analyze

YEAR = 2024
YEARS = list(range(2015, 2025))
POOL = 24  # profiles per (year, region)


def run() -> dict[str, float]:
    """Part of `make bench` (see bench/__main__.py): {"recompute_ratio": …, "recompute_ratio_10y": …}."""
    from ntm.criteria.loader import load_all
    from ntm.evaluations.models import Evaluation
    from ntm.evaluations.recompute import recompute_all
    from ntm.units.loader import load_units

    span = YEARS if os.environ.get("BENCH_SPAN", "10") != "1" else [YEAR]
    t0 = time.perf_counter()
    load_units()
    load_all()
    rows = generate(span)
    print(f"figure rows: {sum(rows.values())} for {len(rows)} years, generated in {time.perf_counter() - t0:.1f} s", flush=True)

    if os.environ.get("BENCH_BREAKDOWN"):
        breakdown(span, rows)
        return {}
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        settle(span)
        cProfile.runctx("recompute_all(years=span)", globals(), {"recompute_all": recompute_all, "span": span},
                        "/tmp/bench.prof")
        pstats.Stats("/tmp/bench.prof").sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(30)
        return {}

    out: dict[str, float] = {}
    for name, years, default_rounds in (("recompute_ratio", [YEAR], 5), ("recompute_ratio_10y", YEARS, 3)):
        if not set(years) <= set(span):
            continue
        rounds = int(os.environ.get("BENCH_ROUNDS", default_rounds))
        settle(years)
        f, w = interleaved(lambda years=years: read_floor(years, rows),
                           lambda years=years: recompute_all(years=years), rounds)
        written = Evaluation.all_rows.filter(year__in=years).count()
        print(f"{len(years)} year(s), {sum(rows[y] for y in years)} rows, {written} evaluations: "
              f"floor {f:.3f} s, recompute {w:.3f} s (medians of {rounds}, interleaved) → {w / f:.2f}×", flush=True)
        out[name] = w / f
    return out


def generate(years: list[int]) -> dict[int, int]:
    """Figures of every legacy commune for these years, under each year's set; {year: rows written}."""
    from ntm.criteria.evaluate import Classification, base_set_for
    from ntm.criteria.loader import registry
    from ntm.demo.synth import Target, synthesize
    from ntm.units.models import Unit

    specs = registry()
    communes = list(Unit.objects.filter(scheme="legacy", level="commune").values_list("id", "code", "region"))
    written: dict[int, int] = {}
    for year in years:
        base = base_set_for(specs, "commune", year)
        criteria = [c.code for c in base.criteria]
        pools: dict[str, list[list[tuple[str, float]]]] = {}
        rows: list[tuple[int, int, str, float]] = []
        for uid, code, region in communes:
            pool = pools.get(region)
            if pool is None:
                pool = pools[region] = []
                for i in range(POOL):
                    rng = random.Random(f"bench-{year}-{region}-{i}")
                    fail = set(rng.sample(criteria, k=rng.choice([0, 0, 1, 2, 4])))
                    target = Target(fail=fail, level=None if fail else rng.choice(["ntm", "ntm", "nang_cao", "kieu_mau"]))
                    values, _ = synthesize(specs, base.code, Classification(region=region), year, target, rng, attempts=1)
                    pool.append([(k, round(v, 4)) for k, v in values.items()])
            profile = pool[random.Random(f"bench-{code}-{year}").randrange(POOL)]
            rows += [(uid, year, k, v) for k, v in profile]
        insert(rows)
        written[year] = len(rows)
    return written


def insert(rows: list[tuple[int, int, str, float]]) -> None:
    """Figure rows in one statement: COPY on PostgreSQL, executemany on SQLite (source '', by nobody)."""
    from django.db import connection
    from django.utils import timezone

    from ntm.figures.models import Figure

    table, now = Figure._meta.db_table, timezone.now()
    columns = "unit_id, year, field, value, source, updated_at"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, "", now))
        else:
            stamp = now.isoformat(sep=" ")
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, '', %s)",
                               [(*row, stamp) for row in rows])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")


def settle(years: list[int]) -> None:
    """One recompute, then `VACUUM ANALYZE` on PostgreSQL (`bench.common.vacuum_analyze`: the evaluation
    table is no longer empty to the planner)."""
    from ntm.evaluations.recompute import recompute_all

    recompute_all(years=years)
    vacuum_analyze()


def read_floor(years: list[int], expected: dict[int, int]) -> None:
    """Read every figure row of these years into Python tuples: one plain query per year."""
    from django.db import connection

    from ntm.figures.models import Figure

    real = "double precision" if connection.vendor == "postgresql" else "REAL"
    sql = f"SELECT unit_id, year, field, CAST(value AS {real}) FROM {Figure._meta.db_table} WHERE year = %s"
    with connection.cursor() as cursor:
        for year in years:
            cursor.execute(sql, [year])
            n = 0
            while batch := cursor.fetchmany(20000):
                n += len(batch)
            assert n == expected[year], (year, n, expected[year])


def breakdown(years: list[int], rows: dict[int, int]) -> None:
    """One recompute with its phases timed (after a warm-up run), then the floor."""
    import ntm.evaluations.recompute as rc

    spent: dict[str, float] = {}

    def timed(name: str, fn: Callable) -> Callable:
        def wrapper(*a, **k):
            start = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[name] = spent.get(name, 0) + time.perf_counter() - start
        return wrapper

    phases = {"parse": "grouped_values", "evaluate": "evaluate_rows", "rows": "_stored_rows", "districts": "recompute_districts",
              "past": "past_for", "classes": "class_rows"}
    settle(years)
    for name, attr in phases.items():
        if hasattr(rc, attr):
            setattr(rc, attr, timed(name, getattr(rc, attr)))
    start = time.perf_counter()
    rc.recompute_all(years=years)
    total = time.perf_counter() - start
    start = time.perf_counter()
    read_floor(years, rows)
    print({k: round(v, 3) for k, v in spent.items()}, "total", round(total, 3),
          "floor", round(time.perf_counter() - start, 3))

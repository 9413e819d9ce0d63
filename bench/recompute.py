"""`make bench`: a national recompute measured against the floor of reading the same figures.

Generates one year of figures for every legacy commune of the country (10,051) in a dedicated
database (a test database: nothing of the user's is touched), then times
  floor     — reading every figure row of that year (the query the recompute itself runs);
  recompute — reading them, evaluating every commune through its whole ladder, writing results.
The last line is `recompute_ratio: N.NN` (recompute ÷ floor).
"""

from __future__ import annotations

import os
import random
import time
from decimal import Decimal

YEAR = 2024


def run() -> dict[str, float]:
    """Part of `make bench` (see bench/__main__.py): returns {"recompute_ratio": …}."""
    from django.db import connection

    vendor = connection.vendor
    from ntm.criteria.evaluate import Classification, base_set_for
    from ntm.criteria.loader import load_all, registry
    from ntm.demo.synth import Target, synthesize
    from ntm.evaluations.models import Evaluation
    from ntm.evaluations.recompute import recompute_all
    from ntm.figures.models import Figure
    from ntm.figures.services import figure_rows
    from ntm.units.loader import load_units
    from ntm.units.models import Unit

    t0 = time.perf_counter()
    load_units()
    load_all()
    specs = registry()
    base = base_set_for(specs, "commune", YEAR)
    communes = list(Unit.objects.filter(scheme="legacy", level="commune").values_list("id", "code", "region"))
    rows = []
    for uid, code, region in communes:
        rng = random.Random(f"bench-{code}")
        fail = set(rng.sample([c.code for c in base.criteria], k=rng.choice([0, 0, 1, 2, 4])))
        target = Target(fail=fail, level=None if fail else rng.choice(["ntm", "ntm", "nang_cao", "kieu_mau"]))
        values, _ = synthesize(specs, base.code, Classification(region=region), YEAR, target, rng, attempts=1)
        rows += [Figure(unit_id=uid, year=YEAR, field=k, value=Decimal(str(round(v, 4)))) for k, v in values.items()]
    Figure.objects.bulk_create(rows, batch_size=5000)
    setup = time.perf_counter() - t0

    def floor() -> float:
        start = time.perf_counter()
        n = sum(1 for _ in figure_rows(Figure.objects.filter(year=YEAR)))
        assert n == len(rows)
        return time.perf_counter() - start

    def recompute() -> float:
        start = time.perf_counter()
        recompute_all(years=[YEAR])
        return time.perf_counter() - start

    if os.environ.get("BENCH_BREAKDOWN"):
        import ntm.evaluations.recompute as rc

        spent: dict[str, float] = {}

        def timed(name, fn):
            def wrapper(*a, **k):
                start = time.perf_counter()
                try:
                    return fn(*a, **k)
                finally:
                    spent[name] = spent.get(name, 0) + time.perf_counter() - start
            return wrapper

        rc.values_for, rc.evaluate_rows, rc._store, rc.recompute_districts, rc.recompute_units = (
            timed("read", rc.values_for), timed("evaluate", rc.evaluate_rows), timed("write", rc._store),
            timed("districts", rc.recompute_districts), timed("units", rc.recompute_units))
        total = recompute()
        print({k: round(v, 3) for k, v in spent.items()}, "total", round(total, 3), "floor", round(floor(), 3))
        return {}
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        cProfile.runctx("recompute()", globals(), locals(), "/tmp/bench.prof")
        pstats.Stats("/tmp/bench.prof").sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(25)
        return {}
    floor(), recompute()  # warm caches (registry, page cache) so both sides are measured alike
    floors = [floor() for _ in range(3)]
    recomputes = [recompute() for _ in range(3)]
    f, r = min(floors), min(recomputes)
    evaluated = Evaluation.objects.filter(year=YEAR).count()
    print(f"database {vendor}")
    print(f"set: {base.code} ({len(base.indicators())} indicators) and the sets above it, year {YEAR}")
    print(f"communes: {len(communes)}  figure rows: {len(rows)}  evaluations written: {evaluated}  setup: {setup:.1f} s")
    print(f"floor (read figure rows, best of 3): {f:.3f} s")
    print(f"recompute (read + evaluate + write, best of 3): {r:.3f} s")
    return {"recompute_ratio": r / f}

"""What every bench part shares: the database it runs on, and how a figure is measured.

A figure is always work against a floor measured in the same run, interleaved (floor, work,
floor, work, …) so that noise from the machine moves both alike; the median of each is kept.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable, Iterator


def setup_django() -> str:
    """Configure Django for the bench; returns the database vendor ("sqlite" or "postgresql")."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ntm.settings")
    import django

    django.setup()
    from django.db import connection

    return connection.vendor


@contextlib.contextmanager
def fresh_database() -> Iterator[None]:
    """A new, migrated test database for one part (a file on SQLite, as in production)."""
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db["TEST"]["NAME"] = str(settings.BASE_DIR / "bench.sqlite3")
    old = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        teardown_databases(old, verbosity=0)


def vacuum_analyze() -> None:
    """On PostgreSQL, `VACUUM ANALYZE` the part's database, as autovacuum keeps a production one: this
    machine's server runs with autovacuum off, and stale statistics (an empty table) or dead rows of
    earlier runs would otherwise pick plans no production database sees."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def database_url() -> str:
    """The URL of the database the current part runs on, for servers and workers it starts."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def interleaved(floor: Callable[[], object], work: Callable[[], object], rounds: int = 5) -> tuple[float, float]:
    """Median seconds of `floor` and of `work`, run alternately `rounds` times after one warm-up each."""
    floor(), work()
    floors, works = [], []
    for _ in range(rounds):
        floors.append(timed(floor))
        works.append(timed(work))
    return statistics.median(floors), statistics.median(works)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def p95(samples: list[float]) -> float:
    """The 95th percentile (nearest rank) of a non-empty list."""
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]

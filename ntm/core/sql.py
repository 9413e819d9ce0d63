"""Small helpers for the few hand-written SQL statements of bulk paths (the national recompute).

Both databases: SQLite (tests, small installs) and PostgreSQL (production). Placeholders are
Django's `%s`; statements run on the cursor of the connection `reading(model)` chooses (the
replica on read-only pages, `default` otherwise), whose engine is always the primary's.
"""

from __future__ import annotations

from collections.abc import Sequence


def in_ids(column: str, ids: Sequence[int], vendor: str, sql_type: str = "bigint") -> tuple[str, list]:
    """(`column IN (…)` clause, params) for a list of integers. On PostgreSQL they go as one array
    parameter (`column = ANY(%s::bigint[])`): psycopg's client-side binding splits the query text per
    placeholder, about 20 ms for 2,000 ids — more than the read itself (docs/benchmarks.md). The
    explicit type matters: psycopg sends small numbers as smallint[], and comparing a bigint column
    with a smallint array made PostgreSQL filter rows instead of using the (unit, year) index."""
    if vendor == "postgresql":
        return f"{column} = ANY(%s::{sql_type}[])", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def in_pairs(columns: tuple[str, str], pairs: Sequence[tuple[int, int]], vendor: str) -> tuple[str, list]:
    """(`(a, b) IN (…)` clause, params) for exact pairs of integers, e.g. (unit, year): as two arrays
    on PostgreSQL (`IN (SELECT * FROM unnest(%s::bigint[], %s::integer[]))`), as a VALUES list on
    SQLite (behind plain IN lists of each column, which its planner can search an index with).
    Matching pairs, not the cross product of two IN lists, keeps the rows read to those asked; SQLite
    binds 3 variables a pair: keep batches under 10,000 pairs."""
    a, b = columns
    if vendor == "postgresql":
        return (f"({a}, {b}) IN (SELECT * FROM unnest(%s::bigint[], %s::integer[]))",
                [[p[0] for p in pairs], [p[1] for p in pairs]])
    # SQLite scans the whole table for a row-value IN alone: the two plain IN lists let it search an
    # index on (a, b, …) first (a ten-year figures table: 2 s → 0.05 s per 2,000 pairs)
    firsts, seconds = sorted({p[0] for p in pairs}), sorted({p[1] for p in pairs})
    return (f"{a} IN ({', '.join(['%s'] * len(firsts))}) AND {b} IN ({', '.join(['%s'] * len(seconds))}) "
            f"AND ({a}, {b}) IN (VALUES {', '.join(['(%s, %s)'] * len(pairs))})",
            [*firsts, *seconds, *(v for p in pairs for v in p)])


def as_float(column: str, vendor: str) -> str:
    """SQL reading a decimal column as a float (the engine computes in floats; Decimal conversion in
    Python costs more than the read): CAST(… AS double precision) / CAST(… AS REAL)."""
    return f"CAST({column} AS {'double precision' if vendor == 'postgresql' else 'REAL'})"


def reading(model):
    """The connection a plain-SQL read of `model` runs on: the one Django's routers choose for its
    reads (a replica on read-only pages, `default` everywhere else: ntm/core/dbrouter.py)."""
    from django.db import connections, router

    return connections[router.db_for_read(model)]


def id_list(ids: Sequence[int]):
    """A list of integer ids as ONE parameter, for ORM filters: `.filter(unit_id__in=id_list(ids))`
    reads as `unit_id IN (SELECT unnest(%s::bigint[]))` on PostgreSQL and `IN (SELECT value FROM
    json_each(%s))` on SQLite. Django's plain `__in=[…]` sends a placeholder per id, which psycopg
    binds client-side at about 10 µs each (the derived values of a national recompute spent 0.25 s
    there) and which SQLite caps at 32,766 variables. The form follows the default connection's engine,
    which a replica shares (a physical copy of the primary)."""
    import json

    from django.db import connection
    from django.db.models.expressions import RawSQL

    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(ids))])


class Behind:
    """Database statements run on one background thread, in the order given, on the caller's own
    connection (so inside its transaction), while the caller's thread goes on computing.

    The database works while Python does: the driver waits for the server (psycopg) or runs SQLite's
    C code (sqlite3) with the GIL released, so a bulk path that alternates "read, compute, write"
    keeps both cores busy (the national recompute: docs/benchmarks.md). Only plain statements go
    behind — callables given a cursor of the caller's connection, never Django's per-thread
    connections (another thread would get a connection of its own, outside the transaction).

        with Behind(connection) as behind:
            pending = behind.submit(read_chunk, 1, 1000)   # fn(cursor, *args), returns a Future
            ...
            rows = pending.result()                        # re-raises what fn raised

    Leaving the block waits for everything submitted; after a failure raised in the block, statements
    not yet started are dropped and the running one is waited for, so the caller's transaction is never
    rolled back under a running statement."""

    def __init__(self, db) -> None:
        self.db = db

    def __enter__(self) -> Behind:
        from concurrent.futures import ThreadPoolExecutor

        self.cursor = self.db.cursor()  # created here: the thread never asks Django for a connection
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="ntm-sql")
        return self

    def submit(self, fn, *args):
        return self.pool.submit(fn, self.cursor, *args)

    def __exit__(self, kind, *exc) -> None:
        # after a failure, what has not started is dropped; what runs is waited for
        self.pool.shutdown(wait=True, cancel_futures=kind is not None)
        self.cursor.close()

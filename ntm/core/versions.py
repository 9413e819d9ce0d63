"""Data versions: one counter per kind of data, stored in the database, raised when that data changes.

Caches of derived pages (the dashboards' figures, the public portal's pages) put the versions in
their keys: a raise makes every process — each gunicorn worker, a task worker, the command line —
miss and recompute, whatever cache backend each uses, while old entries simply age out.

    read("results", "portal") -> (int, int)    one query
    bump("results")                            after the current transaction commits

A raise runs after commit (a change rolled back raises nothing, and no lock on the counter row is
held for the length of a long write). Between the commit and the raise a reader may still store
the new data under the old version, which is harmless; a process killed in that instant leaves
caches stale until their entries expire (callers give them a TTL).
"""

from __future__ import annotations

import functools
import time

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from .models import DataVersion

RESULTS = "results"  # stored evaluations, recognitions, units, maps: what dashboards show
PORTAL = "portal"  # public content: feedback, news, lessons, OCOP, emulation


def read(*names: str) -> tuple[int, ...]:
    """The current value of each name (0 for one never raised), in the order asked."""
    found = dict(DataVersion.objects.filter(name__in=names).values_list("name", "value"))
    return tuple(found.get(n, 0) for n in names)


def bump(*names: str) -> None:
    """Raise each name once the current transaction commits (at once outside a transaction).

    The names bumped during a transaction are raised together, by one UPDATE, when its first commit
    hook runs (a saved figure raises `portal` and `results`); the hooks after it find nothing left.
    A name bumped in a transaction or savepoint that was rolled back may be raised with the next
    commit's names: an extra raise only costs cached pages a miss."""
    connection = transaction.get_connection()
    pending = connection.__dict__.setdefault("_ntm_versions_pending", set())
    pending.update(names)
    transaction.on_commit(functools.partial(_raise_pending, pending), robust=True)


def _raise_pending(pending: set[str]) -> None:
    names = tuple(sorted(pending))
    pending.clear()
    if names:
        _raise(names)


def _raise(names: tuple[str, ...]) -> None:
    """Add one to each name: one UPDATE; a name never raised before is created."""
    names = tuple(sorted(set(names)))
    if not names or _update(names) == len(names):
        return
    existing = set(DataVersion.objects.filter(name__in=names).values_list("name", flat=True))
    for name in sorted(set(names) - existing):
        try:  # first raise: start from the clock, so a recreated table never meets old cache keys
            with transaction.atomic():
                DataVersion.objects.create(name=name, value=int(time.time() * 1000))
        except IntegrityError:  # another process created it meanwhile
            DataVersion.objects.filter(name=name).update(value=F("value") + 1)


def receiver(*names: str):
    """A signal receiver that raises these names (connect it with a dispatch_uid)."""

    def on_change(*args, **kwargs) -> None:
        bump(*names)

    return on_change


def _update(names: tuple[str, ...]) -> int:
    """One UPDATE adding one to these (sorted, distinct) names; returns the rows raised.

    On PostgreSQL the statement commits on its own (it runs after the change's commit) and asks for no
    flush to disk (`synchronous_commit` off for this statement's transaction only): a synchronous commit
    waits for an fsync, 0.7–2 ms on this machine, as long as the rest of a saved figure's own writes. A
    crash of the database server may then lose the last raise: caches keyed by it serve their entries
    until they expire, the window this module already accepts for a process killed after the commit.
    The rows are locked in name order, so two processes raising the same names never deadlock."""
    table = DataVersion._meta.db_table
    marks = ", ".join(["%s"] * len(names))
    if connection.vendor != "postgresql":  # plain SQL: the ORM took longer to build it than SQLite to run it
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET value = value + 1 WHERE name IN ({marks})", names)
            return cursor.rowcount
    # only for a statement that is its own transaction (never relax a caller's transaction)
    relaxed = not connection.in_atomic_block and connection.get_autocommit()
    with connection.cursor() as cursor:
        cursor.execute(("WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)), " if relaxed else "WITH ")
                       + f"locked AS (SELECT name FROM {table} WHERE name IN ({marks}) ORDER BY name FOR UPDATE) "
                       f"UPDATE {table} SET value = value + 1 WHERE name IN (SELECT name FROM locked)"
                       + (" AND EXISTS (SELECT 1 FROM relaxed)" if relaxed else ""), names)
        return cursor.rowcount

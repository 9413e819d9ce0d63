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

import time

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import DataVersion

RESULTS = "results"  # stored evaluations, recognitions, units, maps: what dashboards show
PORTAL = "portal"  # public content: feedback, news, lessons, OCOP, emulation


def read(*names: str) -> tuple[int, ...]:
    """The current value of each name (0 for one never raised), in the order asked."""
    found = dict(DataVersion.objects.filter(name__in=names).values_list("name", "value"))
    return tuple(found.get(n, 0) for n in names)


def bump(*names: str) -> None:
    """Raise each name once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: _raise(names), robust=True)


def _raise(names: tuple[str, ...]) -> None:
    for name in names:
        if DataVersion.objects.filter(name=name).update(value=F("value") + 1):
            continue
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

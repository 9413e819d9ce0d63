"""A unit's classification for a year, from its region and its per-period rows. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ntm.criteria.evaluate import Classification


@dataclass(frozen=True)
class ClassRow:
    scheme: str  # region | group | flag
    value: str
    year_from: int
    year_to: int | None


def classify(region: str, rows: Iterable[ClassRow], year: int) -> Classification:
    """Later rows win: a region override, the commune group, flags such as 'dbkk'."""
    group: int | None = None
    flags: set[str] = set()
    for row in sorted(rows, key=lambda r: r.year_from):
        if row.year_from > year or (row.year_to is not None and year > row.year_to):
            continue
        if row.scheme == "region":
            region = row.value
        elif row.scheme == "group":
            group = int(row.value)
        elif row.scheme == "flag":
            flags.add(row.value)
    return Classification(region=region or None, group=group, flags=frozenset(flags))

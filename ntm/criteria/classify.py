"""A unit's classification for a year (region, commune group, flags such as đặc biệt khó khăn),
from its region and the per-period rows a province declares (`units.Classification`).

`classify` is pure; `class_rows` reads the rows for many units in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .evaluate import Classification


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


def class_rows(unit_ids: list[int]) -> dict[int, list[ClassRow]]:
    """{unit id: its classification rows}, in one plain-SQL query (core.sql: a save and a national
    recompute both read it; the ORM cost more than the read)."""
    from ntm.core.sql import in_ids, reading
    from ntm.units.models import Classification as UnitClass

    rows: dict[int, list[ClassRow]] = defaultdict(list)
    if not unit_ids:
        return rows
    db = reading(UnitClass)
    units, params = in_ids("unit_id", unit_ids, db.vendor)
    with db.cursor() as cursor:
        cursor.execute(f"SELECT unit_id, scheme, value, year_from, year_to FROM {UnitClass._meta.db_table} "
                       f"WHERE {units}", params)
        for uid, scheme, value, y0, y1 in cursor.fetchall():
            rows[uid].append(ClassRow(scheme, value, y0, y1))
    return rows

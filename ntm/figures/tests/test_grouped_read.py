"""The engine's read: figures grouped per (unit, year) by the database, exactly as a row-by-row read
of the same values as floats (both databases), for one unit list or a whole year."""

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from ntm.core.sql import as_float
from ntm.figures.models import Figure
from ntm.figures.services import grouped_rows, grouped_values, in_units, values_for
from ntm.units.models import Unit

pytestmark = pytest.mark.django_db

# Whole numbers, decimals that a double cannot hold exactly, 15+ significant digits (SQLite prints
# 15 in JSON), tiny and negative values, zero, and a blank.
AWKWARD = ["5", "0", "0.1", "70.0001", "123456789012.3456", "9999999999999999.9999", "0.0001", "-2.5",
           "1234567.8901", None, "1234567890123456", "-999999999999999"]


def test_grouped_values_equal_a_row_by_row_read():
    units = list(Unit.objects.filter(level="commune").order_by("pk")[:3])
    now = timezone.now()
    Figure.objects.bulk_create([
        Figure(unit=u, year=2031, field=f"f{i}", value=None if v is None else Decimal(v), source="t", updated_at=now)
        for u in units for i, v in enumerate(AWKWARD)
    ])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT unit_id, field, {as_float('value', connection.vendor)} FROM figures_figure "
                       "WHERE year = 2031")
        expected: dict = {}
        for unit_id, name, value in cursor.fetchall():
            expected.setdefault((unit_id, 2031), {})[name] = value
    by_ids = values_for([u.pk for u in units], [2031])
    where, params = in_units(Unit.objects.filter(pk=units[0].pk))  # the national recompute's read, by year
    with connection.cursor() as cursor:
        whole_year = grouped_values(grouped_rows(cursor, "year = %s", [2031]))
        scoped = grouped_values(grouped_rows(cursor, f"year = %s{where}", [2031, *params]))
    assert by_ids == expected == whole_year
    assert scoped == {(units[0].pk, 2031): expected[(units[0].pk, 2031)]}
    for row in by_ids.values():
        assert row["f9"] is None
        assert all(type(v) is float for k, v in row.items() if k != "f9"), row  # floats, as the engine reads
        assert row["f10"] == 1234567890123456.0 and row["f11"] == -999999999999999.0
        assert row["f5"] == float("9999999999999999.9999") and row["f2"] == 0.1

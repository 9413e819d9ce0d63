"""The write path checks what can change (issue 16, the import's third pass): a number from a file equal
to the stored figure is left as it stands; cross-field rules are checked for the unit-years a write
changes, on their values as they will stand; the figures are read once per write (`read_standing`),
and a read made for another write is refused. Also: the float fast path of `clean_value` gives what
the full path gives, and the bulk writers' one-parameter forms write what their small forms write."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ntm.core import bulk
from ntm.core.bulk import insert_values, update_values
from ntm.core.text import parse_vi_number
from ntm.criteria.spec import shared_fields
from ntm.figures.models import Figure, FigureChange
from ntm.figures.rules import InvalidFigure, _clean_float, check_range, clean_value
from ntm.figures.services import (
    _UNIT_COLUMNS,
    CellInput,
    WriteRefused,
    fields_for,
    ladder_for,
    read_standing,
    same_number,
    write_figures,
)
from ntm.testing import YEAR
from ntm.units.models import Unit

WORLD_COMMUNES = 2
pytestmark = pytest.mark.django_db


def _ladder_fields(unit: Unit) -> dict:
    return fields_for(ladder_for(Unit.objects.filter(pk=unit.pk).values(*_UNIT_COLUMNS).get(), YEAR))


def _ratio(unit: Unit) -> tuple[str, str]:
    """(numerator, denominator) of a ratio indicator whose both fields the unit has figures for."""
    stored = dict(Figure.objects.filter(unit=unit, year=YEAR).values_list("field", "value"))
    for spec in ladder_for(Unit.objects.filter(pk=unit.pk).values(*_UNIT_COLUMNS).get(), YEAR):
        for ind in spec.indicators():
            if ind.numerator and ind.denominator and stored.get(ind.numerator) and stored.get(ind.denominator):
                return ind.numerator, ind.denominator
    raise AssertionError("no ratio with both figures")


def _value(unit: Unit, field: str) -> Decimal:
    return Figure.objects.get(unit=unit, year=YEAR, field=field).value


def test_a_number_equal_to_the_stored_figure_is_left_unchecked_and_unwritten(world):
    """A stored value the field's range no longer admits (the range was tightened since) stays when a
    file gives it again; any other value out of range is refused, and text is always checked."""
    unit, xa = world["tho_long"], User.objects.get(username="xa")
    defs = _ladder_fields(unit)
    name = next(f for f, d in defs.items() if d.kind == "number" and Figure.objects.filter(
        unit=unit, year=YEAR, field=f).exists())
    too_big = (defs[name].max * 10).quantize(Decimal("0.0001"))
    Figure.objects.filter(unit=unit, year=YEAR, field=name).update(value=too_big)
    history = FigureChange.objects.count()
    result = write_figures(xa, [CellInput(unit.pk, YEAR, name, float(too_big))], door="excel")
    assert (result.unchanged, result.changes) == (1, []) and FigureChange.objects.count() == history
    with pytest.raises(WriteRefused, match="quá lớn"):
        write_figures(xa, [CellInput(unit.pk, YEAR, name, float(too_big) + 1)], door="excel")
    with pytest.raises(WriteRefused, match="quá lớn"):  # typed: parsed and checked as ever
        write_figures(xa, [CellInput(unit.pk, YEAR, name, str(int(too_big)))])
    assert _value(unit, name) == too_big and FigureChange.objects.count() == history


@pytest.mark.parametrize("behind_from", [500, 1], ids=["together", "behind"])
def test_cross_field_rules_see_the_values_as_they_will_stand(world, monkeypatch, behind_from):
    """numerator ≤ denominator: a changed numerator is checked against the stored denominator and a
    changed denominator against the stored numerator, the message on the cell given; a unit-year whose
    cells all repeat its figures is not checked again, one with a change is (every rule reading a field
    it was given, as before). A large write checks the rules while its rows are being written
    (behind_from=1): a refusal there leaves nothing written either."""
    from ntm.figures import services

    monkeypatch.setattr(services, "BEHIND_FROM", behind_from)
    unit, xa = world["tho_long"], User.objects.get(username="xa")
    num, den = _ratio(unit)
    n, d = _value(unit, num), _value(unit, den)
    history = FigureChange.objects.count()

    def cells(**values):
        return [CellInput(unit.pk, YEAR, f, float(v), f"ô {f}") for f, v in values.items()]

    with pytest.raises(WriteRefused) as exc:
        write_figures(xa, cells(**{num: d * 2, den: d}), door="excel")
    assert list(exc.value.by_where) == [f"ô {num}"]
    with pytest.raises(WriteRefused) as exc:
        write_figures(xa, cells(**{den: n / 2}), door="excel")
    assert list(exc.value.by_where) == [f"ô {den}"]
    assert (_value(unit, num), _value(unit, den), FigureChange.objects.count()) == (n, d, history)

    Figure.objects.filter(unit=unit, year=YEAR, field=num).update(value=d * 2)  # a pair broken before the rule
    result = write_figures(xa, cells(**{num: d * 2, den: d}), door="excel")
    assert (result.unchanged, result.changes) == (2, [])
    other = next(f for f, v in Figure.objects.filter(unit=unit, year=YEAR).exclude(field__in=[num, den]).exclude(
        value=None).values_list("field", "value") if _ladder_fields(unit)[f].kind == "count")
    more = _value(unit, other) + 1
    with pytest.raises(WriteRefused) as exc:  # the unit-year changes: the rule reads the cells it was given
        write_figures(xa, cells(**{num: d * 2, den: d, other: more}), door="excel")
    assert f"ô {num}" in exc.value.by_where
    result = write_figures(xa, cells(**{other: more}))  # a rule that reads no cell given is not asked
    assert [c.field for c in result.changes] == [other]


def test_the_figures_read_for_a_write_must_cover_it_and_be_locked(world):
    unit, xa = world["tho_long"], User.objects.get(username="xa")
    name = Figure.objects.filter(unit=unit, year=YEAR).exclude(value=None).values_list("field", flat=True).first()
    cell = CellInput(unit.pk, YEAR, name, float(_value(unit, name)) + 1)
    with transaction.atomic():
        with pytest.raises(ValueError):  # not locked, for a write
            write_figures(xa, [cell], standing=read_standing([unit.pk], [YEAR], lock=False))
        with pytest.raises(ValueError):  # another year
            write_figures(xa, [cell], standing=read_standing([unit.pk], [YEAR - 1], lock=True))
        standing = read_standing([unit.pk], [YEAR], lock=True)
        assert standing.value((unit.pk, YEAR, name)) == _value(unit, name)
        assert same_number(float(_value(unit, name)), standing.number((unit.pk, YEAR, name)))
        result = write_figures(xa, [cell], standing=standing)
    assert [c.new for c in result.changes] == [_value(unit, name)]


FIELDS = list(shared_fields().values())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(FIELDS), st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=2e9),
    st.integers(min_value=0, max_value=10**9).map(lambda i: i / 10_000),
    st.integers(min_value=0, max_value=10**7).map(float)))
def test_the_float_fast_path_gives_what_the_full_path_gives(fdef, raw):
    fast = _clean_float(raw, fdef) if fdef.kind != "bool" else None
    try:
        full = check_range(parse_vi_number(raw, strict=True), fdef, raw=raw)
    except (InvalidFigure, ValueError):
        full = None
    if fast is not None:
        assert fast == full and str(fast) == str(full)
    if not (isinstance(raw, float) and math.isnan(raw)):
        try:
            assert clean_value(raw, fdef) == full or fdef.kind == "bool"
        except InvalidFigure:
            assert full is None


def test_the_bulk_writers_one_parameter_forms_write_what_the_small_forms_write(world, monkeypatch):
    """From JSON_FROM rows (SQLite: one INSERT from json_each) / COPY_FROM rows (PostgreSQL: the
    UPDATE from one jsonb parameter) the rows written are those the small forms write."""
    monkeypatch.setattr(bulk, "JSON_FROM", bulk.COPY_FROM)  # the world holds a few hundred figures
    figs = list(Figure.objects.order_by("id")[: bulk.JSON_FROM + 2])
    assert len(figs) == bulk.JSON_FROM + 2
    user = User.objects.get(username="xa")
    texts = ["nguồn “a”", "tab\tvà\\gạch", "", "dòng\nmới"]
    values = [Decimal("1.2345"), None, Decimal("0.0000"), Decimal("123456789.5000"), Decimal("999999999.9999")]
    rows = [(f.pk, values[i % len(values)], texts[i % len(texts)]) for i, f in enumerate(figs)]
    update_values(Figure, ["value", "source"], rows[:1], {"updated_by": user}, prepared=True)  # the small form
    update_values(Figure, ["value", "source"], rows[1:], {"updated_by": user}, prepared=True)  # the large one
    got = dict((pk, (v, s, by)) for pk, v, s, by in Figure.objects.filter(pk__in=[f.pk for f in figs]).values_list(
        "id", "value", "source", "updated_by_id"))
    assert got == {pk: (v, s, user.pk) for pk, v, s in rows}

    start = FigureChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    history = [(pk, v, values[(i + 1) % len(values)], s) for i, (pk, v, s) in enumerate(rows)]
    insert_values(FigureChange, ["figure", "old_value", "new_value", "source"], history[:1],
                  {"comment": "một", "changed_by": user}, prepared=True)
    insert_values(FigureChange, ["figure", "old_value", "new_value", "source"], history[1:],
                  {"comment": "một", "changed_by": user}, prepared=True)
    saved = list(FigureChange.objects.filter(id__gt=start).order_by("id").values_list(
        "figure_id", "old_value", "new_value", "source", "comment", "changed_by_id"))
    assert saved == [(*row, "một", user.pk) for row in history]
    if connection.vendor == "sqlite":  # the stored types as the executemany stores them (affinity of the text)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT typeof(old_value) FROM {FigureChange._meta.db_table} WHERE id > %s", [start])
            assert {t for (t,) in cursor.fetchall()} <= {"integer", "real", "null"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite hands out floats; PostgreSQL numerics are read as text")
@settings(max_examples=500, deadline=None)
@given(st.one_of(st.floats(min_value=-1e12, max_value=1e12), st.integers(min_value=-10**13, max_value=10**13),
                 st.integers(min_value=0, max_value=10**15).map(lambda i: float(Decimal(i) / 10_000)),
                 st.integers(min_value=0, max_value=10**9).map(lambda i: i / 100_000)))
def test_the_sqlite_value_converter_gives_what_the_orm_gives(value):
    from ntm.figures.services import _value_converter

    field = Figure._meta.get_field("value")
    col = field.get_col(Figure._meta.db_table)
    expected = value
    for fn in connection.ops.get_db_converters(col):
        expected = fn(expected, col, connection)
    got = _value_converter(connection)(value)
    assert got == expected and str(got) == str(expected)

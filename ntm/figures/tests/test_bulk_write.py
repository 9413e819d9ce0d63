"""The one-statement writes behind the write path (ntm.core.bulk): rows written exactly as a model
save would write them, on the real database (SQLite by default, PostgreSQL with DATABASE_URL), and
a many-unit write through `write_figures` with a history row per changed cell and an audit entry per
unit-year listing every changed cell."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ntm.accounts import audit
from ntm.accounts.models import AuditEntry
from ntm.core import bulk, requestid
from ntm.core.bulk import alongside, behind, insert_rows, insert_values, together, update_rows, update_values
from ntm.evaluations import recompute
from ntm.evaluations import services as evaluation_services
from ntm.evaluations.models import Evaluation, LevelChange
from ntm.figures import services
from ntm.figures.models import Figure, FigureChange
from ntm.figures.services import CellInput, derived_fields, values_for, write_figures
from ntm.figures.signals import figures_changed
from ntm.testing import YEAR
from ntm.units.models import Unit

pytestmark = pytest.mark.django_db


def test_update_rows_writes_each_field_as_a_save_would(world):
    figs = list(Figure.objects.filter(unit=world["tho_long"], year=YEAR).order_by("field")[:5])
    user = User.objects.get(username="xa")
    when = timezone.now() - timedelta(days=3)
    values = [Decimal("1.2345"), None, Decimal("0"), Decimal("123456789.5"), Decimal("-7.25")]
    for fig, value in zip(figs, values, strict=True):
        fig.value, fig.source, fig.updated_by, fig.updated_at = value, f"nguồn {fig.field}", user, when
    # batches of two rows: three statements, every row written
    assert update_rows(Figure, figs, ["value", "source", "updated_by", "updated_at"], batch_rows=2) == 5
    for fig, value in zip(figs, values, strict=True):
        row = Figure.objects.get(pk=fig.pk)
        assert (row.value, row.source, row.updated_by_id, row.updated_at) == (value, f"nguồn {fig.field}", user.pk, when)
    others = Figure.objects.filter(unit=world["tho_long"], year=YEAR).exclude(pk__in=[f.pk for f in figs])
    assert not others.filter(source__startswith="nguồn ").exists()  # nothing else touched


def test_update_rows_needs_saved_objects():
    with pytest.raises(ValueError):
        update_rows(Figure, [Figure(year=YEAR, field="x")], ["value"])
    assert update_rows(Figure, [], ["value"]) == 0


def test_insert_rows_fills_auto_fields_and_json(world):
    fig = Figure.objects.filter(unit=world["tho_long"], year=YEAR).first()
    before = FigureChange.objects.count()
    start = timezone.now()
    rows = [FigureChange(figure=fig, old_value=Decimal(i), new_value=Decimal(i + 1), comment=f"c{i}") for i in range(5)]
    assert insert_rows(FigureChange, rows) == 5
    saved = list(FigureChange.objects.filter(figure=fig, comment__startswith="c").order_by("id"))
    assert FigureChange.objects.count() == before + 5
    assert [(c.old_value, c.new_value, c.comment) for c in saved[-5:]] == [
        (Decimal(i), Decimal(i + 1), f"c{i}") for i in range(5)]
    assert all(c.changed_at >= start for c in saved[-5:])  # auto_now_add
    n = audit.record_many([audit.entry(None, "figures.test", fig, before={"value": None}, after={"value": "1,5", "ds": [1, 2]})])
    entry = AuditEntry.objects.filter(action="figures.test").get()
    assert n == 1 and entry.before == {"value": None} and entry.after == {"value": "1,5", "ds": [1, 2]}
    assert entry.unit_id == fig.unit_id and entry.object_id == str(fig.pk) and entry.at >= start


@pytest.mark.parametrize("one_parameter", [False, True], ids=["as-configured", "one-parameter"])
def test_update_values_and_insert_values_write_plain_rows_as_a_save_would(world, monkeypatch, one_parameter):
    """Rows as tuples (no model instances), constants prepared once, auto fields filled; with
    `prepared` the values go to the driver as they are. One statement each (unnest / executemany for
    few rows; from COPY_FROM rows on PostgreSQL, JSON_FROM on SQLite, the rows as one JSON parameter:
    the same values stored)."""
    if one_parameter:
        monkeypatch.setattr(bulk, "COPY_FROM", 1)
        monkeypatch.setattr(bulk, "JSON_FROM", 1)
    figs = list(Figure.objects.filter(unit=world["tho_long"], year=YEAR).order_by("field")[:4])
    user = User.objects.get(username="xa")
    when = timezone.now() - timedelta(days=2)
    values = [Decimal("1.2345"), None, Decimal("0"), Decimal("123456789.5")]
    rows = [(f.pk, v, f"nguồn {i} “Tệp” 'A' \"B\"") for i, (f, v) in enumerate(zip(figs, values, strict=True))]
    assert update_values(Figure, ["value", "source"], rows[:2], {"updated_by": user, "updated_at": when}) == 2
    assert update_values(Figure, ["value", "source"], rows[2:], {"updated_by": user, "updated_at": when}, prepared=True) == 2
    for (pk, value, source) in rows:
        row = Figure.objects.get(pk=pk)
        assert (row.value, row.source, row.updated_by_id, row.updated_at) == (value, source, user.pk, when)
    assert update_values(Figure, [], [(figs[0].pk,)], {"source": "chỉ nguồn"}) == 1
    assert Figure.objects.get(pk=figs[0].pk).value == values[0] and Figure.objects.get(pk=figs[0].pk).source == "chỉ nguồn"
    assert update_values(Figure, ["value"], []) == 0 and insert_values(FigureChange, ["figure"], []) == 0

    start, n = timezone.now(), FigureChange.objects.count()
    changes = [(figs[i].pk, values[i], Decimal(i), f"s{i}") for i in range(4)]
    assert insert_values(FigureChange, ["figure", "old_value", "new_value", "source"], changes[:2],
                         {"comment": "plain", "changed_by": user}) == 2
    assert insert_values(FigureChange, ["figure_id", "old_value", "new_value", "source"], changes[2:],
                         {"comment": "plain", "changed_by": user}, prepared=True) == 2
    saved = list(FigureChange.objects.filter(comment="plain").order_by("id"))
    assert FigureChange.objects.count() == n + 4
    assert [(c.figure_id, c.old_value, c.new_value, c.source, c.changed_by_id) for c in saved] == [
        (*row, user.pk) for row in changes]
    assert all(c.changed_at >= start for c in saved)  # auto_now_add, as a save
    assert audit.record_rows(user, "figures.test", [(world["tho_long"].pk, "figures.unit_year", "1/2026", "nhãn",
                                                     {"a": "1"}, {"a": "2", "source": "x"})]) == 1
    entry = AuditEntry.objects.get(action="figures.test")
    assert (entry.user_id, entry.unit_id, entry.object_id, entry.before, entry.after) == (
        user.pk, world["tho_long"].pk, "1/2026", {"a": "1"}, {"a": "2", "source": "x"})


@pytest.mark.parametrize("many", [False, True], ids=["few", "many"])
def test_json_values_are_written_as_given(world, monkeypatch, many):
    """A JSONField's prepared values are the structures: few rows go as parameters (their JSON text),
    many nested in the rows' one JSON parameter (PostgreSQL from COPY_FROM rows, SQLite from JSON_FROM)
    — read back the same, None as SQL NULL (not JSON null), text refused rather than stored as a string."""
    monkeypatch.setattr(bulk, "JSON_FROM", bulk.COPY_FROM)
    n = bulk.COPY_FROM + 1 if many else 2
    rows = [(world["tho_long"].pk, "figures.unit_year", f"{i}/2026", f"nhãn {i}",
             None if i == 1 else {"a": None, "b": "Xã Thọ Long", "c": 1.5}, {"a": str(i), "ds": [i, {"x": True}]})
            for i in range(n)]
    with CaptureQueriesContext(connection) as queries:
        assert audit.record_rows(None, "figures.test_json", rows) == n
    assert len(queries) == 1  # one statement (an executemany counts once)
    saved = list(AuditEntry.objects.filter(action="figures.test_json").order_by("id"))
    assert [(e.object_id, e.object_repr, e.before, e.after, e.user_id) for e in saved] == [
        (i, label, b, a, None) for _, _, i, label, b, a in rows]
    assert [e.object_id for e in AuditEntry.objects.filter(action="figures.test_json", before__isnull=True)] == ["1/2026"]
    with pytest.raises(TypeError, match="JSONField"):
        audit.record_rows(None, "figures.test_text", [(None, "x", "1", "y", '{"a": 1}', None)] * n)
    assert not AuditEntry.objects.filter(action="figures.test_text").exists()


def test_together_sends_the_same_rows_in_one_statement_on_postgresql(world):
    """A saved figure's writes (update, history row, audit entry) held back to the end of the block:
    one statement on PostgreSQL (parts of a WITH), the usual statements on SQLite; the same rows either
    way, and nothing written when the block raises."""
    figs = list(Figure.objects.filter(unit=world["tho_long"], year=YEAR).order_by("field")[:2])
    user = User.objects.get(username="xa")
    history, entries = FigureChange.objects.count(), AuditEntry.objects.count()
    pg = connection.vendor == "postgresql"
    with CaptureQueriesContext(connection) as ctx:
        with together():
            update_values(Figure, ["value", "source"], [(f.pk, Decimal(f"{i}.5"), "cùng lúc") for i, f in enumerate(figs)],
                          {"updated_by": user})
            insert_values(FigureChange, ["figure", "new_value"], [(f.pk, Decimal(f"{i}.5")) for i, f in enumerate(figs)],
                          {"comment": "cùng lúc"})
            audit.record_rows(user, "figures.together", [(f.unit_id, "figures.figure", str(f.pk), "x", None, {"v": i})
                                                         for i, f in enumerate(figs)])
            assert len(ctx.captured_queries) == (0 if pg else 3)  # held back on PostgreSQL
    assert len(ctx.captured_queries) == (1 if pg else 3)
    assert [(f.value, f.source, f.updated_by_id) for f in Figure.objects.filter(pk__in=[f.pk for f in figs]).order_by("field")] == [
        (Decimal("0.5"), "cùng lúc", user.pk), (Decimal("1.5"), "cùng lúc", user.pk)]
    assert FigureChange.objects.count() == history + 2 and FigureChange.objects.filter(comment="cùng lúc").count() == 2
    assert AuditEntry.objects.count() == entries + 2
    assert sorted(e.after["v"] for e in AuditEntry.objects.filter(action="figures.together")) == [0, 1]
    with pytest.raises(RuntimeError), together():
        insert_values(FigureChange, ["figure"], [(figs[0].pk,)], {"comment": "bỏ"})
        raise RuntimeError
    if pg:  # held back, then dropped with the block
        assert not FigureChange.objects.filter(comment="bỏ").exists()


@pytest.mark.parametrize("behind_from", [None, 1], ids=["as-configured", "behind"])
def test_a_many_unit_write_keeps_history_per_cell_and_audit_per_unit(world, monkeypatch, behind_from):
    """Communes of the world swap their figures pairwise (each set stays consistent, so every rule
    holds): one write, all in one transaction, a history row per changed cell, and per unit an audit
    entry holding each changed cell's value before and after — the same when the tables are written
    behind (core.bulk.behind), as a province's import is."""
    if behind_from is not None:
        monkeypatch.setattr(services, "BEHIND_FROM", behind_from)
    tinh = User.objects.get(username="tinh")
    by_unit: dict[int, dict[str, Decimal]] = {}
    for u, f, v in Figure.objects.filter(unit__province=world["province"], unit__level=Unit.Level.COMMUNE, year=YEAR,
                                         value__isnull=False).values_list("unit_id", "field", "value"):
        by_unit.setdefault(u, {})[f] = v
    units = sorted(by_unit)
    cells, expected = [], {}
    for a, b in zip(units[0::2], units[1::2], strict=False):
        for f in (by_unit[a].keys() & by_unit[b].keys()) - derived_fields().keys():  # derived ones are never typed
            for mine, theirs in ((a, b), (b, a)):
                cells.append(CellInput(mine, YEAR, f, by_unit[theirs][f], where=f"{mine}/{f}"))
                expected[(mine, f)] = by_unit[theirs][f]
    changed = sum(1 for (u, f), v in expected.items() if by_unit[u][f] != v)
    assert len(cells) > 200 and changed > 50
    counts = FigureChange.objects.count(), AuditEntry.objects.filter(action="figures.excel").count()
    stored_before = _stored(units)
    if behind_from is not None:  # evaluated while the rows are sent (figures_changing), not recomputed after
        monkeypatch.setattr(evaluation_services, "recompute_units", None)
    with requestid.activity("thử") as rid:
        result = write_figures(tinh, cells, source="Tệp tỉnh", door="excel", confirm=True)
    assert result.written == changed and result.unchanged == len(cells) - changed
    stored = _stored(units)  # the stored evaluations follow the figures, as a recompute from them gives
    assert stored != stored_before
    recompute.recompute_units(units, [YEAR])
    assert _stored(units) == stored
    made = list(LevelChange.objects.filter(request_id=rid).values_list("unit_id", "reason"))  # written behind: the id kept
    assert made and {r for _, r in made} == {LevelChange.Reason.FIGURES} and {u for u, _ in made} <= set(units)
    assert FigureChange.objects.count() == counts[0] + changed
    entries = list(AuditEntry.objects.filter(action="figures.excel").order_by("id"))[counts[1]:]
    moved = {(u, f) for (u, f), v in expected.items() if by_unit[u][f] != v}
    assert sorted(e.unit_id for e in entries) == sorted({u for u, _ in moved})  # one per unit changed
    seen = set()
    for e in entries:
        assert (e.user.username, e.object_type, e.object_id) == ("tinh", "figures.unit_year", f"{e.unit_id}/{YEAR}")
        assert e.after.pop("source") == "Tệp tỉnh" and e.before.keys() == e.after.keys()
        for f, new in e.after.items():
            assert Decimal(new) == expected[(e.unit_id, f)] and Decimal(e.before[f]) == by_unit[e.unit_id][f]
            seen.add((e.unit_id, f))
        assert e.object_repr.endswith(f"{YEAR}: {len(e.after)} số liệu")
    assert seen == moved  # every changed cell is in its unit's entry, nothing else
    rows = {(u, f): (v, s) for u, f, v, s in Figure.objects.filter(unit_id__in=units, year=YEAR)
            .values_list("unit_id", "field", "value", "source")}
    for key, value in expected.items():
        assert rows[key] == (value, "Tệp tỉnh")  # the source follows the file, also for unchanged cells


def _stored(units: list[int]) -> dict:
    return {(e.unit_id, e.year): (e.level, e.criteria_met, e.met, e.result, e.error)
            for e in Evaluation.objects.filter(unit_id__in=units)}


def test_behind_sends_each_statement_in_order_on_the_same_transaction(world):
    """Statements made inside `behind()` run on a background thread of the same connection, in order
    (the update before the rows recording it), JSON rows and COPY rows alike; leaving waits for them.
    A statement that fails raises when the block ends and the caller's transaction loses everything;
    a failure inside the block drops what was not sent."""
    figs = list(Figure.objects.filter(unit__province=world["province"], year=YEAR).order_by("id")[: bulk.COPY_FROM + 5])
    assert len(figs) > bulk.COPY_FROM  # the bulk forms: one jsonb parameter on PostgreSQL, json_each on SQLite
    user = User.objects.get(username="tinh")
    history = FigureChange.objects.count()
    when = timezone.now() - timedelta(days=1)
    with transaction.atomic(), behind():
        update_values(Figure, ["value", "source"], [(f.pk, Decimal(i), "phía sau") for i, f in enumerate(figs)],
                      {"updated_by": user})
        insert_values(FigureChange, ["figure", "old_value", "new_value", "source"],
                      [(f.pk, f.value, Decimal(i), "phía sau") for i, f in enumerate(figs)], {"comment": "phía sau"})
        # a datetime in the rows cannot go through JSON unchanged: COPY (PostgreSQL) or executemany
        insert_values(FigureChange, ["figure", "new_value", "changed_at"], [(f.pk, Decimal(1), when) for f in figs[:3]],
                      {"comment": "có giờ"})
    stored = dict(Figure.objects.filter(pk__in=[f.pk for f in figs]).values_list("pk", "value"))
    assert stored == {f.pk: Decimal(i) for i, f in enumerate(figs)}
    assert FigureChange.objects.count() == history + len(figs) + 3
    assert sorted(FigureChange.objects.filter(comment="phía sau").values_list("new_value", flat=True)) == [
        Decimal(i) for i in range(len(figs))]
    assert set(FigureChange.objects.filter(comment="có giờ").values_list("changed_at", flat=True)) == {when}

    with pytest.raises(IntegrityError), transaction.atomic(), behind():  # NOT NULL refused by the database
        insert_values(FigureChange, ["figure", "comment"], [(figs[0].pk, "hỏng")])
        insert_values(FigureChange, ["figure", "comment"], [(f.pk, None) for f in figs])
    assert not FigureChange.objects.filter(comment="hỏng").exists()  # the whole transaction rolled back
    with pytest.raises(RuntimeError), transaction.atomic(), behind():
        insert_values(FigureChange, ["figure", "comment"], [(f.pk, "bỏ") for f in figs])
        raise RuntimeError
    assert not FigureChange.objects.filter(comment="bỏ").exists()
    assert FigureChange.objects.count() == history + len(figs) + 3


def test_alongside_runs_django_code_behind_the_statements_sent_before_it(world):
    """`alongside` inside `behind()`: the ORM on the block's thread, in the caller's transaction (it sees
    the rows the statements sent before it wrote), with the caller's request id; its failure raises when
    the block ends and the whole transaction rolls back. Outside a block: now, on the caller's thread."""
    figs = list(Figure.objects.filter(unit__province=world["province"], year=YEAR).order_by("id")[: bulk.COPY_FROM + 5])
    with transaction.atomic(), requestid.activity("thử") as rid:
        with behind():
            update_values(Figure, ["source"], [(f.pk, "bên cạnh") for f in figs])
            seen = alongside(lambda: (threading.current_thread().name, Figure.objects.filter(source="bên cạnh").count(),
                                      requestid.current(), connection.in_atomic_block))
            later = alongside(lambda: FigureChange.objects.filter(comment="sau").count())
            insert_values(FigureChange, ["figure"], [(f.pk,) for f in figs], {"comment": "sau"})
        thread, count, seen_rid, atomic = seen.result()
        assert thread.startswith("ntm-sql") and (count, seen_rid, atomic) == (len(figs), rid, True)
        assert later.result() == 0  # in order: the rows sent after it were not there yet
        assert alongside(lambda: threading.current_thread().name).result() == threading.current_thread().name
    with pytest.raises(ZeroDivisionError), transaction.atomic(), behind():
        update_values(Figure, ["source"], [(f.pk, "hỏng") for f in figs])
        alongside(lambda: 1 / 0)
    assert not Figure.objects.filter(source="hỏng").exists()
    assert Figure.objects.filter(source="bên cạnh").count() == len(figs)


def test_a_write_hands_over_the_figures_as_they_now_stand(world):
    """`figures_changed` carries the written unit-years' raw figures as they stand after the write —
    exactly what `values_for` reads back — so the evaluations need not read them again."""
    tinh = User.objects.get(username="tinh")
    unit = world["tho_long"]
    stored = dict(Figure.objects.filter(unit=unit, year=YEAR, value__isnull=False).values_list("field", "value"))
    typed = sorted(f for f in stored if f not in derived_fields())[:3]
    cells = [CellInput(unit.pk, YEAR, typed[0], stored[typed[0]] + 1, where="a"),
             CellInput(unit.pk, YEAR, typed[1], None, where="b"),  # cleared: None, as values_for gives it
             CellInput(unit.pk, YEAR, typed[2], str(stored[typed[2]]), where="c")]  # the same value typed
    seen = []

    def receiver(sender, values=None, **kwargs):
        seen.append(values)

    figures_changed.connect(receiver, dispatch_uid="test.handover")
    try:
        write_figures(tinh, cells, source="thử", confirm=True)
    finally:
        figures_changed.disconnect(dispatch_uid="test.handover")
    (values,) = seen
    assert values == values_for([unit.pk], [YEAR])
    assert values[(unit.pk, YEAR)][typed[0]] == float(stored[typed[0]] + 1) and values[(unit.pk, YEAR)][typed[1]] is None


def test_a_large_write_sends_its_updates_in_parts_and_records_new_figures(world, monkeypatch):
    """A large write opens its `behind()` block before checking its cells and sends the figures' update
    in parts (services.PARTS) while the next cells are checked; figures it creates get their history
    rows with their new ids, read behind the statements already sent. Every value lands as typed."""
    monkeypatch.setattr(services, "BEHIND_FROM", 1)
    monkeypatch.setattr(services, "PARTS", 3)
    tinh = User.objects.get(username="tinh")
    units = sorted(set(Figure.objects.filter(unit__province=world["province"], unit__level=Unit.Level.COMMUNE,
                                             year=YEAR).values_list("unit_id", flat=True)))[:3]
    stored = {(u, f): v for u, f, v in Figure.objects.filter(unit_id__in=units, year=YEAR, value__isnull=False)
              .exclude(field__in=list(derived_fields())).values_list("unit_id", "field", "value")}
    # counts only: one more of a count breaks no rule of the set (a ratio's part stays under its whole)
    counts = sorted(k for k, v in stored.items() if v == v.to_integral_value() and v > 10)
    gone = [k for k in counts if k[0] == units[0]][:2]  # two figures the write creates again
    Figure.objects.filter(unit_id=units[0], year=YEAR, field__in=[f for _, f in gone]).delete()
    bumped = [k for k in counts if k not in gone]
    cells = [CellInput(u, YEAR, f, stored[(u, f)] + ((u, f) in bumped), where=f"{u}/{f}") for u, f in sorted(stored)]
    expected = {(c.unit_id, c.field): Decimal(c.raw) for c in cells}
    history = FigureChange.objects.count()
    with CaptureQueriesContext(connection) as queries:
        result = write_figures(tinh, cells, source="từng phần", door="excel", confirm=True)
    updates = [q for q in queries if 'UPDATE "figures_figure" SET "value"' in q["sql"]]
    assert len(updates) >= 2, [q["sql"][:80] for q in queries]  # sent in parts, not once at the end
    assert result.written == len(bumped) + len(gone) and FigureChange.objects.count() == history + result.written
    rows = {(u, f): (i, v) for i, u, f, v in Figure.objects.filter(unit_id__in=units, year=YEAR)
            .values_list("id", "unit_id", "field", "value")}
    assert {k: rows[k][1] for k in expected} == expected
    made = FigureChange.objects.filter(figure_id__in=[rows[k][0] for k in gone])
    assert sorted((c.figure_id, c.old_value, c.new_value) for c in made) == sorted(
        (rows[k][0], None, stored[k]) for k in gone)

"""Writing many rows with little work per row, where Django's bulk helpers do a lot.

`bulk_update` builds one `CASE WHEN id = … THEN …` per field and row: for 10,000 figures that is a
statement the database takes seconds to plan and run (4 s of a 4.5 s province import, issue 16).
`update_rows` sends the rows as a VALUES list joined on the primary key instead — one statement
per batch, `UPDATE … FROM (VALUES …)` — which PostgreSQL and SQLite (3.33+) both run in
milliseconds. `insert_rows` writes new rows through the driver's `executemany`. Values go through
each field's own `get_db_prep_save`, exactly as in a model save.

`update_values` and `insert_values` do the same from plain tuples, without model instances (building
30,000 of them was most of a province import's write, issue 16): one statement per table — on
PostgreSQL `UPDATE … FROM` and `INSERT … SELECT` the rows sent as one jsonb parameter, on SQLite
through `json_each` or an `executemany` — with the values common to every row prepared once. The figures' write path uses
them; the instance-based helpers stay for callers that hold instances.

`together()` holds back the small writes made inside it and sends them, on PostgreSQL, as one
statement (a saved figure's update, history row and audit entry: one round trip instead of three).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from decimal import Decimal

import orjson
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Model


def update_rows(model: type[Model], objs: Sequence[Model], fields: Sequence[str], batch_rows: int = 2000) -> int:
    """UPDATE each object's row (by primary key) with its current values of `fields` (field names, as
    for `bulk_update`; auto_now fields are written as they stand on the object, not refreshed).
    Returns the number of objects sent. Objects must already have a primary key (ValueError if not)."""
    if not objs:
        return 0
    if any(obj.pk is None for obj in objs):
        raise ValueError("update_rows: every object needs a primary key")
    db = router.db_for_write(model)
    connection = connections[db]
    meta = model._meta
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]
    qn = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"

    def placeholder(field) -> str:  # PostgreSQL types VALUES columns from their first row: cast them
        return f"%s::{field.db_type(connection)}" if postgres else "%s"

    row_sql = "(" + ", ".join(placeholder(f) for f in [pk, *columns]) + ")"
    assignments = ", ".join(f"{qn(f.column)} = v.column{i}" for i, f in enumerate(columns, start=2))
    table = qn(meta.db_table)
    # PostgreSQL reports no limit (None): its protocol allows 65,535 parameters a statement
    limit = connection.features.max_query_params or (65535 if postgres else 999)
    per_batch = max(1, min(batch_rows, limit // (len(columns) + 1)))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_batch):
            batch = objs[start : start + per_batch]
            params: list = []
            for obj in batch:
                params.append(pk.get_db_prep_save(obj.pk, connection))
                params += [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row_sql] * len(batch))}) AS v "
                f"WHERE {table}.{qn(pk.column)} = v.column1", params)
    return len(objs)


def insert_rows(model: type[Model], objs: Sequence[Model]) -> int:
    """INSERT the objects as new rows through the driver's `executemany` (SQLite's C loop; a pipeline
    on psycopg 3), without reading primary keys back — for history and audit rows nobody refers to in
    the same write. Each field's `pre_save(obj, add=True)` (auto_now_add, auto_now) and
    `get_db_prep_save` run as in a model save; `bulk_create` does the same with much more work per
    value (7,661 audit rows: 5,5 s with bulk_create, 1,0 s here on SQLite, on a loaded machine).
    Returns the number of rows written."""
    if not objs:
        return 0
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and getattr(f, "db_returning", False))]
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs])
    return len(objs)


def _many(cursor, sql: str, params: list) -> None:
    """One row: a plain execute (a form save's statement, logged as itself); more: executemany."""
    if len(params) == 1:
        cursor.execute(sql, params[0])
    else:
        cursor.executemany(sql, params)


COPY_FROM = 50  # rows: below, an INSERT costs fewer round trips than COPY's handshake
JSON_FROM = 1000  # rows (SQLite): below, the executemany costs less than the JSON around each value


def _as_is(value, connection):
    return value


def insert_values(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence],
                  constants: Mapping[str, object] | None = None, prepared: bool = False) -> int:
    """INSERT plain rows, without model instances: `columns` names the fields (as for a model:
    "figure" or "figure_id" for a foreign key, the value being the id) each row gives, in order;
    `constants` gives one value for every row (prepared once). Every other field takes what a new
    model instance would save (`pre_save(..., add=True)`: its default, `auto_now_add` → now), also
    prepared once. Values go through each field's `get_db_prep_save`, as in a model save.

    PostgreSQL: from COPY_FROM rows on (fewer, as a form save's one history row: `executemany`, one
    round trip less), one `INSERT … SELECT … FROM jsonb_array_elements(<the rows as one jsonb
    parameter>)` — held by `together()` like the small statements — or, when a value cannot go
    through JSON unchanged (`_json_rows`), one `COPY … FROM STDIN` (psycopg 3); SQLite: from JSON_FROM rows on, one
    `INSERT … SELECT … FROM json_each(<the rows as one JSON parameter>)` (an executemany runs the
    statement once per row, and a table with AUTOINCREMENT — every Django AutoField on SQLite —
    rewrites its `sqlite_sequence` row each time: 7,491 history rows 50–60 ms → 30 ms), else an
    `executemany`. Primary keys are not read back. Returns the number of rows written.

    `prepared`: the rows' values are already as the database takes them — except a JSONField's, given
    as the structure itself (a dict or list; None for SQL NULL). Where the rows go as one JSON
    parameter, it is nested there and taken as it is (`r->i`): written out as text inside the text
    and parsed twice, 147 audit entries of a province's import cost PostgreSQL 14 ms instead of 6."""
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    given = [meta.get_field(name) for name in columns]
    constants = {k: v.pk if isinstance(v, Model) else v for k, v in (constants or {}).items()}  # an instance → its id
    fixed_fields = [meta.get_field(name) for name in constants]
    named = {f.attname for f in given} | {f.attname for f in fixed_fields}
    proto = model()
    rest = [f for f in meta.concrete_fields if f.attname not in named and not (f.primary_key and getattr(f, "db_returning", False))]
    fixed = [f.get_db_prep_save(constants[name], connection) for name, f in zip(constants, fixed_fields, strict=True)]
    fixed += [f.get_db_prep_save(f.pre_save(proto, True), connection) for f in rest]
    fields = given + fixed_fields + rest
    fixed = tuple(fixed)
    preps = [f.get_db_prep_save for f in given]
    width = range(len(given))
    # each row's given values prepared once, whichever form the rows then take
    given_rows = rows if prepared else [tuple(preps[i](row[i], connection) for i in width) for row in rows]
    nested = [i for i, f in enumerate(given) if prepared and f.get_internal_type() == "JSONField"]
    if any(not isinstance(row[i], dict | list | None) for i in nested for row in rows):  # text would be nested as a string
        raise TypeError(f"{meta.label}: a JSONField's prepared value is a dict, a list or None")

    def ready():  # the rows as parameters: a nested JSON value as its text
        if nested:
            return [(*(_json_text(v) if i in nested else v for i, v in enumerate(row)), *fixed) for row in given_rows]
        return [(*row, *fixed) for row in given_rows]

    qn = connection.ops.quote_name
    names = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
            text = _json_rows(given_rows)
            if text is not None:  # one jsonb parameter, dumped in C (COPY formats each value in Python: 7,491 rows 45 ms)
                picks = [f"NULLIF(r->{i}, 'null')" if i in nested else f"(r->>{i})::{f.db_type(connection)}"
                         for i, f in enumerate(given)] + [f"%s::{f.db_type(connection)}" for f in fields[len(given):]]
                sql = (f"INSERT INTO {qn(meta.db_table)} ({names}) SELECT {', '.join(picks)} "
                       f"FROM jsonb_array_elements(%s::jsonb) AS r")
                if not _hold(connection, sql, [*fixed, text]):
                    _run(connection, cursor, sql, [*fixed, text])
                return len(rows)
            copy_sql, copied = f"COPY {qn(meta.db_table)} ({names}) FROM STDIN", ready()

            def copy_rows(cursor) -> None:
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in copied:
                        copy.write_row(row)

            _call(connection, cursor, copy_rows)
        elif connection.vendor == "sqlite" and len(rows) >= JSON_FROM and (text := _json_rows(given_rows)) is not None:
            picks = [f"json_extract(value, '$[{i}]')" for i in width] + ["%s"] * len(fixed)
            _run(connection, cursor, f"INSERT INTO {qn(meta.db_table)} ({names}) SELECT {', '.join(picks)} "
                 "FROM json_each(%s)", [*fixed, text])
        else:
            values = ready()
            row_sql = f"({', '.join(['%s'] * len(fields))})"
            if _hold(connection, f"INSERT INTO {qn(meta.db_table)} ({names}) VALUES {', '.join([row_sql] * len(values))}",
                     [v for row in values for v in row]):
                return len(rows)
            _run(connection, cursor, f"INSERT INTO {qn(meta.db_table)} ({names}) VALUES {row_sql}", values, many=True)
    return len(rows)


# Values that reach SQLite through JSON exactly as they would as parameters: integers (and booleans,
# 1/0), text, NULL; a Decimal as its text, which the column's affinity converts as it converts the
# text Django's adapter binds for it. Anything else (a float: SQLite's own parsing of its digits
# might differ in the last bit from the double bound) keeps the executemany.
_JSON_EXACT = frozenset({int, str, type(None), bool, Decimal, dict, list})  # dict, list: a JSONField's (nested)


def _json_rows(rows) -> str | None:
    """The prepared rows as one JSON array of arrays (only the columns each row gives, not the
    constants appended), or None when a value's type cannot go through JSON unchanged."""
    if not {type(v) for row in rows for v in row} <= _JSON_EXACT:
        return None
    return orjson.dumps(rows, default=_decimal_text).decode()


def _json_text(value) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _decimal_text(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


def update_values(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence],
                  constants: Mapping[str, object] | None = None, prepared: bool = False) -> int:
    """UPDATE rows by primary key without model instances: each row is (pk, value of each of
    `columns`…); `constants` sets the same value on every row (prepared once). auto_now fields are
    written only if named. Values go through each field's `get_db_prep_save` (not the rows' with
    `prepared`: see `insert_values`).

    PostgreSQL: one `UPDATE … FROM` the rows — from COPY_FROM rows on as one jsonb parameter
    (`jsonb_array_elements`, each value cast to its column's type; the same values as arrays, which
    psycopg dumps at about 2 µs a value), else as one array per column (`unnest`); SQLite: from
    JSON_FROM rows on, one `UPDATE … FROM json_each(<the rows as one JSON parameter>)` joined on the
    primary key (values as `insert_values` sends them), else one `executemany` of an UPDATE by
    primary key. Returns the number of rows sent."""
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    pk = meta.pk
    given = [meta.get_field(name) for name in columns]
    constants = {k: v.pk if isinstance(v, Model) else v for k, v in (constants or {}).items()}  # an instance → its id
    fixed_fields = [meta.get_field(name) for name in constants]
    fixed = [f.get_db_prep_save(constants[name], connection) for name, f in zip(constants, fixed_fields, strict=True)]
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    preps = [pk.get_db_prep_save] + [f.get_db_prep_save for f in given]
    if prepared:
        preps = [_as_is] * len(preps)

    def as_json() -> str | None:  # the rows as one JSON parameter (`_json_rows`), each value prepared
        return _json_rows(rows if prepared else [tuple(prep(row[i], connection) for i, prep in enumerate(preps))
                                                 for row in rows])

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            aliases = ", ".join(f"c{i}" for i in range(len(preps)))
            sets = [f"{qn(f.column)} = v.c{i}" for i, f in enumerate(given, start=1)]
            sets += [f"{qn(f.column)} = %s" for f in fixed_fields]
            text = None
            if len(rows) >= COPY_FROM:
                text = as_json()
            if text is not None:  # many rows: one jsonb parameter (dumped by orjson in C; arrays: 2 µs a value)
                source = ", ".join(f"(r->>{i})::{f.db_type(connection)}" for i, f in enumerate([pk, *given]))
                sql = (f"UPDATE {table} SET {', '.join(sets)} FROM (SELECT {source} FROM jsonb_array_elements(%s::jsonb) "
                       f"AS r) AS v({aliases}) WHERE {table}.{qn(pk.column)} = v.c0")
                params = [*fixed, text]  # the constants' placeholders come first (SET), then the rows
            else:
                arrays = [[prep(row[i], connection) for row in rows] for i, prep in enumerate(preps)]
                types = ", ".join(f"%s::{f.db_type(connection)}[]" for f in [pk, *given])
                sql = (f"UPDATE {table} SET {', '.join(sets)} FROM unnest({types}) AS v({aliases}) "
                       f"WHERE {table}.{qn(pk.column)} = v.c0")
                params = [*fixed, *arrays]
            if not _hold(connection, sql, params):
                _run(connection, cursor, sql, params)
        elif len(rows) >= JSON_FROM and (text := as_json()):
            # one statement, its whole loop in SQLite's C code with the interpreter lock released: an
            # executemany takes the lock back for every row, and waited for it on every row while the
            # caller's thread checked the next cells (a province's first 2,500 figures: 62 ms, not 5)
            sets = [f"{qn(f.column)} = json_extract(j.value, '$[{i}]')" for i, f in enumerate(given, start=1)]
            sets += [f"{qn(f.column)} = %s" for f in fixed_fields]
            _run(connection, cursor, f"UPDATE {table} SET {', '.join(sets)} FROM json_each(%s) AS j "
                 f"WHERE {table}.{qn(pk.column)} = json_extract(j.value, '$[0]')", [*fixed, text])
        else:
            sets = ", ".join(f"{qn(f.column)} = %s" for f in [*given, *fixed_fields])
            tail = tuple(fixed)
            if prepared:
                params = [(*row[1:], *tail, row[0]) for row in rows]
            else:
                params = [tuple(preps[i](row[i], connection) for i in range(1, len(preps))) + tail
                          + (preps[0](row[0], connection),) for row in rows]
            _run(connection, cursor, f"UPDATE {table} SET {sets} WHERE {qn(pk.column)} = %s", params, many=True)
    return len(rows)


@contextlib.contextmanager
def together(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """On PostgreSQL, hold back the statements `update_values` and `insert_values` (below COPY_FROM
    rows) would send inside the block and send them at its end as ONE statement, the others as
    data-modifying parts of its WITH: a saved figure's update, history row and audit entry cost one
    round trip instead of three. Every part reads the rows as they stood before the statement, so the
    block's writes must not read one another's rows (an update and the rows that record it do not);
    nothing is sent if the block raises. Elsewhere (SQLite), and inside a block already open, the
    calls run as they would without it."""
    connection = connections[using]
    if connection.vendor != "postgresql" or getattr(connection, "_ntm_together", None) is not None:
        yield
        return
    connection._ntm_together = []
    try:
        yield
        held = connection._ntm_together
    finally:
        connection._ntm_together = None
    if not held:
        return
    *first, (last_sql, last_params) = held
    sql = "".join(f"{'WITH' if i == 0 else ','} w{i} AS ({part}) " for i, (part, _) in enumerate(first)) + last_sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [p for _, params in first for p in params] + list(last_params))


def _hold(connection, sql: str, params: list) -> bool:
    """Keep one statement for the end of the open `together()` block, if any."""
    held = getattr(connection, "_ntm_together", None)
    if not isinstance(held, list):
        return False
    held.append((sql, params))
    return True


@contextlib.contextmanager
def behind(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Send the statements `update_values` and `insert_values` make inside the block to one
    background thread of the same connection and transaction (`core.sql.Behind`), in order, while
    the caller's thread goes on building the next table's rows: a province's import updates 7,500
    figures while their history rows are built, and writes those while its audit rows are. Leaving
    the block waits for every statement and raises the first failure; after a failure in the block,
    statements not started are dropped. Inside the block, nothing else may use the connection
    (it is the thread's until the block ends). Inside `together()` or another `behind()`, the
    calls run as they would without it."""
    connection = connections[using]
    if getattr(connection, "_ntm_together", None) is not None:
        yield
        return
    from ntm.core.sql import Behind

    with Behind(connection) as worker:
        sent = connection._ntm_together = _Sent(worker)
        try:
            yield
        finally:
            connection._ntm_together = None
        for future in sent.futures:
            future.result()  # raises the first statement that failed (the later ones failed with it)


class _Sent:
    """The statements of an open `behind()` block, each sent as soon as it is made."""

    def __init__(self, worker) -> None:
        self.worker, self.futures = worker, []

    def call(self, fn) -> None:
        self.futures.append(self.worker.submit(fn))


def _call(connection, cursor, fn) -> None:
    """fn(cursor) now, or on the open `behind()` block's thread."""
    sent = getattr(connection, "_ntm_together", None)
    if isinstance(sent, _Sent):
        sent.call(fn)
    else:
        fn(cursor)


def fetch(sql: str, params, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
    """The rows of one query, read now — or, inside an open `behind()` block (which owns the
    connection), on its thread after every statement sent before it, the caller waiting for them."""
    connection = connections[using]

    def read(cursor) -> list[tuple]:
        cursor.execute(sql, params)
        return cursor.fetchall()

    sent = getattr(connection, "_ntm_together", None)
    if isinstance(sent, _Sent):
        return sent.worker.submit(read).result()
    with connection.cursor() as cursor:
        return read(cursor)


def alongside[T](fn: Callable[[], T], using: str = DEFAULT_DB_ALIAS) -> Future[T]:
    """fn() with Django's whole API (the ORM, `connection.cursor()`, `transaction.on_commit`): inside an
    open `behind()` block, on its thread after every statement sent before it, where this alias's
    connection is the caller's own (the same transaction) and the caller's context variables (request
    id, replica state) hold; the block's end waits for it and raises its failure. Elsewhere, now (a
    failure raised at once). Returns a Future of fn's result.

    So the layer above a write can read what it needs while the write's cells are checked, and store
    what it computed from them while the write's own rows are still being sent (figures.signals)."""
    connection = connections[using]
    sent = getattr(connection, "_ntm_together", None)
    if not isinstance(sent, _Sent):
        done: Future[T] = Future()
        done.set_result(fn())
        return done
    context = contextvars.copy_context()

    def bound(cursor) -> T:
        connection.inc_thread_sharing()  # the caller's thread waits for this one, or sends it statements
        connections[using] = connection
        try:
            return context.run(fn)
        finally:
            del connections[using]
            connection.dec_thread_sharing()

    future = sent.worker.submit(bound)
    sent.futures.append(future)
    return future


def _run(connection, cursor, sql: str, params, many: bool = False) -> None:
    """One statement (`many`: an executemany of its rows, see `_many`), now or behind."""
    _call(connection, cursor, lambda c: _many(c, sql, params) if many else c.execute(sql, params))


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a bulk path, back as it was after.

    A bulk path builds hundreds of thousands of short-lived, acyclic objects (a year's national
    recompute: 10,000 dicts of figures, their results and rows); the collector, started by every 700
    new containers, walked them and the whole process heap again and again — 0.5 s of a 1.8 s
    recompute, measured with `gc.callbacks` (docs/benchmarks.md). Nothing is lost: reference
    counting frees these objects as usual, and any cycle made meanwhile is collected by the next
    run after. Process-wide: keep the block to the bulk work itself."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()

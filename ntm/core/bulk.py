"""Writing many rows with little work per row, where Django's bulk helpers do a lot.

`bulk_update` builds one `CASE WHEN id = … THEN …` per field and row: for 10,000 figures that is a
statement the database takes seconds to plan and run (4 s of a 4.5 s province import, issue 16).
`update_rows` sends the rows as a VALUES list joined on the primary key instead — one statement
per batch, `UPDATE … FROM (VALUES …)` — which PostgreSQL and SQLite (3.33+) both run in
milliseconds. `insert_rows` writes new rows through the driver's `executemany`. Values go through
each field's own `get_db_prep_save`, exactly as in a model save.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Model

# Up to this many rows in all, the writes of a `together()` block go to PostgreSQL as one statement.
SMALL = 100


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
    if _defer(connection, ("update", model, list(objs), list(fields))):
        return len(objs)
    per_batch = max(1, min(batch_rows, (connection.features.max_query_params or 999) // (len(fields) + 1)))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_batch):
            cursor.execute(*_update_statement(connection, model, objs[start : start + per_batch], fields))
    return len(objs)


def _update_statement(connection, model: type[Model], batch: Sequence[Model], fields: Sequence[str]) -> tuple[str, list]:
    """(sql, params) of one `UPDATE … FROM (VALUES …)` for these objects."""
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
    params: list = []
    for obj in batch:
        params.append(pk.get_db_prep_save(obj.pk, connection))
        params += [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns]
    return (f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row_sql] * len(batch))}) AS v "
            f"WHERE {table}.{qn(pk.column)} = v.column1", params)


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
    if _defer(connection, ("insert", model, list(objs))):
        return len(objs)
    sql, rows = _insert_rows(connection, model, objs)
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(objs)


def _insert_rows(connection, model: type[Model], objs: Sequence[Model], rows: int = 1) -> tuple[str, list]:
    """(`INSERT … VALUES` with `rows` rows of placeholders, each object's values)."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and getattr(f, "db_returning", False))]
    qn = connection.ops.quote_name
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES {', '.join([row] * rows)}"
    return sql, [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs]


@contextlib.contextmanager
def together(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Hold back the `update_rows` and `insert_rows` calls made inside the block and send them at its
    end, in order: on PostgreSQL a small write (at most SMALL rows in all) goes as ONE statement, the
    others as data-modifying parts of its WITH — one round trip instead of one per call (a saved figure:
    its update, history row and audit entry). Every part reads the rows as they stood before the
    statement, so the block's writes must not depend on one another's rows (an update and the rows
    that record it do not). Elsewhere, or when larger, each call runs as it would have. Nothing is sent
    if the block raises; inside a block already open, calls join the outer one."""
    connection = connections[using]
    if getattr(connection, "_ntm_together", None) is not None:
        yield
        return
    connection._ntm_together = []
    try:
        yield
        held = connection._ntm_together
    finally:
        connection._ntm_together = None
    _send(connection, held)


def _defer(connection, call: tuple) -> bool:
    """Hold `call` when a `together()` block is open on this connection."""
    held = getattr(connection, "_ntm_together", None)
    if held is None:
        return False
    held.append(call)
    return True


def _send(connection, held: list[tuple]) -> None:
    rows = sum(len(call[2]) for call in held)
    if connection.vendor != "postgresql" or len(held) < 2 or rows > SMALL:
        for call in held:
            if call[0] == "update":
                update_rows(call[1], call[2], call[3])
            else:
                insert_rows(call[1], call[2])
        return
    parts: list[tuple[str, list]] = []
    for call in held:
        if call[0] == "update":
            parts.append(_update_statement(connection, call[1], call[2], call[3]))
        else:
            sql, values = _insert_rows(connection, call[1], call[2], rows=len(call[2]))
            parts.append((sql, [v for row in values for v in row]))
    *first, (last_sql, last_params) = parts
    sql = "WITH " + ", ".join(f"w{i} AS ({part_sql})" for i, (part_sql, _) in enumerate(first)) + f" {last_sql}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [p for _, part_params in first for p in part_params] + last_params)

"""One audit log: `record()` inside the change's transaction, with the request id.

Domain histories stay rows of their own (figure changes, level changes, dossier transitions);
this log says who did what, where, when, before and after, for every write of every app.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from ntm.core import requestid
from ntm.core.bulk import insert_rows, insert_values

from .models import AuditEntry


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def entry(user, action: str, obj: models.Model | None = None, *, unit=None, before: Any = None, after: Any = None,
          object_type: str = "", object_id: str = "", label: str = "") -> AuditEntry:
    """An unsaved entry (for bulk writes); see `record`."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        label = label or str(obj)[:200]
        if unit is None:
            unit = _unit_of(obj)
    return AuditEntry(
        user=_user(user), action=action, object_type=object_type, object_id=object_id, object_repr=label[:200],
        unit_id=getattr(unit, "pk", unit), before=before, after=after, request_id=requestid.current(),
    )


def record(user, action: str, obj: models.Model | None = None, *, unit=None, before: Any = None, after: Any = None,
           object_type: str = "", object_id: str = "", label: str = "") -> AuditEntry:
    """Write one audit row: who (`user`, None for the system), `action` (e.g. "figures.save"), the object
    (or `object_type`/`object_id`), the unit it belongs to (found from the object's `unit_path` when not
    given), `before`/`after` as JSON-able dicts. Call it inside the change's transaction."""
    row = entry(user, action, obj, unit=unit, before=before, after=after, object_type=object_type,
                object_id=object_id, label=label)
    row.save()
    return row


def record_many(rows: Iterable[AuditEntry]) -> int:
    """Write unsaved entries (`entry`) in a few statements; their primary keys are not read back.
    Returns how many were written."""
    return insert_rows(AuditEntry, list(rows))


def record_rows(user, action: str, rows: list[tuple]) -> int:
    """Write many entries of one user and action in one statement, without model instances: each
    row is (unit id, object_type, object_id, label, before, after), as `record` takes them. The
    request id is the current one. `before`/`after` (dicts of text, numbers, None) are written as
    JSON by orjson (a tenth of the standard library's time; the same JSON read back), nested in the
    rows' one parameter where they go as one (`core.bulk.insert_values`). Returns how many were
    written."""
    return insert_values(AuditEntry, ["unit", "object_type", "object_id", "object_repr", "before", "after"],
                         [(u, t, i, label[:200], b, a) for u, t, i, label, b, a in rows],
                         {"user": _user(user), "action": action, "request_id": requestid.current()}, prepared=True)


def _unit_of(obj: models.Model):
    path = getattr(type(obj), "unit_path", None)
    if path is None:
        return None
    if path == "":
        return obj.pk
    node: Any = obj
    parts = path.split("__")
    for i, part in enumerate(parts):
        if i == len(parts) - 1:
            return getattr(node, f"{part}_id", None)
        node = getattr(node, part, None)
        if node is None:
            return None
    return None

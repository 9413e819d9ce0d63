"""A request id for every change: set per web request by the middleware, per command or task by
`activity()`; the audit log stores it so one user action can be followed across rows."""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterator

_current: contextvars.ContextVar[str] = contextvars.ContextVar("ntm_request_id", default="")


def current() -> str:
    """The id of the request, command or task running now ("" outside any)."""
    return _current.get()


def new_id(prefix: str = "req") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


@contextlib.contextmanager
def activity(prefix: str) -> Iterator[str]:
    """Run a block (a management command, a task) under an id of its own, e.g. `cli-…`, `task-…`."""
    token = _current.set(new_id(prefix))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    """Gives every request an id (kept from a trusted proxy's X-Request-ID when it looks sane)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        rid = given if given.isascii() and 8 <= len(given) <= 64 and given.replace("-", "").isalnum() else new_id()
        request.request_id = rid
        token = _current.set(rid)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = rid
        return response

"""Reads of read-only pages from a PostgreSQL replica, everything else from the primary.

Configured by `DATABASE_REPLICA_URL` (settings: the `replica` alias, TEST MIRROR of `default`);
without it nothing changes — the router answers None and the middleware does nothing.

Which reads go to the replica: only those made while a view listed in `settings.NTM_REPLICA_VIEWS`
answers a GET or HEAD (dashboards, the national page, the public portal) — and even there not
  - after the request wrote anything (every read after a write in the request goes to `default`),
  - inside a transaction on `default` (what the transaction reads must be what it writes against),
  - for a browser that wrote in the last `NTM_REPLICA_PIN` seconds (a cookie set by any request
    that wrote — a POST, a sign-in): read-your-writes, a user never sees their own save missing
    because the replica lags behind. Sessions and the signed-in user are loaded from `default`
    before the view runs.
Writes always go to `default`, and so do reads of the shared cache table. Plain-SQL reads ask the router for their connection (`core.sql.reading`); plain-SQL writes run on `default`.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PIN_COOKIE = "ntm_primary"
SAFE = ("GET", "HEAD", "OPTIONS")
CACHE_APP = "django_cache"  # DatabaseCache's model (NTM_CACHE=database)
# Always read from the primary: the shared page cache, and who may see what (accounts' grants, auth's
# users and sessions) — a grant revoked on the primary must stop working at once, not once the replica
# has caught up. Data versions (core.DataVersion) are read where the page's data is: a cached page is
# then keyed by the version of the rows it was rendered from.
PRIMARY_ONLY = {CACHE_APP, "accounts", "auth", "sessions"}


@dataclass
class _Request:
    replica_ok: bool = False  # inside a view that may read from the replica
    wrote: bool = False  # something was written in this request
    depth: int = 0  # atomic blocks open on default when the request began (tests run inside one)


_current: ContextVar[_Request | None] = ContextVar("ntm_replica_request", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Django database router (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model, **hints) -> str | None:
        if not replica_configured():
            return None
        if model._meta.app_label in PRIMARY_ONLY:
            return DEFAULT_DB_ALIAS
        state = _current.get()
        if (state is None or not state.replica_ok or state.wrote
                or len(connections[DEFAULT_DB_ALIAS].atomic_blocks) > state.depth):
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        state = _current.get()
        if state is not None and model._meta.app_label != CACHE_APP:  # filling the page cache is not a user's write
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool | None:
        return False if db == REPLICA else None  # a physical replica follows the primary's schema


def pinned(request) -> bool:
    """True when this browser wrote recently (its pin cookie has not expired)."""
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
    except ValueError:
        return False


def replica_view(request) -> bool:
    match = request.resolver_match
    if match is None:
        return False
    names = settings.NTM_REPLICA_VIEWS
    return match.view_name in names or any(n.endswith(":*") and match.namespace == n[:-2] for n in names)


class ReplicaMiddleware:
    """Lets the listed read-only views read from the replica, and pins a browser that wrote to the
    primary for `settings.NTM_REPLICA_PIN` seconds. Put it last in MIDDLEWARE (it wraps the view only)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        state = _Request(wrote=request.method not in SAFE, depth=len(connections[DEFAULT_DB_ALIAS].atomic_blocks))
        token = _current.set(state)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if state.wrote:
            pin = settings.NTM_REPLICA_PIN
            response.set_cookie(PIN_COOKIE, f"{time.time() + pin:.0f}", max_age=pin, httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = _current.get()
        if state is None or state.wrote or pinned(request) or not replica_view(request):
            return None
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # noqa: B018 — load the session and the user from the primary, now
        state.replica_ok = True
        return None

"""Server-side cache of public pages, keyed by the data versions (ntm/core/versions.py).

Every public page is stored whole under (data versions, language, path and query). The versions
live in the database, so a change made anywhere — a gunicorn worker, a task worker, a recompute run
from the command line — makes every process miss: stored results raise `results` when they are
written (evaluations/recompute.py), and the writes the portal shows beside them — figures,
feedback, news, lessons, OCOP products, commendations — raise `portal` through signals (apps.py).
Entries also expire after `TTL` seconds. Each process may keep its own cache (the default
local-memory backend); a shared backend (NTM_CACHE=database) lets workers share rendered pages.
A public page is the same for every visitor: its templates show no user and carry no CSRF token
(the feedback form, which does, is never cached).
"""

from __future__ import annotations

import functools
import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation

from ntm.core import versions

TTL = 600


def data_version() -> str:
    """The versions a public page depends on, as one key part."""
    return "-".join(str(v) for v in versions.read(versions.RESULTS, versions.PORTAL))


def bump(*args, **kwargs) -> None:
    """Signal receiver: any change that the portal shows invalidates every cached page (on commit)."""
    versions.bump(versions.PORTAL)


def page_key(request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"portal:page:{data_version()}:{translation.get_language()}:{path}"


def cached_page(view):
    """Serve GET requests from the cache; store successful answers. The view must not depend on who
    asks (public pages carry no user, no CSRF token)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET":
            return view(request, *args, **kwargs)
        key = page_key(request)
        hit = cache.get(key)
        if hit is not None:
            response = HttpResponse(hit[0], content_type=hit[1])
            response["X-Portal-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not getattr(response, "streaming", False):
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            cache.set(key, (response.content, response["Content-Type"]), TTL)
            response["X-Portal-Cache"] = "miss"
        return response

    return wrapper

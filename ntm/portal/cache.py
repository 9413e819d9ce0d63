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
import gzip
import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

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
    asks (public pages carry no user, no CSRF token). The page is stored compressed too, so a hit
    costs no compression (a public page holds no secret for BREACH to guess)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET":
            return view(request, *args, **kwargs)
        key = page_key(request)
        hit = cache.get(key)
        if hit is not None:
            content, content_type, compressed = hit
            response = HttpResponse(content_type=content_type)
            patch_vary_headers(response, ("Accept-Encoding",))
            if compressed is not None and _accepts_gzip(request):
                response.content = compressed
                response["Content-Encoding"] = "gzip"
            else:
                response.content = content
            response["X-Portal-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not getattr(response, "streaming", False):
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            compressed = gzip.compress(response.content, compresslevel=6, mtime=0)
            cache.set(key, (response.content, response["Content-Type"],
                            compressed if len(compressed) < len(response.content) else None), TTL)
            response["X-Portal-Cache"] = "miss"
        return response

    return wrapper


def _accepts_gzip(request) -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()

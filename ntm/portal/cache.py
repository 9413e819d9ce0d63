"""Server-side cache of public pages, keyed by a data version.

Every public page is stored whole under (data version, language, path and query). Writes that change
what the portal shows — figures (hence evaluations), feedback, news, lessons, OCOP products,
commendations — bump the version through signals (see apps.py), so the next request renders afresh.
Entries also expire after `TTL` seconds, which bounds staleness after a bulk recompute run from the
command line (it sends no signal). Production needs a shared cache backend (settings.CACHES) for
the bump to reach every worker process.
"""

from __future__ import annotations

import functools
import hashlib
import time

from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation

VERSION_KEY = "portal:data-version"
TTL = 600


def data_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, int(time.time() * 1000), None)
        version = cache.get(VERSION_KEY)
    return version


def bump(*args, **kwargs) -> None:
    """Signal receiver: any change that the portal shows invalidates every cached page."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, int(time.time() * 1000), None)


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

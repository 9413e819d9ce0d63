"""Error pages in Vietnamese, in the site's layout (wired in ntm/urls.py as handler400…500, and
as CSRF_FAILURE_VIEW).

- 403 and 404 show the Vietnamese reason given to PermissionDenied / Http404
  (`raise Http404("Không tìm thấy đơn vị")`); Django's own English texts (the resolver's
  "no pattern matched", get_object_or_404's "No Unit matches the given query.") are not shown.
- 400 and 500 render `400.html` / `500.html` with an empty context and no request: no context
  processor, no database query, no session — whatever broke cannot break the error page too.
"""

from __future__ import annotations

import re

from django.http import HttpResponseBadRequest, HttpResponseForbidden, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.urls import Resolver404
from django.views.decorators.csrf import requires_csrf_token

# Messages Django raises in English on its own; a reason we wrote is shown, these are not.
_DJANGO_DEFAULT = re.compile(r"^(No .* matches the given query\.|Page not found|Forbidden|Permission denied)", re.I)


def reason_of(exception: BaseException | None) -> str:
    """The message given to the exception, if it is one written for the user (a non-empty string
    that is not one of Django's English defaults); else ""."""
    if exception is None or isinstance(exception, Resolver404):
        return ""
    args = getattr(exception, "args", ())
    message = args[0] if args and isinstance(args[0], str) else ""
    message = message.strip()
    if not message or _DJANGO_DEFAULT.match(message):
        return ""
    return message[:500]


@requires_csrf_token
def page_not_found(request, exception=None, template_name="404.html"):
    body = loader.render_to_string(template_name, {"reason": reason_of(exception), "request_path": request.path}, request)
    return HttpResponseNotFound(body)


@requires_csrf_token
def permission_denied(request, exception=None, template_name="403.html"):
    body = loader.render_to_string(template_name, {"reason": reason_of(exception)}, request)
    return HttpResponseForbidden(body)


def csrf_failure(request, reason="", template_name="403.html"):
    """A form sent without a valid CSRF token: usually a page left open too long, or cookies off."""
    body = loader.render_to_string(template_name, {
        "reason": "Biểu mẫu đã hết hạn hoặc trình duyệt chặn cookie: tải lại trang rồi gửi lại.", "csrf": True,
    }, request)
    return HttpResponseForbidden(body)


def bad_request(request, exception=None, template_name="400.html"):
    return HttpResponseBadRequest(loader.get_template(template_name).render())


def server_error(request, template_name="500.html"):
    return HttpResponseServerError(loader.get_template(template_name).render())

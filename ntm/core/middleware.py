from django.conf import settings
from django.http import QueryDict
from django.utils import translation


class VietnameseFirstMiddleware:
    """Vietnamese unless the user chose another language (cookie set by the language switch):
    a browser's English Accept-Language must not turn a commune official's screen English."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)


class QueryStringGuardMiddleware:
    """Query-string values are cut to MAX_QUERY_VALUE characters and NUL characters dropped,
    before any view or the admin reads them: a 50,000-character search makes SQLite refuse the
    LIKE pattern, and PostgreSQL refuses any text holding NUL — each a 500 otherwise. No view
    reads a parameter anywhere near this long (see ntm/core/params.py for numbers)."""

    MAX_QUERY_VALUE = 1000

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.GET
        if any(len(k) > self.MAX_QUERY_VALUE or "\x00" in k or any(len(v) > self.MAX_QUERY_VALUE or "\x00" in v for v in vs)
               for k, vs in query.lists()):
            clean = QueryDict(mutable=True)
            for key, values in query.lists():
                clean.setlist(self._clean(key), [self._clean(v) for v in values])
            clean._mutable = False
            request.GET = clean
        return self.get_response(request)

    def _clean(self, value: str) -> str:
        return value.replace("\x00", "")[: self.MAX_QUERY_VALUE]

from django.conf import settings
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

"""The site's URLs plus one that fails, to see the real 500 page (used by test_errors.py only)."""

from django.urls import path

from ntm.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [*urlpatterns, path("loi-thu/", boom)]

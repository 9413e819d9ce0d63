"""Sign-in: throttled (django-axes) and case/width-insensitive (usernames.normalize)."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .usernames import normalize


class ThrottleBackend(AxesStandaloneBackend):
    """django-axes' lock-out check, first in AUTHENTICATION_BACKENDS. Every sign-in page (the
    site's and the admin site's) passes the request; a call without one — a management script,
    the test client's `login()` — has no client address to count against and is let through to
    the next backend instead of failing."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class UsernameBackend(ModelBackend):
    """Finds the user by the normalised username ("Admin", "ａｄｍｉｎ" → "admin"). A user stored
    before normalisation (with capitals) is still found, by a case-insensitive match; if two
    stored names differ only by case, only the exact one signs in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        name = normalize(username)
        if len(name) > 150:
            return None
        candidates = list(User._default_manager.filter(username__iexact=name)[:2])
        exact = [u for u in candidates if u.username == name]
        user = exact[0] if exact else (candidates[0] if len(candidates) == 1 else None)
        if user is None:
            User().set_password(password)  # same time as a wrong password (no user enumeration)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

"""Usernames: one spelling per person, whatever keyboard typed it.

`normalize("  Admin ")` → "admin": Unicode NFKC (full-width "ａｄｍｉｎ" → "admin"), case-folded,
outer spaces trimmed. A new username is also refused (`check_new`, Vietnamese message) when it
  - holds an invisible character (zero-width space/joiner, soft hyphen, BOM, a control character)
    or any space;
  - holds a character other than a letter, a digit or . @ + - _ (Django's own rule);
  - mixes scripts (Cyrillic "а" in "аdmin", Greek "ο" in "tοan": look-alikes of Latin letters);
  - folds (ntm.core.text.fold: diacritics, đ, look-alike letters) to the same key as an
    existing user's: "admin", "Admin", "аdmin", "ádmin" cannot stand side by side.
Sign-in uses `normalize` (backends.UsernameBackend), so "Admin" signs in as "admin".
"""

from __future__ import annotations

import unicodedata

from django.contrib.auth import get_user_model

from ntm.core.text import fold, is_invisible

ALLOWED_SYMBOLS = ".@+-_"
MAX_LENGTH = 150


class UsernameError(ValueError):
    """A username that may not be created; the message is Vietnamese, for the form."""


def normalize(raw: str | None) -> str:
    return unicodedata.normalize("NFKC", raw or "").casefold().strip()


def _script(ch: str) -> str:
    """The script a letter belongs to, from its Unicode name ("LATIN SMALL LETTER A" → LATIN)."""
    try:
        return unicodedata.name(ch).split(" ")[0]
    except ValueError:
        return "UNKNOWN"


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".strip()


def check_new(raw: str, exclude_pk: int | None = None) -> str:
    """The normalised username, or UsernameError naming what is wrong."""
    bad = [ch for ch in raw if is_invisible(ch)]
    if bad:
        raise UsernameError(f"Tên đăng nhập chứa ký tự vô hình ({', '.join(map(_describe, bad[:3]))}): hãy gõ lại tên.")
    name = normalize(raw)
    if not name:
        raise UsernameError("Tên đăng nhập không được để trống.")
    if len(name) > MAX_LENGTH:
        raise UsernameError(f"Tên đăng nhập dài tối đa {MAX_LENGTH} ký tự.")
    bad = [ch for ch in name if not (ch.isalnum() or ch in ALLOWED_SYMBOLS)]
    if bad:
        shown = ", ".join("dấu cách" if ch.isspace() else f"“{ch}”" for ch in dict.fromkeys(bad))
        raise UsernameError(f"Tên đăng nhập chỉ gồm chữ, số và các dấu . @ + - _ (có {shown}).")
    scripts = {_script(ch) for ch in name if ch.isalpha()}
    if len(scripts) > 1:
        odd = [ch for ch in name if ch.isalpha() and _script(ch) != "LATIN"]
        raise UsernameError(
            "Tên đăng nhập trộn chữ của nhiều bảng chữ cái (dễ nhầm với tên khác): "
            f"{', '.join(_describe(ch) for ch in dict.fromkeys(odd))}.")
    key = fold(name)
    users = get_user_model().objects.exclude(pk=exclude_pk) if exclude_pk else get_user_model().objects.all()
    for existing in users.values_list("username", flat=True).iterator():
        if fold(normalize(existing)) == key:
            raise UsernameError(f"Tên đăng nhập đã tồn tại hoặc dễ nhầm với tài khoản “{existing}”.")
    return name


def axes_username(request, credentials: dict | None = None) -> str:
    """The username django-axes counts failures under: normalised, so "Admin" and "admin" share
    one counter (AXES_USERNAME_CALLABLE)."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = getattr(request, "POST", {}).get("username")
    return normalize(raw).replace("\x00", "")[:MAX_LENGTH]  # PostgreSQL text cannot hold NUL

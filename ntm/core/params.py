"""Numbers that arrive in URLs and query strings, read so that no value reaches the database
that it cannot hold.

A path like `/don-vi/99999999999999999999/` used to reach `Unit.objects.get(pk=…)`: SQLite
raises OverflowError, PostgreSQL "bigint out of range" — both a 500. The converters below
match only what an id or a year can be, so anything else is a plain 404 from the resolver.
Query parameters go through `int_param` / `year_param`, which fall back to a default.

Limits:
- an id is 1…2⁶³−1 (a signed 64-bit key on both databases), at most 18 ASCII digits in a URL
  (every 18-digit number fits); leading zeros are not accepted;
- a year is 4 ASCII digits in a URL; in a query string, YEAR_MIN…YEAR_MAX.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1
YEAR_MIN, YEAR_MAX = 1900, 2100
MAX_PARAM_LENGTH = 32  # longer than any number we read: refused before int() is tried


class IdConverter:
    """A database id in a URL: `<id:pk>`."""

    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class YearConverter:
    """A year in a URL: `<year:year>` (four ASCII digits)."""

    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def read_int(raw: str | None, lo: int, hi: int) -> int | None:
    """An ASCII decimal integer within [lo, hi], or None for anything else (blank, junk,
    non-ASCII digits such as '²' or '٣', a sign with nothing after it, out of range)."""
    if raw is None:
        return None
    text = raw.strip()
    if not text or len(text) > MAX_PARAM_LENGTH or not text.isascii():
        return None
    body = text[1:] if text[0] in "+-" else text
    if not body.isdigit():
        return None
    value = int(text)
    return value if lo <= value <= hi else None


def int_param(request, name: str, default: int | None, lo: int = 0, hi: int = MAX_ID) -> int | None:
    """`request.GET[name]` as an int within [lo, hi], else `default`."""
    value = read_int(request.GET.get(name), lo, hi)
    return default if value is None else value


def year_param(request, default: int | None, name: str = "year") -> int | None:
    """`?year=` within YEAR_MIN…YEAR_MAX, else `default`."""
    return int_param(request, name, default, YEAR_MIN, YEAR_MAX)


def valid_id(value: int) -> bool:
    return 1 <= value <= MAX_ID


def valid_year(value: int) -> bool:
    return YEAR_MIN <= value <= YEAR_MAX

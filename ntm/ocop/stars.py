"""OCOP rules, pure (no ORM): stars from the total score by the bands of 148/QĐ-TTg, certificate
expiry and reminder dates, status on a day. Every number comes from `data/ocop.toml` (with its source).

Shapes: scores are Decimal points (A ≤ 40, B ≤ 25, C ≤ 35, total ≤ 100); dates are `datetime.date`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "ocop.toml"


@dataclass(frozen=True)
class Rules:
    groups: dict[str, str]
    parts: dict[str, tuple[str, Decimal]]
    bands: tuple[tuple[int, Decimal], ...]  # (stars, min total), highest first
    min_stars: int
    validity_months: int
    reminder_days: int
    issuers: dict[str, str]
    derived: tuple[dict, ...]
    source: str


@cache
def rules(path: Path = DATA) -> Rules:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    bands = tuple(sorted(((int(b["stars"]), Decimal(str(b["min"]))) for b in raw["bands"]), key=lambda b: -b[1]))
    cert = raw["certificate"]
    return Rules(
        groups={g["code"]: g["name"] for g in raw["groups"]},
        parts={p["code"]: (p["name"], Decimal(str(p["max"]))) for p in raw["parts"]},
        bands=bands, min_stars=int(cert["min_stars"]), validity_months=int(cert["validity_months"]),
        reminder_days=int(cert["reminder_days"]), issuers={i["code"]: i["name"] for i in raw["issuers"]},
        derived=tuple(raw.get("derived", ())), source=raw["program"]["source"],
    )


class ScoreError(ValueError):
    """A score outside its part's range; the message names the part, in Vietnamese."""


def check_scores(a: Decimal, b: Decimal, c: Decimal, r: Rules | None = None) -> Decimal:
    """The total of the three parts; raises ScoreError naming the part that is out of range."""
    r = r or rules()
    for code, value in (("a", a), ("b", b), ("c", c)):
        name, top = r.parts[code]
        if value is None or value < 0 or value > top:
            raise ScoreError(f"{name}: điểm phải từ 0 đến {top}")
    return a + b + c


def stars_for(total: Decimal, r: Rules | None = None) -> int:
    """Stars for a total score: the highest band whose minimum the total reaches (49,99 → 2★, 50 → 3★)."""
    r = r or rules()
    total = Decimal(str(total))
    for stars, minimum in r.bands:
        if total >= minimum:
            return stars
    return r.bands[-1][0]


def certifiable(stars: int, r: Rules | None = None) -> bool:
    return stars >= (r or rules()).min_stars


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (31 Jan + 1 month → 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry(issued_on: dt.date, r: Rules | None = None) -> dt.date:
    """Expiry = issue date + validity (36 months)."""
    return add_months(issued_on, (r or rules()).validity_months)


def reminder_on(expires_on: dt.date, r: Rules | None = None) -> dt.date:
    """The day the producer must be told at the latest (30 days before expiry)."""
    return expires_on - dt.timedelta(days=(r or rules()).reminder_days)


IN_FORCE, EXPIRED, REVOKED = "in_force", "expired", "revoked"


def status_on(day: dt.date, issued_on: dt.date | None, expires_on: dt.date | None,
              revoked_on: dt.date | None = None) -> str:
    """in_force | expired | revoked on `day` ("" without a certificate). A certificate is in force
    from its issue date up to and including its expiry date."""
    if issued_on is None or expires_on is None or day < issued_on:
        return ""
    if revoked_on is not None and revoked_on <= day:
        return REVOKED
    return IN_FORCE if day <= expires_on else EXPIRED


def reference_day(year: int, today: dt.date) -> dt.date:
    """The day a year's count is taken on: 31/12 of the year, or today while the year is running."""
    return min(dt.date(year, 12, 31), today)

"""The pure OCOP rules: star bands of 148/QĐ-TTg at their edges, expiry, reminder, status."""

import datetime as dt
from decimal import Decimal

import pytest

from ntm.ocop import stars


@pytest.mark.parametrize("total,expected", [
    ("0", 1), ("29.99", 1), ("30", 2), ("49.99", 2), ("50", 3), ("69.99", 3), ("70", 4), ("89.99", 4), ("90", 5),
    ("100", 5),
])
def test_band_edges(total, expected):
    assert stars.stars_for(Decimal(total)) == expected


def test_bands_come_from_the_data_file():
    r = stars.rules()
    assert [s for s, _ in r.bands] == [5, 4, 3, 2, 1]
    assert r.validity_months == 36 and r.reminder_days == 30 and r.min_stars == 3
    assert len(r.groups) == 6
    assert sum(top for _, top in r.parts.values()) == 100


def test_scores_out_of_range_name_the_part():
    with pytest.raises(stars.ScoreError, match="Phần A"):
        stars.check_scores(Decimal("41"), Decimal("1"), Decimal("1"))
    assert stars.check_scores(Decimal("40"), Decimal("25"), Decimal("35")) == 100


def test_expiry_is_36_months_and_reminder_30_days_before():
    assert stars.expiry(dt.date(2023, 3, 15)) == dt.date(2026, 3, 15)
    assert stars.expiry(dt.date(2024, 2, 29)) == dt.date(2027, 2, 28)
    assert stars.reminder_on(dt.date(2026, 3, 15)) == dt.date(2026, 2, 13)


def test_status_on_a_day():
    issued, expires = dt.date(2023, 1, 10), dt.date(2026, 1, 10)
    assert stars.status_on(dt.date(2023, 1, 9), issued, expires) == ""
    assert stars.status_on(dt.date(2026, 1, 10), issued, expires) == stars.IN_FORCE
    assert stars.status_on(dt.date(2026, 1, 11), issued, expires) == stars.EXPIRED
    assert stars.status_on(dt.date(2025, 1, 1), issued, expires, dt.date(2024, 6, 1)) == stars.REVOKED
    assert stars.reference_day(2025, dt.date(2026, 11, 30)) == dt.date(2025, 12, 31)
    assert stars.reference_day(2026, dt.date(2026, 11, 30)) == dt.date(2026, 11, 30)

"""Stock Django `vi` reads 05/03/2025 as 3 May and prints 1234567 ungrouped: ours must not."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from ntm.core.text import fold, parse_vi_number


class DateForm(forms.Form):
    day = forms.DateField()


def test_date_is_read_day_first():
    with translation.override("vi"):
        form = DateForm({"day": "05/03/2025"})
        assert form.is_valid()
        assert form.cleaned_data["day"] == dt.date(2025, 3, 5)
        assert DateForm({"day": "13/03/2025"}).is_valid()


def test_date_and_number_display():
    with translation.override("vi"):
        out = Template("{{ d|date:'SHORT_DATE_FORMAT' }} {{ n }} {{ x }}").render(
            Context({"d": dt.date(2025, 3, 5), "n": 1234567, "x": Decimal("1234.5")})
        )
    assert out == "05/03/2025 1.234.567 1.234,5"


@pytest.mark.parametrize(
    "raw, expected",
    [("12,5", Decimal("12.5")), ("1.234,5", Decimal("1234.5")), ("1.234", Decimal("1234")), ("1234.5", Decimal("1234.5")),
     ("  7 ", Decimal("7")), ("", None), (3, Decimal("3"))],
)
def test_vietnamese_numbers(raw, expected):
    assert parse_vi_number(raw) == expected


def test_junk_number_is_a_clear_error():
    with pytest.raises(ValueError, match="không phải là số"):
        parse_vi_number("mười hai")


def test_fold_strips_marks_and_d():
    assert fold("Thọ Xuân") == "tho xuan"
    assert fold("Đông Sơn") == "dong son"
    assert fold("nông thôn mới") == "nong thon moi"

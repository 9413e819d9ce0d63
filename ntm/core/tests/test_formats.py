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


@pytest.mark.parametrize("value, vi, en", [
    (Decimal("5.4400"), "5,44", "5.44"),
    (Decimal("1234.5000"), "1.234,5", "1,234.5"),
    (65.0, "65", "65"),
    (Decimal("1000"), "1.000", "1,000"),
    (86.1234, "86,12", "86.12"),
    (0.005, "0,01", "0.01"),
    (Decimal("-2.50"), "-2,5", "-2.5"),
    (None, "—", "—"),
])
def test_num_filter_shows_the_decimals_the_value_needs(value, vi, en):
    tpl = Template("{% load ntm %}{{ v|num }}")
    with translation.override("vi"):
        assert tpl.render(Context({"v": value})) == vi
    with translation.override("en"):
        assert tpl.render(Context({"v": value})) == en


def test_num_filter_places_argument():
    with translation.override("vi"):
        assert Template("{% load ntm %}{{ v|num:4 }}").render(Context({"v": Decimal("0.12345")})) == "0,1235"
        assert Template("{% load ntm %}{{ v|num:0 }}").render(Context({"v": 12.6})) == "13"

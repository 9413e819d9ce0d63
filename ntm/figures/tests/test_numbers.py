"""The number parser and the field ranges: exact readings, and properties (hypothesis) that no input
yields a stored value that is not finite, outside its field's range or too big for Figure.value."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ntm.core.text import AmbiguousNumber, NotANumber, parse_vi_number
from ntm.criteria.spec import FieldDef, shared_fields
from ntm.figures.rules import STORABLE_LIMIT, InvalidFigure, clean_value, declared_rules, rules_for

KM = FieldDef("km_x", "Chiều dài", "km", "number")
INCOME = shared_fields()["income_per_capita"]
HOUSEHOLDS = shared_fields()["households_total"]
PCT = FieldDef("pct_x", "Tỷ lệ", "%", "percent")
FLAG = FieldDef("flag_x", "Có quy hoạch", "", "bool")
NOUNIT = FieldDef("odd_x", "Lạ", "", "number")
FIELDS = [KM, INCOME, HOUSEHOLDS, PCT, FLAG, NOUNIT]


@pytest.mark.parametrize("raw, expected", [
    ("12,5", Decimal("12.5")), ("1.234,5", Decimal("1234.5")), ("1.234.567", Decimal("1234567")),
    ("1234.5", Decimal("1234.5")), ("0.750", Decimal("0.750")), ("1,234,567", Decimal("1234567")),
    ("1,234.5", Decimal("1234.5")), (" 7\u00a0", Decimal("7")), ("−5", Decimal("-5")), (3, Decimal(3)),
    (2.5, Decimal("2.5")), ("", None), (None, None),
])
def test_readings(raw, expected):
    assert parse_vi_number(raw, strict=True) == expected


@pytest.mark.parametrize("raw", ["NaN", "nan", "Infinity", "-inf", "1e30", "1E5", "1_000", "１２", "١٢", "12a",
                                 "1..2", ",5", "1.2.3", "TRUE", True, False, float("nan"), float("inf"),
                                 Decimal("NaN"), Decimal("Infinity"), "1" * 41, object()])
def test_not_numbers(raw):
    with pytest.raises(NotANumber):
        parse_vi_number(raw, strict=True)


def test_exponent_keeps_its_size_for_the_message():
    with pytest.raises(NotANumber) as exc:
        parse_vi_number("1e30")
    assert exc.value.exponent == Decimal("1e30")


def test_one_dot_three_digits_is_ambiguous_only_when_strict():
    assert parse_vi_number("1.234") == 1234
    with pytest.raises(AmbiguousNumber) as exc:
        parse_vi_number("1.234", strict=True)
    assert exc.value.readings == (Decimal(1234), Decimal("1.234"))


@pytest.mark.parametrize("fdef, raw, expected", [
    (HOUSEHOLDS, "1.234", Decimal(1234)),  # a count: only the thousands reading is whole
    (INCOME, "45.500", Decimal("45.5")),  # 45.500 triệu is above the range, 45,5 is not
    (PCT, "12.345", Decimal("12.345")),
    (KM, "0.750", Decimal("0.75")),
    (FLAG, True, Decimal(1)), (FLAG, "Đạt", Decimal(1)), (FLAG, "0", Decimal(0)),
    (PCT, Decimal("75.00004"), Decimal("75.0000")),  # 4 decimals kept
    (KM, 0.1 + 0.2, Decimal("0.3")),  # float noise from a spreadsheet
])
def test_field_aware_readings(fdef, raw, expected):
    assert clean_value(raw, fdef) == expected


@pytest.mark.parametrize("fdef, raw, message", [
    (KM, "1.234", "“1.234” có thể là 1.234 hoặc 1,234 (đơn vị: km): hãy viết 1234 (không dấu chấm) hoặc 1,234 (dấu phẩy thập phân)"),
    (INCOME, "33.500.000", "Giá trị quá lớn: 33.500.000 vượt mức hợp lý tối đa 1.000 (đơn vị: triệu đồng/người/năm); "
                           "có phải đã ghi theo đồng? Trường này tính bằng triệu đồng/người/năm"),
    (HOUSEHOLDS, "0", "Giá trị quá nhỏ: 0 dưới mức hợp lý tối thiểu 1 (đơn vị: hộ)"),
    (KM, "1e30", "Giá trị quá lớn: 1e30 vượt mức hợp lý tối đa 10.000 (đơn vị: km)"),
    (KM, "NaN", "“NaN” không phải là số (ví dụ hợp lệ: 12,5 hoặc 1.234)"),
    (KM, True, "“TRUE” không phải là số (ví dụ hợp lệ: 12,5 hoặc 1.234)"),
    (NOUNIT, "1" * 17, f"Giá trị quá lớn: {'1' * 17} vượt mức hợp lý tối đa 1.000.000.000"),
    (FLAG, "2", "“2”: chọn Đạt hoặc Không (ghi 1 hoặc 0)"),
    (PCT, "100,5", "Tỷ lệ không được vượt quá 100%"),
    (HOUSEHOLDS, "12,5", "Phải là số nguyên"),
    (KM, "-0,1", "Giá trị không được âm"),
])
def test_field_refusals(fdef, raw, message):
    with pytest.raises(InvalidFigure) as exc:
        clean_value(raw, fdef)
    assert str(exc.value) == message


def test_every_field_declares_a_range_in_its_unit():
    from ntm.criteria.spec import field_bounds

    assert (INCOME.min, INCOME.max) == (Decimal(0), Decimal(1000))
    assert (HOUSEHOLDS.min, HOUSEHOLDS.max) == (Decimal(1), Decimal(1_000_000))
    assert field_bounds("any", "%", "percent") == (Decimal(0), Decimal(100))
    assert field_bounds("x", "km", "number") == (Decimal(0), Decimal(10000))
    for f in shared_fields().values():
        assert 0 <= f.min < f.max < STORABLE_LIMIT


def test_declared_rules_parse_and_expand():
    assert {r["code"] for r in declared_rules()} >= {"working_age_le_population", "households_part_le_households"}
    fields = {f.code: f for f in [*shared_fields().values(), FieldDef("livestock_households_total", "Số hộ chăn nuôi", "hộ", "count")]}
    pairs = {(r.left[0].field, r.right[0].field, r.importance) for r in rules_for(fields) if len(r.left) == 1}
    assert ("livestock_households_total", "households_total", "error") in pairs
    assert ("poor_households", "households_total", "error") in pairs
    assert ("workers_total", "working_age_population", "warning") in pairs
    assert ("households_total", "households_total", "error") not in pairs


# --- properties --------------------------------------------------------------------------------

texts = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789.,+-eE _\u00a0", max_size=30),
    st.from_regex(r"[+-]?[0-9]{1,22}([.,][0-9]{1,8})?", fullmatch=True),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "1e-400", "TRUE", "Đạt", "0.750", "1.234", "１２"]),
)
values = st.one_of(texts, st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                   st.decimals(allow_nan=True, allow_infinity=True), st.none())


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(raw=values, fdef=st.sampled_from(FIELDS))
def test_no_input_gives_an_unstorable_value(raw, fdef):
    try:
        value = clean_value(raw, fdef)
    except InvalidFigure as exc:
        assert str(exc)  # a sentence for the user, never an empty message
        return
    if value is None:
        return
    assert isinstance(value, Decimal) and value.is_finite()
    assert fdef.min <= value <= fdef.max and value < STORABLE_LIMIT
    assert value == value.quantize(Decimal("0.0001"))  # fits decimal_places=4
    assert len(value.as_tuple().digits) <= 20  # fits max_digits=20
    if fdef.kind in ("count", "bool"):
        assert value == value.to_integral_value()


@settings(max_examples=500, deadline=None)
@given(raw=st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.booleans()))
def test_the_parser_raises_only_value_errors(raw):
    try:
        value = parse_vi_number(raw, strict=True)
    except ValueError:
        return
    assert value is None or (value.is_finite() and not (isinstance(raw, float) and math.isnan(raw)))


# --- through the write path, on the real database (SQLite or PostgreSQL) --------------------------

@pytest.mark.django_db
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], deadline=None)
@given(raw=values)
def test_the_write_path_stores_only_storable_values(world, raw):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from ntm.figures.models import Figure
    from ntm.figures.services import WriteRefused, set_figure
    from ntm.testing import YEAR
    from ntm.units.models import Unit

    unit = Unit.objects.get(pk=world["tho_long"].pk)
    user = get_user_model().objects.get(username="xa")
    try:
        expected = clean_value(raw, KM)
    except InvalidFigure:
        expected = "refused"
    with transaction.atomic():
        Figure.objects.filter(unit=unit, year=YEAR, field__startswith="km_commune").delete()
        try:
            set_figure(unit, YEAR, "km_commune_roads_total", raw, user=user, door="test")
        except WriteRefused as exc:
            assert expected == "refused" and len(exc.errors) == 1 and "Tổng chiều dài đường xã" in exc.errors[0]
        else:
            fig = Figure.objects.filter(unit=unit, year=YEAR, field="km_commune_roads_total").first()
            stored = None if fig is None else fig.value
            if fig is not None:
                fig.refresh_from_db()
                assert fig.value == stored
            assert stored == expected
            assert stored is None or Decimal(0) <= stored <= Decimal(10000)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_largest_allowed_value_round_trips(world):
    from django.contrib.auth import get_user_model

    from ntm.figures.models import Figure
    from ntm.figures.services import set_figure
    from ntm.testing import YEAR

    unit, user = world["tho_long"], get_user_model().objects.get(username="xa")
    set_figure(unit, YEAR, "population_total", "5.000.000", user=user, confirm=True)
    assert Figure.objects.get(unit=unit, year=YEAR, field="population_total").value == Decimal(5_000_000)
    Figure.objects.filter(unit=unit, year=YEAR, field="km_commune_roads_hardened").delete()
    set_figure(unit, YEAR, "km_commune_roads_total", "9999,9999", user=user)
    assert Figure.objects.get(unit=unit, year=YEAR, field="km_commune_roads_total").value == Decimal("9999.9999")


# --- the entry form ------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["NaN", "Infinity", "1e5", "1_000", "１２", "12345678901234567890"])
def test_the_form_refuses_non_numbers_and_huge_values(world, raw):
    from django.urls import reverse

    from ntm.figures.models import Figure
    from ntm.testing import YEAR, login

    before = Figure.objects.filter(unit=world["tho_long"], year=YEAR, field="km_commune_roads_total").values_list("value")
    before = list(before)
    r = login("xa").post(reverse("figure_save", args=[world["tho_long"].pk, YEAR, "km_commune_roads_total"]), {"value": raw})
    body = r.content.decode()
    assert r.status_code == 422 and ("không phải là số" in body or "Giá trị quá lớn" in body)
    assert list(Figure.objects.filter(unit=world["tho_long"], year=YEAR, field="km_commune_roads_total").values_list("value")) == before


@pytest.mark.django_db
def test_the_form_asks_to_confirm_a_warning(world):
    from django.urls import reverse

    from ntm.figures.models import Figure
    from ntm.testing import YEAR, login

    unit = world["tho_long"]
    working_age = Figure.objects.filter(unit=unit, year=YEAR, field="working_age_population").first()
    if working_age is None:
        Figure.objects.create(unit=unit, year=YEAR, field="working_age_population", value=3000)
        working_age = Figure.objects.get(unit=unit, year=YEAR, field="working_age_population")
    population = Figure.objects.get(unit=unit, year=YEAR, field="population_total").value
    above = int(min(working_age.value + 50, population))
    assert above > working_age.value
    c = login("xa")
    url = reverse("figure_save", args=[unit.pk, YEAR, "workers_total"])
    r = c.post(url, {"value": str(above)})
    body = r.content.decode()
    assert r.status_code == 422 and "Chưa lưu — cần xác nhận" in body and "Vẫn lưu" in body
    assert Figure.objects.filter(unit=unit, year=YEAR, field="workers_total", value=above).count() == 0
    r = c.post(url, {"value": str(above), "confirm": "1"})
    assert r.status_code == 200
    assert Figure.objects.get(unit=unit, year=YEAR, field="workers_total").value == above

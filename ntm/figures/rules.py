"""What a figure may be, as pure functions (no ORM): the same rules for every door (entry form,
Excel import, API, CLI, demo).

- `clean_value`: parse one value as typed and check it against its field and the unit-year's
  other figures (numerator ≤ denominator…). Errors are Vietnamese sentences for the user.
- `accepts_year`: a unit holds figures only for the years it existed on 1 January — so the
  reform year 2025 belongs to the pre-reform units (the year the 2021–2025 period closes, reported
  on the communes in force when it began) and the communes created on 1 July 2025 start in 2026
  (Nghị quyết 202/2025/QH15: the new units exist from 01/07/2025).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ntm.core.text import parse_vi_number
from ntm.criteria.spec import CriteriaSetSpec, FieldDef


class InvalidFigure(ValueError):
    """A value that cannot be stored; the message says why, in Vietnamese."""


def accepts_year(valid_from: dt.date | None, valid_to: dt.date | None, year: int) -> bool:
    """True when the unit was in force on 1 January of `year` (see the module note)."""
    day = dt.date(year, 1, 1)
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


def year_refusal(name: str, valid_from: dt.date | None, valid_to: dt.date | None, year: int) -> str | None:
    """The Vietnamese reason a unit does not take figures for `year`, or None."""
    if accepts_year(valid_from, valid_to, year):
        return None
    if valid_from is not None and dt.date(year, 1, 1) < valid_from:
        first = valid_from.year + (0 if valid_from == dt.date(valid_from.year, 1, 1) else 1)
        return (f"{name} được thành lập từ {valid_from:%d/%m/%Y}: chỉ nhận số liệu từ năm {first}; "
                f"số liệu năm {year} thuộc các đơn vị trước sắp xếp")
    return f"{name} không còn tồn tại năm {year} (đến {valid_to:%d/%m/%Y}): số liệu năm này thuộc đơn vị kế thừa"


def ratio_limits(specs: list[CriteriaSetSpec], name: str) -> tuple[set[str], set[str]]:
    """(denominators this field must not exceed, numerators that must not exceed it)."""
    under, over = set(), set()
    for s in specs:
        for i in s.indicators():
            if i.numerator == name and i.denominator:
                under.add(i.denominator)
            if i.denominator == name and i.numerator:
                over.add(i.numerator)
    return under, over


def clean_value(raw, fdef: FieldDef | None, current: dict[str, float | None], under: set[str], over: set[str],
                names: dict[str, str]) -> Decimal | None:
    """Parse and check one value (text as typed, or a number read from a file); blank → None.

    Raises InvalidFigure with a Vietnamese sentence."""
    if isinstance(raw, Decimal):
        value: Decimal | None = raw
    else:
        text = "" if raw is None else str(raw).strip()
        if text == "":
            return None
        kind = fdef.kind if fdef else "number"
        if kind == "bool":
            if text not in ("0", "1"):
                raise InvalidFigure("Chọn Đạt hoặc Không")
            return Decimal(text)
        try:
            value = parse_vi_number(raw if isinstance(raw, (int, float)) and not isinstance(raw, bool) else text)
        except ValueError as exc:
            raise InvalidFigure(f"“{text}” không phải là số (ví dụ hợp lệ: 12,5 hoặc 1.234)") from exc
    if value is None:
        return None
    kind = fdef.kind if fdef else "number"
    if kind == "bool":
        if value not in (0, 1):
            raise InvalidFigure("Chọn Đạt hoặc Không")
        return value
    if value < 0:
        raise InvalidFigure("Giá trị không được âm")
    if kind == "count" and value != value.to_integral_value():
        raise InvalidFigure("Phải là số nguyên")
    if kind == "percent" and value > 100:
        raise InvalidFigure("Tỷ lệ không được vượt quá 100%")
    for den in under:
        if current.get(den) is not None and float(value) > current[den]:
            raise InvalidFigure(f"Không được lớn hơn “{names.get(den, den)}” ({_fmt(current[den])})")
    for num in over:
        if current.get(num) is not None and float(value) < current[num]:
            raise InvalidFigure(f"Không được nhỏ hơn “{names.get(num, num)}” ({_fmt(current[num])})")
    return value


def _fmt(x: float) -> str:
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "X").replace(".", ",").replace("X", ".")

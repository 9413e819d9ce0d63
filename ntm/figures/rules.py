"""What a figure may be, as pure functions (no ORM): the same rules for every door (entry form,
Excel import, API, CLI, demo).

- `clean_value`: parse one value as typed or read from a file and check it against its field:
  a finite number, of the field's kind, inside the field's plausible range (`FieldDef.min/max`,
  from `criteria/sets/fields.toml`), storable in `Figure.value` (Decimal(20, 4)). Errors are
  Vietnamese sentences for the user.
- Cross-field rules (`ValidationRule`, declared in fields.toml's `[[rules]]` as DHIS2 declares its
  validation rules, plus "numerator ≤ denominator" for every ratio an indicator reads):
  `rules_for(ladder)`, `broken_rules(values, rules, touched)`. An "error" refuses the save, a
  "warning" asks the user to confirm.
- `accepts_year`: a unit holds figures only for the years it existed on 1 January — so the
  reform year 2025 belongs to the pre-reform units (the year the 2021–2025 period closes, reported
  on the communes in force when it began) and the communes created on 1 July 2025 start in 2026
  (Nghị quyết 202/2025/QH15: the new units exist from 01/07/2025).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ntm.core.text import AmbiguousNumber, NotANumber, parse_vi_number
from ntm.criteria.spec import CriteriaSetSpec, FieldDef, field_bounds, shared_data

# Figure.value is DecimalField(max_digits=20, decimal_places=4): at most 16 digits before the point.
# Nothing at or above this is ever written, whatever a field's declared range says.
STORABLE_LIMIT = Decimal("1e15")
QUANTUM = Decimal("0.0001")
NOT_A_NUMBER = "“{text}” không phải là số (ví dụ hợp lệ: 12,5 hoặc 1.234)"


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


# --- one value ---------------------------------------------------------------------------------

_BOOL_WORDS = {"đạt": 1, "có": 1, "không": 0, "không đạt": 0, "true": 1, "false": 0}


def clean_value(raw: object, fdef: FieldDef | None) -> Decimal | None:
    """Parse and check one value; blank → None. Returns a Decimal with at most 4 decimals.

    `raw`: text as typed ("12,5", "1.234"), or a value read from a file (int, float, Decimal,
    bool). Rules, in order:
    - not a number (`parse_vi_number`: words, NaN, Infinity, exponents, "1_000", non-ASCII digits,
      a boolean in a number field) → "“…” không phải là số"; an exponent whose value is above the
      field's maximum is answered with the range instead ("Giá trị quá lớn…"), which is what to fix;
    - yes/no fields take 1/0 (also "Đạt"/"Không" and an Excel TRUE/FALSE), nothing else;
    - "1.234" (one dot, three digits) is read with the field's range and kind: if only one of 1234
      and 1,234 fits (a count must be whole, both must be inside the range), that one; if both fit,
      the value is asked back ("viết 1234 hoặc 1,234"); if neither, the range is what is said;
    - negative → "không được âm" (every field's minimum is ≥ 0); a percentage above 100; a count
      with decimals; outside [min, max] → the message names the range and the field's unit;
    - at most 4 decimals are kept (rounded half up), as `Figure.value` holds.

    Raises InvalidFigure with a Vietnamese sentence."""
    if type(raw) is float and fdef is not None and fdef.kind != "bool":  # a number cell: most of an import
        value = _clean_float(raw, fdef)
        if value is not None:
            return value
    kind = fdef.kind if fdef else "number"
    if isinstance(raw, str) and raw.strip() == "":
        return None
    if kind == "bool":
        return _clean_bool(raw)
    try:
        value = parse_vi_number(raw, strict=True)
    except AmbiguousNumber as exc:
        value = _settle(exc, fdef)
    except NotANumber as exc:
        if exc.exponent is not None and fdef is not None and abs(exc.exponent) > fdef.max:
            raise InvalidFigure(_too_big(str(raw).strip(), fdef)) from exc
        raise InvalidFigure(NOT_A_NUMBER.format(text=_shown(raw))) from exc
    if value is None:
        return None
    return check_range(value, fdef, raw=raw)


def _clean_float(raw: float, fdef: FieldDef) -> Decimal | None:
    """`clean_value` of a float that passes every check, in fewer steps (the same Decimal); None
    when a check fails or may fail: the full path then says why."""
    if not 0.0 <= raw < 1e15:  # negative, too large, NaN
        return None
    low, high = field_bounds(fdef.code, fdef.unit, fdef.kind)
    value = Decimal(repr(raw))
    if value > high:
        return None
    value = value.quantize(QUANTUM, rounding=ROUND_HALF_UP)
    if value < low or (fdef.kind == "count" and value != value.to_integral_value()):
        return None
    return value


def check_range(value: Decimal, fdef: FieldDef | None, text: str = "", *, raw: object = None) -> Decimal:
    """A parsed value against its field's kind and range; returns it rounded to 4 decimals. `text`
    (or `raw`, shown only when a message needs it) is how the value was given."""
    kind = fdef.kind if fdef else "number"
    if not text:
        text = _Shown(raw if raw is not None else value)
    if not value.is_finite():
        raise InvalidFigure(NOT_A_NUMBER.format(text=text))
    if value < 0:
        raise InvalidFigure("Giá trị không được âm")
    if value >= STORABLE_LIMIT or (fdef is not None and value > fdef.max):
        if kind == "percent":
            raise InvalidFigure("Tỷ lệ không được vượt quá 100%")
        raise InvalidFigure(_too_big(text, fdef))
    value = value.quantize(QUANTUM, rounding=ROUND_HALF_UP)
    if kind == "count" and value != value.to_integral_value():
        raise InvalidFigure("Phải là số nguyên")
    if fdef is not None and value < fdef.min:
        raise InvalidFigure(f"Giá trị quá nhỏ: {text} dưới mức hợp lý tối thiểu {_fmt(fdef.min)}{_unit(fdef)}")
    return value


def _clean_bool(raw: object) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, bool):
        return Decimal(int(raw))
    if isinstance(raw, str) and raw.strip().lower() in _BOOL_WORDS:
        return Decimal(_BOOL_WORDS[raw.strip().lower()])
    try:
        value = parse_vi_number(raw)
    except ValueError:
        value = None
    if value is None or value not in (0, 1):
        raise InvalidFigure(f"“{_shown(raw)}”: chọn Đạt hoặc Không (ghi 1 hoặc 0)")
    return Decimal(int(value))


def _settle(exc: AmbiguousNumber, fdef: FieldDef | None) -> Decimal:
    thousands, decimal = exc.readings
    fits = [v for v in exc.readings if fdef is None or (
        fdef.min <= v <= fdef.max and (fdef.kind != "count" or v == v.to_integral_value()))]
    if len(fits) == 1:
        return fits[0]
    if not fits:
        return thousands
    raw = str(exc).split("”", 1)[0].lstrip("“")
    raise InvalidFigure(f"“{raw}” có thể là {_fmt(thousands)} hoặc {_fmt(decimal)}{_unit(fdef)}: hãy viết "
                        f"{thousands} (không dấu chấm) hoặc {str(decimal).replace('.', ',')} (dấu phẩy thập phân)")


def _too_big(text: str, fdef: FieldDef | None) -> str:
    limit = fdef.max if fdef is not None else STORABLE_LIMIT
    message = f"Giá trị quá lớn: {text} vượt mức hợp lý tối đa {_fmt(limit)}{_unit(fdef)}"
    if fdef is not None and fdef.unit.startswith("triệu"):
        message += f"; có phải đã ghi theo đồng? Trường này tính bằng {fdef.unit}"
    return message


def _unit(fdef: FieldDef | None) -> str:
    return f" (đơn vị: {fdef.unit})" if fdef is not None and fdef.unit else ""


class _Shown:
    """`_shown(raw)`, computed only if a message is written (most values pass every check)."""

    __slots__ = ("raw",)

    def __init__(self, raw: object):
        self.raw = raw

    def __str__(self) -> str:
        return _shown(self.raw)

    def __format__(self, spec: str) -> str:
        return format(_shown(self.raw), spec)


def _shown(raw: object) -> str:
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, Decimal) and raw.is_finite():
        return _fmt(raw)
    if isinstance(raw, (int, float)) and Decimal(repr(raw)).is_finite():
        return _fmt(Decimal(repr(raw)))
    text = str(raw).strip()
    return text if len(text) <= 40 else text[:40] + "…"


# --- cross-field rules -------------------------------------------------------------------------

OPS = {"<=": lambda a, b: a <= b + 1e-9, "<": lambda a, b: a < b, ">=": lambda a, b: a + 1e-9 >= b,
       ">": lambda a, b: a > b, "==": lambda a, b: abs(a - b) <= 1e-9}
_WORDS = {"<=": "không được lớn hơn", "<": "phải nhỏ hơn", ">=": "không được nhỏ hơn", ">": "phải lớn hơn",
          "==": "phải bằng"}
_FLIP = {"<=": ">=", "<": ">", ">=": "<=", ">": "<", "==": "=="}
_TERM = re.compile(r"^(?:([0-9]+(?:\.[0-9]+)?)\s*\*\s*)?([a-z][a-z0-9_]*)$|^([0-9]+(?:\.[0-9]+)?)$")


@dataclass(frozen=True)
class Term:
    factor: float
    field: str | None  # None: a constant `factor`


@dataclass(frozen=True)
class ValidationRule:
    """left op right; importance "error" (refuses) or "warning" (asks to confirm)."""

    code: str
    left: tuple[Term, ...]
    op: str
    right: tuple[Term, ...]
    importance: str = "error"
    message: str = ""

    @property
    def fields(self) -> set[str]:
        return {t.field for t in (*self.left, *self.right) if t.field}


class RuleError(ValueError):
    """A malformed rule in the data file (a programming/data error, caught by the tests)."""


def parse_side(text: str) -> tuple[Term, ...]:
    terms = []
    for part in str(text).split("+"):
        m = _TERM.match(part.strip())
        if not m:
            raise RuleError(f"vế “{text}”: “{part.strip()}” không phải mã trường, số hay “số * mã trường”")
        if m.group(3):
            terms.append(Term(float(m.group(3)), None))
        else:
            terms.append(Term(float(m.group(1) or 1), m.group(2)))
    return tuple(terms)


def declared_rules(data: Mapping | None = None) -> list[dict]:
    """The `[[rules]]` of fields.toml, checked (RuleError on a malformed one)."""
    rows = list((data if data is not None else shared_data()).get("rules", []))
    for r in rows:
        if r.get("op") not in OPS or r.get("importance", "error") not in ("error", "warning"):
            raise RuleError(f"luật {r.get('code')}: op phải là một trong {', '.join(OPS)}, importance error|warning")
        if not str(r.get("left", "")).startswith("each:"):
            parse_side(r["left"])
        parse_side(r["right"])
    return rows


def rules_for(fields: Mapping[str, FieldDef], ladder: Iterable[CriteriaSetSpec] = (),
              data: Mapping | None = None) -> list[ValidationRule]:
    """The rules that apply to a unit-year measured by these fields: the declared ones whose fields
    are all among them (an `each:UNIT` side expanded over the count fields in that unit), and
    "numerator ≤ denominator" for every ratio an indicator of the ladder reads."""
    out: list[ValidationRule] = []
    seen: set[tuple] = set()

    def add(rule: ValidationRule) -> None:
        key = (rule.left, rule.op, rule.right)
        if key not in seen and rule.fields <= set(fields):
            seen.add(key)
            out.append(rule)

    for r in declared_rules(data):
        right = parse_side(r["right"])
        left_text = str(r["left"])
        if left_text.startswith("each:"):
            unit = left_text[5:]
            on_right = {t.field for t in right}
            lefts = [(Term(1.0, f.code),) for f in fields.values()
                     if f.unit == unit and f.kind == "count" and f.code not in on_right]
        else:
            lefts = [parse_side(left_text)]
        for left in lefts:
            add(ValidationRule(r["code"], left, r["op"], right, r.get("importance", "error"), r.get("message", "")))
    for spec in ladder:
        for ind in spec.indicators():
            if ind.numerator and ind.denominator:
                add(ValidationRule(f"ratio:{ind.code}", (Term(1.0, ind.numerator),), "<=", (Term(1.0, ind.denominator),)))
    return out


def side_value(terms: tuple[Term, ...], values: Mapping[str, float | None]) -> float | None:
    total = 0.0
    for t in terms:
        if t.field is None:
            total += t.factor
            continue
        v = values.get(t.field)
        if v is None:
            return None
        total += t.factor * float(v)
    return total


@dataclass(frozen=True)
class Broken:
    """A broken rule: the field the message is attached to, and the message (without the field)."""

    rule: ValidationRule
    field: str
    message: str

    @property
    def warning(self) -> bool:
        return self.rule.importance == "warning"


def broken_rules(values: Mapping[str, float | None], rules: Iterable[ValidationRule], touched: set[str],
                 names: Mapping[str, str]) -> list[Broken]:
    """Rules that read a field in `touched`, whose every value is known, and that do not hold.
    The message is attached to the first touched field on the left side (else on the right)."""
    out = []
    for rule in rules:
        if not rule.fields & touched:
            continue
        left, right = side_value(rule.left, values), side_value(rule.right, values)
        if left is None or right is None or OPS[rule.op](left, right):
            continue
        on_left = [t.field for t in rule.left if t.field in touched]
        if on_left:
            field, mine, other, op, mine_v, other_v = on_left[0], rule.left, rule.right, rule.op, left, right
        else:
            field = next(t.field for t in rule.right if t.field in touched)
            mine, other, op, mine_v, other_v = rule.right, rule.left, _FLIP[rule.op], right, left
        subject = "" if mine == (Term(1.0, field),) else f"“{_describe(mine, names)}” ({_fmt_f(mine_v)}) "
        text = f"{subject}{_WORDS[op]} “{_describe(other, names)}” ({_fmt_f(other_v)})"
        text = text[0].upper() + text[1:]
        if rule.message:
            text += f": {rule.message}"
        out.append(Broken(rule, field, text))
    return out


def _describe(terms: tuple[Term, ...], names: Mapping[str, str]) -> str:
    parts = []
    for t in terms:
        if t.field is None:
            parts.append(_fmt_f(t.factor))
        else:
            name = names.get(t.field, t.field)
            parts.append(name if t.factor == 1 else f"{_fmt_f(t.factor)} × {name}")
    return " + ".join(parts)


def _fmt_f(x: float) -> str:
    return _fmt(Decimal(repr(float(x))))


def _fmt(x: Decimal) -> str:
    """Vietnamese display: 1.234.567,5 (thousands dot, decimal comma), no trailing zeros."""
    if not x.is_finite():
        return str(x)
    text = f"{x:,.4f}".rstrip("0").rstrip(".")
    return text.replace(",", "X").replace(".", ",").replace("X", ".")

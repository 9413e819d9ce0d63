"""The entry form's layout and validation, as plain data (the view stays thin)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ntm.core.text import parse_vi_number
from ntm.criteria.evaluate import Classification, sets_above
from ntm.criteria.spec import CriteriaSetSpec, FieldDef


@dataclass
class Row:
    code: str
    name: str
    kind: str
    unit: str
    fields: list[str]
    shared: list[str] = field(default_factory=list)  # already entered higher up the page
    threshold: object = None
    op: str = ""
    verified: bool = True


@dataclass
class Section:
    set_code: str
    title: str
    criteria: list[tuple[str, str, list[Row]]] = field(default_factory=list)


def layout(registry, base: CriteriaSetSpec, cls: Classification, year: int) -> tuple[list[str], list[Section]]:
    """Shared denominators first, then each set of the ladder by criterion and indicator."""
    from ntm.criteria.evaluate import resolve_threshold

    specs = [base, *sets_above(registry, base.code, year)]
    dens = sorted({i.denominator for s in specs for i in s.indicators() if i.denominator})
    sections = []
    seen: set[str] = set(dens)
    for spec in specs:
        section = Section(spec.code, f"{spec.level_name} — {spec.decision}")
        for c in spec.criteria:
            rows = []
            for ind in c.indicators:
                thr, target = resolve_threshold(spec, ind, cls.class_for(spec), year, registry)
                names = [f for f in (ind.field, ind.numerator) if f]
                new = [f for f in names if f not in seen]
                seen.update(new)
                rows.append(Row(ind.code, ind.name, ind.kind, ind.unit, new, [f for f in names if f not in new],
                                target, thr.op or ind.op, thr.verified))
            section.criteria.append((c.code, c.name, rows))
        sections.append(section)
    return dens, sections


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


class InvalidFigure(ValueError):
    pass


def clean_value(raw: str, fdef: FieldDef | None, current: dict[str, float | None], under: set[str], over: set[str],
                names: dict[str, str]) -> Decimal | None:
    """Parse and check one entered value; errors are Vietnamese sentences for the user."""
    raw = (raw or "").strip()
    if raw == "":
        return None
    kind = fdef.kind if fdef else "number"
    if kind == "bool":
        if raw not in ("0", "1"):
            raise InvalidFigure("Chọn Đạt hoặc Không")
        return Decimal(raw)
    try:
        value = parse_vi_number(raw)
    except ValueError as exc:
        raise InvalidFigure(f"“{raw}” không phải là số (ví dụ hợp lệ: 12,5 hoặc 1.234)") from exc
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

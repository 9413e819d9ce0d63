"""Money and quantities the Vietnamese way in templates: {{ v|dong }} → "1.234.000", {{ v|ty }} → "1,2 tỷ đồng"."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


def _fmt(value, digits: int) -> str:
    text = f"{float(value):,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


@register.filter
def dong(value) -> str:
    """Whole đồng with thousands dots; '—' for None."""
    if value is None or value == "":
        return "—"
    return _fmt(Decimal(value), 0)


@register.filter
def num(value, digits: int = 2) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Đạt" if value else "Chưa đạt"
    return _fmt(value, int(digits))


@register.filter
def ty(value) -> str:
    """A large amount in tỷ/triệu đồng."""
    if value is None or value == "":
        return "—"
    v = float(value)
    if abs(v) >= 1e9:
        return f"{_fmt(v / 1e9, 2)} tỷ đồng"
    if abs(v) >= 1e6:
        return f"{_fmt(v / 1e6, 1)} triệu đồng"
    return f"{_fmt(v, 0)} đồng"


@register.filter
def pct(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{_fmt(100 * float(value), 1)} %"

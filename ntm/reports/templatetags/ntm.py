from django import template
from django.utils.translation import gettext

from ntm.core.text import format_number, input_number
from ntm.criteria.spec import LEVEL_LABELS

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ values|get_item:name }}`: dictionary lookup with a variable key."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def num(value, places=2):
    """`{{ value|num }}`: a figure, threshold or gap with the decimals it needs (5,44 not 5,4400;
    1.234,5 not 1.234,5000), at most `places` (default 2) — see `ntm.core.text.format_number`."""
    try:
        places = int(places)
    except (TypeError, ValueError):
        places = 2
    return format_number(value, places)


@register.filter
def input_num(value):
    """`{{ value|input_num }}`: a stored value in an entry field — decimal comma, no trailing zeros, no
    thousands dots (see `ntm.core.text.input_number`)."""
    return input_number(value)


@register.filter
def level_label(code):
    label = LEVEL_LABELS.get(code or "", code)
    return gettext(label) if label else label


@register.filter
def op_symbol(op: str) -> str:
    """How a comparison reads on screen and paper: ≥ 80, ≤ 5, = Đạt."""
    return {">=": "≥", "<=": "≤", "==": "", ">": ">", "<": "<"}.get(op, op)

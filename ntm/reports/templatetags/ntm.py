from django import template
from django.utils.html import format_html
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


@register.simple_tag
def value_text(v, kind=""):
    """`{% value_text v kind %}` (units/_value.html): a value as shown beside its threshold — "—" when
    missing, Đạt/Không for a yes/no indicator, else the number (`num`)."""
    if v is None:
        return "—"
    if kind == "bool":
        return gettext("Đạt") if v else gettext("Không")
    return num(v)


_CELLS = {True: ("cell-1", "Đạt", "✓"), None: ("cell-n", "Thiếu số liệu", "?"), False: ("cell-0", "Chưa đạt", "✗")}


@register.simple_tag
def status_cell(i):
    """`{% status_cell i %}` (figures/_status.html): an indicator's mark and value on the entry page,
    `i` one of an evaluation's `indicators` (a dict) or None. A tag rather than nested includes: the
    saved field's response repeats it for every indicator (docs/benchmarks.md)."""
    if not i:
        return ""
    met = i.get("met")
    css, title, sign = _CELLS[True if met else (None if met is None else False)]
    return format_html('<span class="cell {}" title="{}">{}</span>\n<div class="small text-secondary">{}\n</div>',
                       css, gettext(title), sign, value_text(i.get("value"), i.get("kind")))

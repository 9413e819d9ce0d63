import html

from django import template
from django.utils.safestring import mark_safe
from django.utils.text import slugify
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


def _status_html(i, cells: dict) -> str:
    """figures/_status.html without its final newline; `cells` = _CELLS with translated titles."""
    if not i:
        return ""
    met = i.get("met")
    css, title, sign = cells[True if met else (None if met is None else False)]
    value = html.escape(str(value_text(i.get("value"), i.get("kind"))))
    return f'<span class="cell {css}" title="{title}">{sign}</span>\n<div class="small text-secondary">{value}\n</div>'


def _translated_cells() -> dict:
    return {k: (css, html.escape(gettext(title)), sign) for k, (css, title, sign) in _CELLS.items()}


@register.simple_tag
def status_cell(i):
    """`{% status_cell i %}` (figures/_status.html): an indicator's mark and value on the entry page,
    `i` one of an evaluation's `indicators` (a dict) or None. Python rather than nested includes: the
    saved field's answer repeats it for every indicator (docs/benchmarks.md)."""
    return mark_safe(_status_html(i, _translated_cells()))


@register.simple_tag
def oob_status_cells(met: dict, set_code: str):
    """`{% oob_status_cells met evaluation.set %}` (figures/_saved.html): every indicator's status cell
    of the base set, each swapped out of band into the entry page — the same markup as
    `<div class="entry-status text-center" id="st-<set>-<code|slugify>" hx-swap-oob="true">` around
    figures/_status.html, built in one pass (a template loop cost 2 ms of a 12 ms save)."""
    cells, prefix = _translated_cells(), html.escape(str(set_code))
    return mark_safe("".join(
        f'<div class="entry-status text-center" id="st-{prefix}-{slugify(code)}" hx-swap-oob="true">'
        f"{_status_html(i, cells)}\n</div>" for code, i in met.items()))

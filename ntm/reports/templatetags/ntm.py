from django import template

from ntm.criteria.spec import LEVEL_LABELS

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ values|get_item:name }}`: dictionary lookup with a variable key."""
    if mapping is None:
        return None
    return mapping.get(key)





@register.filter
def level_label(code):
    return LEVEL_LABELS.get(code or "", code)


@register.filter
def op_symbol(op: str) -> str:
    """How a comparison reads on screen and paper: ≥ 80, ≤ 5, = Đạt."""
    return {">=": "≥", "<=": "≤", "==": "", ">": ">", "<": "<"}.get(op, op)

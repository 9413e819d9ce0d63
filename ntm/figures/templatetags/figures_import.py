"""`shown`: a figure as Vietnamese users read it (1.234,5; — for none)."""

from django import template

from ntm.figures.imports import shown as _shown

register = template.Library()


@register.filter
def shown(value) -> str:
    return _shown(value)

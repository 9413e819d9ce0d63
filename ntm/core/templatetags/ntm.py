from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ values|get_item:name }}`: dictionary lookup with a variable key."""
    if mapping is None:
        return None
    return mapping.get(key)

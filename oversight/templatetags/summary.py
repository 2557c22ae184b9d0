from django import template

register = template.Library()


@register.filter
def is_numeric(index: int, table) -> bool:
    """Whether column `index` of a summary Table holds numbers (printed right-aligned)."""
    return index in table.numeric

from django import template

register = template.Library()


@register.filter
def cell_class(index: int, table) -> str:
    """The class of column `index`'s cells in a summary Table: numbers right-aligned, short
    columns kept on one line."""
    return " ".join(name for name, columns in (("num", table.numeric), ("keep", table.keep)) if index in columns)

from django import template

from oversight.cards import show_rate

register = template.Library()


@register.filter
def rate(value) -> str:
    """A rate in percent (85.7%), or — when it has no denominator (never 0 %)."""
    return show_rate(value)

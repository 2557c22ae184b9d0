from django import template
from django.urls import reverse
from django.utils.http import urlencode

from reporting import selectors

register = template.Library()


@register.filter
def rate(value) -> str:
    """0.875 → 87.5%; None (nothing expected yet) → —."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}".removesuffix(".0") + "%"


@register.simple_tag
def cell_url(cell) -> str:
    """Where a calendar cell leads: its report, or the list of its reports when there are several."""
    if cell.link:
        return reverse("submission_detail", args=[cell.link])
    if cell.filed > 1 or cell.state == selectors.CellState.RETURNED:
        return reverse("submission_list") + "?" + urlencode({"unit": cell.unit.pk, "period": cell.period.pk})
    return ""


@register.inclusion_tag("reporting/_tabs.html", takes_context=True)
def reporting_tabs(context, active: str):
    user = context["request"].user
    return {"active": active, "files": bool(selectors.own_units(user))}

"""Scoped reads of the district's structure. Each selector owns its joins."""

from __future__ import annotations

from django.db.models import Q

from districts.models import OrgUnit, Site, User
from districts.subtree import totals_under
from districts.validators import normalize_credit_code


def _with_site_totals(user: User, units: list[OrgUnit]) -> list[OrgUnit]:
    """Set `site_total` on each unit: the visible sites anywhere under it, in one query."""
    totals = totals_under(Site.objects.visible_to(user), units)
    for unit in units:
        unit.site_total = totals[unit.pk][()]
    return units


def unit_tree_for(user: User) -> list[OrgUnit]:
    """The org units the user may see, in tree order, down to communities.

    Grids (hundreds in a district) are listed on their community's page.
    """
    units = OrgUnit.objects.visible_to(user).exclude(kind=OrgUnit.Kind.GRID).order_by("tree_id", "lft")
    return _with_site_totals(user, list(units))


def unit_detail_for(user: User, pk: int) -> OrgUnit:
    return OrgUnit.objects.visible_to(user).select_related("parent").get(pk=pk)


def unit_children_for(user: User, unit: OrgUnit) -> list[OrgUnit]:
    return _with_site_totals(user, list(OrgUnit.objects.visible_to(user).filter(parent=unit).order_by("code")))


def sites_for(user: User):
    # unit__parent__parent: the street of a site in a grid, for the list's street column.
    return Site.objects.visible_to(user).select_related("unit__parent__parent", "sector")


def site_suggestions_for(user: User, text: str, limit: int) -> list[Site]:
    text = text.strip()
    if len(text) < 2:
        return []
    matches = Q(name__icontains=text) | Q(credit_code__startswith=normalize_credit_code(text))
    return list(sites_for(user).filter(matches).select_related("unit").order_by("name", "id")[:limit])


def site_detail_for(user: User, pk: int) -> Site:
    return sites_for(user).get(pk=pk)

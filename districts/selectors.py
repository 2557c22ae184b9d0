"""Scoped reads of the district's structure. Each selector owns its joins."""

from __future__ import annotations

from django.db.models import Count, Q

from districts.models import Membership, OrgUnit, Site, User


def memberships_of(user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user).select_related("unit", "unit__parent").order_by("unit__code", "role")
    )


def unit_tree_for(user: User):
    """The org units the user may see, in tree order, each with its count of visible sites."""
    visible_sites = Site.objects.visible_to(user).values("pk")
    return (
        OrgUnit.objects.visible_to(user)
        .annotate(site_count=Count("sites", filter=Q(sites__in=visible_sites)))
        .order_by("tree_id", "lft")
    )


def unit_detail_for(user: User, pk: int) -> OrgUnit:
    return OrgUnit.objects.visible_to(user).select_related("parent").get(pk=pk)


def sites_for(user: User):
    # unit__parent__parent: the street of a site in a grid, for the list's street column.
    return Site.objects.visible_to(user).select_related("unit__parent__parent", "sector")


def site_detail_for(user: User, pk: int) -> Site:
    return sites_for(user).get(pk=pk)

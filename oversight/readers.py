"""Who has which dashboard, and which dashboard pages a person may open.

A person's dashboards follow their memberships (one each, at most; several memberships give a
picker): the creation office, the leading group and a district's system administrator read the
district; a street's staff their street; community staff their community; a lead department its
sector district-wide; an inspection team the units assigned to it. Grid staff have none: the
rollups keep no rows for grids, and their community's figures reach beyond them.

Which pages a person may open is decided by their scope alone (districts.scoping): a page of a
unit is theirs when the unit lies in a subtree of their scope (every sector), or in a district
whose sector they lead (that sector only). Memberships only choose where the dashboard starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import TextChoices
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from districts.models import OrgUnit, Role
from districts.scoping import Scope, Subtree, memberships_of, scope_for
from districts.subtree import district_of


class ReaderKind(TextChoices):
    DISTRICT = "district", _("District dashboard")
    DEPARTMENT = "department", _("Lead department dashboard")
    TEAM = "team", _("Inspection team dashboard")
    STREET = "street", _("Street dashboard")
    COMMUNITY = "community", _("Community dashboard")


# The kind of dashboard page each kind of unit has.
PAGE_KINDS = {
    OrgUnit.Kind.DISTRICT: ReaderKind.DISTRICT,
    OrgUnit.Kind.STREET: ReaderKind.STREET,
    OrgUnit.Kind.COMMUNITY: ReaderKind.COMMUNITY,
    OrgUnit.Kind.DEPARTMENT: ReaderKind.DEPARTMENT,
    OrgUnit.Kind.TEAM: ReaderKind.TEAM,
}
ORDER = list(ReaderKind)  # the widest first: a person's first dashboard is their default


@dataclass(frozen=True)
class Lens:
    """One dashboard of a person: the unit its page is of, and what kind of reader reads it."""

    kind: str
    unit: OrgUnit

    @property
    def url(self) -> str:
        return reverse("oversight:unit", args=[self.unit.pk])

    @property
    def label(self) -> str:
        return self.unit.name

    @property
    def kind_label(self) -> str:
        return ReaderKind(self.kind).label


def _lens_of(membership) -> Lens | None:
    unit = membership.unit
    match membership.role:
        case Role.REVIEWER | Role.LEADER:
            area = district_of(unit)
            # The city's office and leading group read its districts (_lenses).
            return Lens(ReaderKind.DISTRICT, area) if area.kind == OrgUnit.Kind.DISTRICT else None
        case Role.SYSTEM_ADMIN if unit.kind == OrgUnit.Kind.DISTRICT:
            return Lens(ReaderKind.DISTRICT, unit)
        case Role.STREET_STAFF:
            return Lens(ReaderKind.STREET, unit)
        case Role.COMMUNITY_STAFF if unit.kind == OrgUnit.Kind.COMMUNITY:
            return Lens(ReaderKind.COMMUNITY, unit)
        case Role.DEPARTMENT_STAFF:
            return Lens(ReaderKind.DEPARTMENT, unit)
        case Role.INSPECTOR:
            return Lens(ReaderKind.TEAM, unit)
    return None


def lenses_for(user) -> list[Lens]:
    """The person's dashboards, the widest first. No query beyond their memberships, except for
    a superuser, a city's system administrator and the city's office and leading group (the
    districts they read: one query, once a request: the menu asks on every page)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_dashboard_lenses", None)
    if cached is None:
        cached = _lenses(user)
        user._dashboard_lenses = cached  # request.user lives as long as the request
    return cached


def _lenses(user) -> list[Lens]:
    lenses = [lens for m in memberships_of(user) if (lens := _lens_of(m)) is not None]
    cities = [m.unit for m in memberships_of(user) if m.role == Role.SYSTEM_ADMIN and m.unit.kind == OrgUnit.Kind.CITY]
    # The city's office and leading group: every district of the city, a dashboard each.
    cities += [
        m.unit.parent
        for m in memberships_of(user)
        if m.role in (Role.REVIEWER, Role.LEADER) and m.unit.parent and m.unit.parent.kind == OrgUnit.Kind.CITY
    ]
    if user.is_superuser or cities:
        districts = OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT).order_by("tree_id", "lft")
        if not user.is_superuser:
            districts = districts.in_scope(Scope(subtrees=frozenset(Subtree.of(c) for c in cities)))
        lenses += [Lens(ReaderKind.DISTRICT, d) for d in districts]
    unique = {}
    for lens in lenses:
        unique.setdefault((lens.kind, lens.unit.pk), lens)
    return sorted(unique.values(), key=lambda lens: (ORDER.index(lens.kind), lens.unit.tree_id, lens.unit.lft))


@dataclass(frozen=True)
class Access:
    """What `user` may read of one unit's page: every sector, or only the sectors granted."""

    every_sector: bool
    sectors: frozenset[int]

    @property
    def any(self) -> bool:
        return self.every_sector or bool(self.sectors)

    def allows(self, sector_id: int | None) -> bool:
        return self.every_sector or (sector_id is not None and sector_id in self.sectors)


def access_to(user, unit: OrgUnit) -> Access:
    """From the scope alone, without a query (the scope is the request's)."""
    scope = scope_for(user)
    if scope.everything or any(subtree.contains(unit) for subtree in scope.subtrees):
        return Access(True, frozenset())
    return Access(False, frozenset(sector for subtree, sector in scope.sector_grants if subtree.contains(unit)))

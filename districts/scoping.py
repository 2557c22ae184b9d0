"""Who sees what: the one place that turns memberships into a data scope.

A scope is a set of subtrees of the org tree (everything under a unit), plus
sector grants (everything of one sector under a district, for the department
that leads it). A subtree is the MPTT range (tree_id, lft, rght) of its root,
so "everything under X" is one indexed range condition, never a walk.

Every list and detail of campaign data goes through ScopedQuerySet.visible_to
or .editable_by; no view filters by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from districts.models import OrgUnit, User


@dataclass(frozen=True)
class Subtree:
    tree_id: int
    lft: int
    rght: int

    @classmethod
    def of(cls, unit: OrgUnit) -> Subtree:
        return cls(unit.tree_id, unit.lft, unit.rght)

    def q(self, lookup: str) -> Q:
        return Q(**{f"{lookup}tree_id": self.tree_id, f"{lookup}lft__gte": self.lft, f"{lookup}rght__lte": self.rght})

    def contains(self, unit: OrgUnit) -> bool:
        return unit.tree_id == self.tree_id and self.lft <= unit.lft and unit.rght <= self.rght

    def overlaps(self, other: Subtree) -> bool:
        """One subtree holds the other: a street inside a district, or a city around it."""
        return self.tree_id == other.tree_id and self.lft <= other.rght and other.lft <= self.rght


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    subtrees: frozenset[Subtree] = field(default_factory=frozenset)
    # (district subtree, sector id): a lead department's district-wide view.
    sector_grants: frozenset[tuple[Subtree, int]] = field(default_factory=frozenset)

    def units_only(self) -> Scope:
        """The scope without its sector grants: for what belongs to units and to no sector
        (reports), and for acting as a unit (a department leading fire safety sees every
        fire hazard, but is not thereby the unit that rectifies or supervises it)."""
        return Scope(everything=self.everything, subtrees=self.subtrees)

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.subtrees or self.sector_grants)

    def q(self, unit_lookup: str, sector_lookup: str | None) -> Q:
        """A filter for rows whose unit is at `unit_lookup` (e.g. "unit__") and sector at `sector_lookup`."""
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        for subtree in self.subtrees:
            q |= subtree.q(unit_lookup)
        for subtree, sector_id in self.sector_grants:
            if sector_lookup is None:
                # For the org units themselves: a lead department sees the
                # district's units, so that it can place its sector's records.
                q |= subtree.q(unit_lookup)
            else:
                q |= subtree.q(unit_lookup) & Q(**{sector_lookup: sector_id})
        return q

    def covers(self, unit: OrgUnit, sector_id: int | None = None) -> bool:
        """Whether a record at `unit` (of `sector_id`) is inside this scope, without a query."""
        if self.everything:
            return True
        if any(s.contains(unit) for s in self.subtrees):
            return True
        return any(s.contains(unit) and sector_id == sid for s, sid in self.sector_grants)


def _remembered(user: User, key, load):
    """Load something about `user` once per request: request.user lives as long as the request."""
    cache = getattr(user, "_scoping_cache", None)
    if cache is None:
        cache = {}
        user._scoping_cache = cache  # through a SimpleLazyObject, onto the user itself
    if key not in cache:
        cache[key] = load()
    return cache[key]


def memberships_of(user: User) -> list:
    """The user's memberships with their units and parents: one query per request."""
    from districts.models import Membership

    return _remembered(
        user,
        "memberships",
        lambda: list(
            Membership.objects.filter(user=user).select_related("unit", "unit__parent").order_by("unit__code", "role")
        ),
    )


def loaded_memberships(user) -> list | None:
    """The memberships memberships_of already loaded during this request, or None: never a
    query (the request log names a unit only when the page had read them anyway)."""
    cache = getattr(user, "_scoping_cache", None)
    return None if cache is None else cache.get("memberships")


def _unit_ids_with_role(user: User, role: str) -> list[int]:
    return [m.unit_id for m in memberships_of(user) if m.role == role]


def _sector_leads(user: User) -> list[tuple[int, Subtree, int]]:
    """(department, district subtree, sector) for every department the user works in: one query."""
    from districts.models import Role, SectorLead

    def load():
        leads = SectorLead.objects.filter(department__in=_unit_ids_with_role(user, Role.DEPARTMENT_STAFF))
        return [
            (lead.department_id, Subtree.of(lead.district), lead.sector_id) for lead in leads.select_related("district")
        ]

    return _remembered(user, "sector_leads", load)


def _team_units(user: User) -> list[tuple[int, Subtree]]:
    """(team, assigned unit's subtree) for every inspection team the user is on: one query."""
    from districts.models import OrgUnit, Role

    def load():
        through = OrgUnit.assigned_units.through.objects.filter(
            from_orgunit__in=_unit_ids_with_role(user, Role.INSPECTOR)
        ).values_list("from_orgunit", "to_orgunit__tree_id", "to_orgunit__lft", "to_orgunit__rght")
        return [(team, Subtree(tree, lft, rght)) for team, tree, lft, rght in through]

    return _remembered(user, "team_units", load)


def build_scope(user: User, roles: frozenset[str] | None = None) -> Scope:
    """The scope of `user`, counting only memberships with one of `roles` (all roles when None)."""
    from districts.models import OrgUnit, Role
    from districts.subtree import district_of

    if not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    subtrees: set[Subtree] = set()
    grants: set[tuple[Subtree, int]] = set()
    departments, teams = [], []
    everything = False
    for m in memberships_of(user):
        if roles is not None and m.role not in roles:
            continue
        unit = m.unit
        match m.role:
            case Role.STREET_STAFF | Role.COMMUNITY_STAFF:
                subtrees.add(Subtree.of(unit))
            case Role.DEPARTMENT_STAFF:
                subtrees.add(Subtree.of(unit))
                departments.append(unit.pk)
            case Role.INSPECTOR:
                # The team itself (like every other role's own unit), and the units assigned to it.
                subtrees.add(Subtree.of(unit))
                teams.append(unit.pk)
            case Role.REVIEWER | Role.LEADER:
                subtrees.add(Subtree.of(district_of(unit)))
            case Role.SYSTEM_ADMIN:
                if unit.kind == OrgUnit.Kind.CITY and unit.parent_id is None:
                    everything = True
                subtrees.add(Subtree.of(unit))
            case _:
                # Security and audit admins run the platform, not the campaign:
                # they see no campaign data.
                pass
    if departments:
        grants.update((s, sector) for dept, s, sector in _sector_leads(user) if dept in departments)
    if teams:
        subtrees.update(s for team, s in _team_units(user) if team in teams)
    return Scope(everything=everything, subtrees=frozenset(subtrees), sector_grants=frozenset(grants))


def scope_for(user: User, roles: frozenset[str] | None = None) -> Scope:
    """build_scope, remembered for the rest of the request."""
    return _remembered(user, ("scope", roles), lambda: build_scope(user, roles))


class ScopedQuerySet(models.QuerySet):
    """A queryset of rows that sit at an org unit (and, optionally, in a sector)."""

    # Lookup prefix from the row to its OrgUnit's fields ("" for OrgUnit itself).
    unit_lookup: str = "unit__"
    sector_lookup: str | None = None

    def in_scope(self, scope: Scope):
        if scope.everything:
            return self
        return self.filter(scope.q(self.unit_lookup, self.sector_lookup))

    def visible_to(self, user: User):
        return self.in_scope(scope_for(user))

    def editable_by(self, user: User, roles: frozenset[str]):
        return self.in_scope(scope_for(user, roles))

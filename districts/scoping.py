"""Who sees what: the one place that turns memberships into a data scope.

A scope is a set of subtrees of the org tree (everything under a unit), plus
sector grants (everything of one sector under a district, for the department
that leads it). A subtree is the MPTT range (tree_id, lft, rght) of its root,
so "everything under X" is one indexed range condition, never a walk; rows at a unit
are filtered on their own foreign key, "unit is one of the subtree's units" (units_q).

Every list and detail of campaign data goes through ScopedQuerySet.visible_to
or .editable_by; no view filters by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from campaign.lib.sql import InValues

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

    def range_q(self, lookup: str = "") -> Q:
        """The units of this subtree, as a range on the org unit's own columns (at `lookup`)."""
        return Q(**{f"{lookup}tree_id": self.tree_id, f"{lookup}lft__gte": self.lft, f"{lookup}rght__lte": self.rght})

    def q(self, lookup: str) -> Q:
        """Rows at a unit of this subtree, by a join to the unit (`lookup`: "unit__"; "" for OrgUnit
        itself): no query of its own, for one subtree's figures. A scope's filter, which may be
        OR-ed with others, is Scope.q's ids instead."""
        return self.range_q(lookup)

    def contains(self, unit: OrgUnit) -> bool:
        return unit.tree_id == self.tree_id and self.lft <= unit.lft and unit.rght <= self.rght

    def holds(self, other: Subtree) -> bool:
        """The other subtree is this one or inside it."""
        return self.tree_id == other.tree_id and self.lft <= other.lft and other.rght <= self.rght

    def overlaps(self, other: Subtree) -> bool:
        """One subtree holds the other: a street inside a district, or a city around it."""
        return self.tree_id == other.tree_id and self.lft <= other.rght and other.lft <= self.rght


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    subtrees: frozenset[Subtree] = field(default_factory=frozenset)
    # (district subtree, sector id): a lead department's district-wide view.
    sector_grants: frozenset[tuple[Subtree, int]] = field(default_factory=frozenset)
    # The units of this scope's subtrees, looked up once (shared by one user's scopes in a request).
    _units: UnitIndex = field(default_factory=lambda: UnitIndex(), compare=False, hash=False, repr=False)

    def units_only(self) -> Scope:
        """The scope without its sector grants: for what belongs to units and to no sector
        (reports), and for acting as a unit (a department leading fire safety sees every
        fire hazard, but is not thereby the unit that rectifies or supervises it)."""
        return Scope(everything=self.everything, subtrees=self.subtrees, _units=self._units)

    def _unit_q(self, lookup: str, subtrees: frozenset[Subtree]) -> Q:
        if not lookup:
            return units_q("", subtrees)
        every = self.subtrees | {subtree for subtree, _ in self.sector_grants}
        return units_q(lookup, subtrees, self._units.ids(subtrees, every))

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.subtrees or self.sector_grants)

    def q(self, unit_lookup: str, sector_lookup: str | None) -> Q:
        """A filter for rows whose unit is at `unit_lookup` (e.g. "unit__") and sector at `sector_lookup`."""
        if self.everything:
            return Q()
        subtrees = set(self.subtrees)
        q = Q(pk__in=[])
        for subtree, sector_id in sorted(self.sector_grants, key=_grant_order):
            if sector_lookup is None:
                # For the org units themselves: a lead department sees the
                # district's units, so that it can place its sector's records.
                subtrees.add(subtree)
            else:
                q |= self._unit_q(unit_lookup, frozenset([subtree])) & Q(**{sector_lookup: sector_id})
        if subtrees:
            q |= self._unit_q(unit_lookup, frozenset(subtrees))
        return q

    def covers(self, unit: OrgUnit, sector_id: int | None = None) -> bool:
        """Whether a record at `unit` (of `sector_id`) is inside this scope, without a query."""
        if self.everything:
            return True
        if any(s.contains(unit) for s in self.subtrees):
            return True
        return any(s.contains(unit) and sector_id == sid for s, sid in self.sector_grants)


def _grant_order(grant: tuple[Subtree, int]):
    subtree, sector_id = grant
    return (subtree.tree_id, subtree.lft, sector_id)


def _ranges(subtrees) -> Q:
    ranges = Q(pk__in=[])
    for subtree in sorted(subtrees, key=lambda s: (s.tree_id, s.lft)):
        ranges |= subtree.range_q()
    return ranges


def unit_ids(subtrees) -> list[int]:
    """The ids of every org unit in `subtrees`: one query, on the org tree's (tree_id, lft) index."""
    from districts.models import OrgUnit

    return list(OrgUnit.objects.filter(_ranges(subtrees)).order_by().values_list("pk", flat=True))


class UnitIndex:
    """The units of some subtrees (id, tree, lft), loaded once, from which the ids of any of
    those subtrees are picked without a query: the scopes one user has in one request (for
    each role, without sector grants) all draw on the first one's load."""

    def __init__(self, widest=None):
        # `widest()`: every subtree the scopes drawing on this index can hold (a user's whole
        # scope), loaded at the first miss so that the narrower scopes after it find theirs.
        self._widest = widest
        self._loads: list[tuple[frozenset[Subtree], list[tuple[int, int, int]]]] = []

    def _rows(self, subtrees: frozenset[Subtree]):
        return next(
            (rows for loaded, rows in self._loads if all(any(c.holds(s) for c in loaded) for s in subtrees)), None
        )

    def _load(self, subtrees: frozenset[Subtree]) -> None:
        from districts.models import OrgUnit

        rows = list(OrgUnit.objects.filter(_ranges(subtrees)).order_by().values_list("pk", "tree_id", "lft"))
        self._loads.append((frozenset(subtrees), rows))

    def ids(self, subtrees: frozenset[Subtree], load: frozenset[Subtree]) -> list[int]:
        """The ids of the units in `subtrees`; if no earlier load holds them, load the widest
        subtrees (or `load`, a superset of `subtrees`, when they do not hold them either)."""
        rows = self._rows(subtrees)
        if rows is None:
            widest = frozenset(self._widest()) if self._widest is not None else frozenset()
            self._load(widest if widest and all(any(w.holds(s) for w in widest) for s in subtrees) else load)
            rows = self._loads[-1][1]
        return [pk for pk, tree, lft in rows if any(s.tree_id == tree and s.lft <= lft <= s.rght for s in subtrees)]


def units_q(lookup: str, subtrees, ids: list[int] | None = None) -> Q:
    """Rows at a unit of one of `subtrees`; `lookup` leads from the row to its unit ("unit__",
    "submission__unit__"; "" for the org units themselves). `ids`: the subtrees' unit ids, when
    known already.

    For a row's unit this is "the unit is one of these ids", a condition on the row's own
    foreign key that an index on it serves, and that stays an index scan when OR-ed with
    another (the hazard ledger's place, responsible unit and supervising unit): never a join
    to the org tree and a range on it, which no index on the rows can serve."""
    if not lookup:
        return _ranges(subtrees)
    return Q(InValues(lookup.removesuffix("__"), unit_ids(subtrees) if ids is None else ids))


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
    # The unit ids of a set of subtrees, shared by every scope of this user in this request.
    units = _remembered(user, "units", lambda: UnitIndex(lambda: _every_subtree(user)))
    return Scope(everything=everything, subtrees=frozenset(subtrees), sector_grants=frozenset(grants), _units=units)


def _every_subtree(user: User) -> set[Subtree]:
    """Every subtree of the user's whole scope, its sector grants' districts included."""
    scope = scope_for(user)
    return set(scope.subtrees) | {subtree for subtree, _ in scope.sector_grants}


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

"""Scoped reads for the four-colour distribution map (安全风险四色分布图).

Active risks in the user's scope, counted by street (or community) × level and
by sector × level. Each count is one grouped query; a street's count is a range
sum over its MPTT interval, so risks in its communities and grids count for it
without a query per street.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from districts.models import OrgUnit, Sector, User
from districts.subtree import district_of, totals_under
from risks.models import LEVEL_ORDER, RiskPoint

NOT_ASSESSED = "not_assessed"
# Every column of a count, highest level first, then the risks not yet graded.
COLUMNS = [*(str(level) for level in LEVEL_ORDER), NOT_ASSESSED]


@dataclass
class Row:
    """One street, community or sector: its active risks counted by level."""

    key: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))
    unit: OrgUnit | None = None
    group: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def highest(self) -> str | None:
        """The highest level of any of its risks; None when none is graded."""
        return next((level for level in COLUMNS[:-1] if self.counts[level]), None)

    @property
    def cells(self) -> list[int]:
        return [self.counts[c] for c in COLUMNS]


@dataclass
class Distribution:
    district: str  # the district's name when the scope lies in one district, else ""
    level: str  # OrgUnit.Kind.STREET or COMMUNITY: what the map shows
    areas: list[Row]  # the map's streets or communities, in tree order
    streets: list[Row]
    sectors: list[Row]
    outside_streets: Row | None  # risks placed on the district itself, when there are any

    @property
    def has_boundaries(self) -> bool:
        return bool(self.areas) and all(_boundary(row.unit) for row in self.areas)


def _boundary(unit: OrgUnit):
    try:
        return unit.boundary.geometry
    except OrgUnit.boundary.RelatedObjectDoesNotExist:
        return None


def active_risks_for(user: User):
    return RiskPoint.objects.visible_to(user).filter(status=RiskPoint.Status.ACTIVE)


def _counts_by_place(user: User, units: list[OrgUnit]) -> dict[int, dict[str, int]]:
    """Per unit: its active risks in scope (itself and under it) by column. One grouped query."""
    totals = totals_under(active_risks_for(user), units, by=("current_assessment__level",))
    counts = {}
    for unit in units:
        counts[unit.pk] = dict.fromkeys(COLUMNS, 0)
        for (level,), n in totals[unit.pk].items():
            counts[unit.pk][level or NOT_ASSESSED] += n
    return counts


def _units_for(user: User, level: str) -> list[OrgUnit]:
    """The district(s), streets and (for the community map) communities in scope, in tree order, with
    their boundaries and parents: one query."""
    kinds = [OrgUnit.Kind.DISTRICT, OrgUnit.Kind.STREET]
    if level == OrgUnit.Kind.COMMUNITY:
        kinds.append(OrgUnit.Kind.COMMUNITY)
    today = timezone.localdate()
    return list(
        OrgUnit.objects.visible_to(user)
        .filter(kind__in=kinds)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))
        .select_related("parent", "boundary")
        .order_by("tree_id", "lft")
    )


def _district_name(units: list[OrgUnit]) -> str:
    names = {district_of(unit).name for unit in units if unit.kind in (OrgUnit.Kind.DISTRICT, OrgUnit.Kind.STREET)}
    return names.pop() if len(names) == 1 else ""


def _sector_rows(user: User) -> list[Row]:
    """The seven sectors, with active risks in scope counted by sector × level: two queries."""
    rows = {s.pk: Row(key=s.code, label=s.display_name) for s in Sector.objects.order_by("order")}
    grouped = (
        active_risks_for(user).values_list("sector_id", "current_assessment__level").annotate(n=Count("id")).order_by()
    )
    for sector_id, level, n in grouped:
        if sector_id in rows:
            rows[sector_id].counts[level or NOT_ASSESSED] += n
    return list(rows.values())


def distribution_for(user: User, level: str = OrgUnit.Kind.STREET) -> Distribution:
    """What the four-colour map page shows, for `user`'s scope.

    Community staff see no street: their map and street chart fall to communities.
    """
    units = _units_for(user, level)
    if not any(u.kind == OrgUnit.Kind.STREET for u in units):
        level = OrgUnit.Kind.COMMUNITY
        units = _units_for(user, level)
    counts = _counts_by_place(user, units)
    street_names = {u.pk: u.name for u in units if u.kind == OrgUnit.Kind.STREET}
    rows = {
        u.pk: Row(key=u.code, label=u.name, unit=u, counts=counts[u.pk], group=street_names.get(u.parent_id, ""))
        for u in units
        if u.kind in (OrgUnit.Kind.STREET, OrgUnit.Kind.COMMUNITY)
    }
    streets = [r for r in rows.values() if r.unit.kind == OrgUnit.Kind.STREET] or list(rows.values())
    outside = None
    for district in (u for u in units if u.kind == OrgUnit.Kind.DISTRICT):
        own = counts[district.pk]
        for street in (s for s in streets if s.unit.parent_id == district.pk):
            own = {c: own[c] - street.counts[c] for c in COLUMNS}
        if any(own.values()):
            outside = outside or Row(key=district.code, label=district.name)
            outside.counts = {c: outside.counts[c] + own[c] for c in COLUMNS}
    return Distribution(
        district=_district_name(units),
        level=level,
        areas=[r for r in rows.values() if r.unit.kind == level],
        streets=streets,
        sectors=_sector_rows(user),
        outside_streets=outside,
    )


def boundary_of(row: Row) -> dict | None:
    return _boundary(row.unit) if row.unit else None

"""Scoped reads of the periodic reports, and the reporting calendar with its
completeness (报送率) and timeliness (及时率).

The calendar costs a fixed number of queries whatever its size: the periods,
the units, and one grouped query that gives, for every unit × period with a
report, how many were filed, accepted and returned and when the first was
sent. Who owes what is date arithmetic on those rows (reporting.periods).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Min, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign
from districts.models import OrgUnit, User
from districts.scoping import Scope, Subtree, scope_for
from reporting.models import (
    FILED_STATUSES,
    FILER_ROLES,
    REVIEWER_ROLES,
    Adoption,
    Period,
    ReportType,
    Status,
    Submission,
)
from reporting.periods import unit_owes


class CellState:
    ON_TIME = "on_time"
    LATE = "late"
    RETURNED = "returned"
    MISSING = "missing"
    NOT_DUE = "not_due"
    NOT_OWED = "not_owed"

    LABELS = {
        ON_TIME: _("On time"),
        LATE: _("Late"),
        RETURNED: _("Returned"),
        MISSING: _("Missing"),
        NOT_DUE: _("Not yet due"),
        NOT_OWED: _("Not owed"),
    }


@dataclass
class Tally:
    """Reports expected, filed and filed on time, over periods whose due day is over."""

    expected: int = 0
    filed: int = 0
    on_time: int = 0

    def add(self, other: Tally) -> None:
        self.expected += other.expected
        self.filed += other.filed
        self.on_time += other.on_time

    @property
    def completeness(self) -> float | None:
        """报送率: units that filed ÷ units expected."""
        return self.filed / self.expected if self.expected else None

    @property
    def timeliness(self) -> float | None:
        """及时率: units that filed by the due date ÷ units expected."""
        return self.on_time / self.expected if self.expected else None


@dataclass
class Cell:
    unit: OrgUnit
    period: Period
    state: str
    filed: int = 0  # reports filed (a month may have several; the unit counts once)
    accepted: bool = False
    link: int | None = None  # the submission the cell opens, or None when there are several or none
    owed: bool = True

    @property
    def label(self) -> str:
        return str(CellState.LABELS[self.state])

    def tally(self, today: datetime.date) -> Tally:
        if not _in_rates(self.owed, self.period, today):
            return Tally()
        filed = self.state in (CellState.ON_TIME, CellState.LATE)
        return Tally(expected=1, filed=int(filed), on_time=int(self.state == CellState.ON_TIME))


def _in_rates(owed: bool, period: Period, today: datetime.date) -> bool:
    """Whether a unit × period counts in the rates at all. A period still open counts neither
    way: a report sent early waits for its period to close."""
    return owed and period.due_on < today


@dataclass
class Row:
    unit: OrgUnit
    cells: list[Cell]
    tally: Tally
    depth: int = 0


@dataclass
class Group:
    """A street with its communities (rolled up to the street), or the district's departments."""

    unit: OrgUnit | None
    rows: list[Row] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)


@dataclass
class TypeTotal:
    """A report type's rates over the district, for the calendar's tabs."""

    report_type: ReportType
    total: Tally


@dataclass
class Calendar:
    """The calendar page: the grid of the report type shown, and every type's rates."""

    grid: Grid
    totals: list[TypeTotal]


@dataclass
class Grid:
    report_type: ReportType
    periods: list[Period]
    groups: list[Group]
    columns: list[Tally]
    total: Tally

    @property
    def rows(self) -> list[Row]:
        return [row for group in self.groups for row in group.rows]

    @property
    def years(self) -> list[tuple[str, int]]:
        """(year, how many of the periods fall in it), for a header row above the periods."""
        spans: list[list] = []
        for period in self.periods:
            year = period.key[:4] if period.key[:4].isdigit() else ""
            if spans and spans[-1][0] == year:
                spans[-1][1] += 1
            else:
                spans.append([year, 1])
        return [(year, n) for year, n in spans]


def campaigns_for(user: User) -> list[Campaign]:
    """Campaigns of the districts the user's scope reaches, the latest first."""
    scope = report_scope(user)
    campaigns = Campaign.objects.select_related("district").order_by("-starts_on", "-pk")
    return [
        c for c in campaigns if scope.everything or any(s.overlaps(Subtree.of(c.district)) for s in scope.subtrees)
    ]


def default_campaign(campaigns: list[Campaign], day: datetime.date | None = None) -> Campaign | None:
    """The campaign running on `day` (today), else the latest of `campaigns`."""
    running = [c for c in campaigns if c.is_running(day)]
    return (running or campaigns or [None])[0]



def report_scope(user: User, roles=None) -> Scope:
    """The user's scope over reports: subtrees only, for reports belong to no sector."""
    return scope_for(user, roles).units_only()


def filer_units(campaign: Campaign, kinds, *, user: User | None = None):
    """The units of `kinds` in the campaign's district (that the user may see), with their
    parent loaded, that exist at some time during the campaign (set up before its last day),
    in tree order."""
    district = campaign.district_id
    # Filers are the district's children (streets, departments) or grandchildren (communities):
    # found by parent, not by the district's tree range, which an object loaded earlier may have stale.
    units = OrgUnit.objects.filter(kind__in=kinds).filter(Q(parent_id=district) | Q(parent__parent_id=district))
    if user is not None:
        units = units.in_scope(report_scope(user))
    return [
        u
        for u in units.select_related("parent").order_by("tree_id", "lft")
        if not (u.dissolved_on and u.dissolved_on <= campaign.starts_on)
        # Set up on the campaign's last day, a unit owes none of its periods (periods.unit_owes).
        and not (u.established_on and u.established_on >= campaign.ends_on)
    ]


def _cell_counts(campaign: Campaign, report_types, units) -> dict[tuple[int, int], dict]:
    """One grouped query: per unit × period that has a report beyond a draft, what became of it."""
    filed = Q(status__in=FILED_STATUSES)
    rows = (
        Submission.objects.filter(period__campaign=campaign, period__report_type__in=report_types)
        .filter(unit_id__in=[u.pk for u in units])
        .exclude(status=Status.DRAFT)
        .values("unit_id", "period_id")
        .annotate(
            filed=Count("pk", filter=filed),
            accepted=Count("pk", filter=Q(status=Status.ACCEPTED)),
            returned=Count("pk", filter=Q(status=Status.RETURNED)),
            first_sent=Min("first_submitted_at", filter=filed),
            filed_id=Min("pk", filter=filed),
            returned_id=Min("pk", filter=Q(status=Status.RETURNED)),
        )
        .order_by()
    )
    return {(r["unit_id"], r["period_id"]): r for r in rows}


def _filing(period: Period, counts: dict | None) -> tuple[bool, bool]:
    """(filed, filed on time) of one unit × period, from its grouped count."""
    if not (counts and counts["filed"]):
        return False, False
    return True, not period.is_late(counts["first_sent"])


def _cell(unit: OrgUnit, period: Period, counts: dict | None, today: datetime.date) -> Cell:
    owed = unit_owes(unit, period)
    filed, on_time = _filing(period, counts)
    if filed:
        return Cell(
            unit,
            period,
            CellState.ON_TIME if on_time else CellState.LATE,
            filed=counts["filed"],
            accepted=counts["accepted"] == counts["filed"],
            link=counts["filed_id"] if counts["filed"] == 1 else None,
            owed=owed,
        )
    if counts and counts["returned"]:
        link = counts["returned_id"] if counts["returned"] == 1 else None
        return Cell(unit, period, CellState.RETURNED, link=link, owed=owed)
    if not owed:
        return Cell(unit, period, CellState.NOT_OWED, owed=False)
    return Cell(unit, period, CellState.MISSING if period.due_on < today else CellState.NOT_DUE)


def _calendar_rows(campaign, report_types, *, user, units, year):
    """What every grid of `report_types` is built from: their periods (of `year`, if given),
    the filing units (unless given) and the grouped count. Three queries, for any number of
    units, periods and report types."""
    periods = list(Period.objects.filter(campaign=campaign, report_type__in=report_types).order_by("starts_on"))
    if year is not None:
        periods = [p for p in periods if p.key.startswith(str(year)) or p.key == "once"]
    if units is None:
        kinds = sorted({k for t in report_types for k in t.filer_kinds})
        units = filer_units(campaign, kinds, user=user)
    return periods, units, _cell_counts(campaign, report_types, units)


def _of_type(report_type: ReportType, periods: list[Period], units: list[OrgUnit]):
    """The type's own periods (knowing their type) and the units that file it."""
    own_periods = [p for p in periods if p.report_type_id == report_type.pk]
    for p in own_periods:
        p.report_type = report_type
    return own_periods, [u for u in units if u.kind in report_type.filer_kinds]


def grids(
    campaign: Campaign,
    report_types: list[ReportType],
    *,
    today: datetime.date,
    user: User | None = None,
    units: list[OrgUnit] | None = None,
    year: int | None = None,
) -> list[Grid]:
    """The calendar of each report type: its units × its periods, with the rates of every
    unit, period, street (with its communities) and the district.

    Queries: the periods, the units (unless given), and the grouped count: three, for any
    number of units, periods and report types."""
    periods, units, counts = _calendar_rows(campaign, report_types, user=user, units=units, year=year)
    return [_grid(t, *_of_type(t, periods, units), counts, today) for t in report_types]


def calendar(
    campaign: Campaign,
    report_types: list[ReportType],
    shown: ReportType,
    *,
    today: datetime.date,
    user: User | None = None,
    year: int | None = None,
) -> Calendar:
    """The calendar page: the grid of the type `shown`, cell by cell, and for its tabs every
    type's rates over the district, the total its grid would have, counted from the grouped
    count without building the grid: a page shows one type of five.

    Queries: as grids, three."""
    periods, units, counts = _calendar_rows(campaign, report_types, user=user, units=None, year=year)
    grid = _grid(shown, *_of_type(shown, periods, units), counts, today)
    totals = [
        TypeTotal(t, grid.total if t.pk == shown.pk else _total(*_of_type(t, periods, units), counts, today))
        for t in report_types
    ]
    return Calendar(grid, totals)


def _total(periods: list[Period], units: list[OrgUnit], counts: dict, today: datetime.date) -> Tally:
    """The district's rates of one type, as its grid's total (Cell.tally) but with no cell:
    expected, the units owing each period whose due day is over; filed and on time, read off
    the grouped count."""
    total = Tally()
    for period in periods:
        if period.due_on >= today:
            continue
        for unit in units:
            if not _in_rates(unit_owes(unit, period), period, today):
                continue
            filed, on_time = _filing(period, counts.get((unit.pk, period.pk)))
            total.expected += 1
            total.filed += filed
            total.on_time += on_time
    return total


def _grid(report_type, periods, units, counts, today) -> Grid:
    groups: dict[int | None, Group] = {}
    columns = [Tally() for _p in periods]
    total = Tally()
    for unit in units:
        street = unit.street
        group = groups.setdefault(street.pk if street else None, Group(street))
        cells = [_cell(unit, p, counts.get((unit.pk, p.pk)), today) for p in periods]
        tally = Tally()
        for i, cell in enumerate(cells):
            t = cell.tally(today)
            tally.add(t)
            columns[i].add(t)
        group.rows.append(Row(unit, cells, tally, depth=int(unit.kind == OrgUnit.Kind.COMMUNITY)))
        group.tally.add(tally)
        total.add(tally)
    # Streets (with their communities) first, then the departments.
    ordered = sorted(groups.values(), key=lambda g: (g.unit is None, g.unit.code if g.unit else ""))
    return Grid(report_type, periods, ordered, columns, total)


def todo_cells(grid_list: list[Grid], today: datetime.date) -> list[Cell]:
    """What a unit must still do: reports missing or returned, and periods running now."""
    items = []
    for grid in grid_list:
        for row in grid.rows:
            for cell in row.cells:
                running = cell.state == CellState.NOT_DUE and cell.period.starts_on <= today
                if cell.state in (CellState.MISSING, CellState.RETURNED) or running:
                    items.append(cell)
    return sorted(items, key=lambda c: (c.period.due_on, c.period.report_type.order))


@dataclass
class UnitTodo:
    """One filing unit's reports today: owed and overdue, owed in a period running now, sent back."""

    unit: OrgUnit
    overdue: int = 0
    due: int = 0
    returned: int = 0


def todo_for(user: User, today: datetime.date) -> tuple[list[UnitTodo], int | None]:
    """The reports waiting for `user`: per unit they file for, what is overdue, due and returned
    (as their own page and the list show them); and, for a reviewer, how many reports wait for
    review (None for anyone else). Queries: the campaigns, the report types, the periods, the
    grouped count, the returned reports by unit (only for a filer); the count awaiting review
    (only for a reviewer)."""
    awaiting = None
    if not report_scope(user, REVIEWER_ROLES).is_empty:
        awaiting = Submission.objects.editable_by(user, REVIEWER_ROLES).filter(status=Status.SUBMITTED).count()
    units = own_units(user)
    if not units:
        return [], awaiting
    campaign = default_campaign(campaigns_for(user), today)
    types = list(ReportType.objects.all())
    kinds = {k for t in types for k in t.filer_kinds}
    units = [u for u in units if u.kind in kinds]
    if campaign is None or not units:
        return [], awaiting
    todos = {u.pk: UnitTodo(u) for u in units}
    for cell in todo_cells(grids(campaign, types, today=today, units=units), today):
        if cell.state == CellState.MISSING:
            todos[cell.unit.pk].overdue += 1
        elif cell.state == CellState.NOT_DUE:
            todos[cell.unit.pk].due += 1
    returned = (
        Submission.objects.visible_to(user)
        .filter(status=Status.RETURNED, unit__in=units)
        .values("unit")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in returned:
        todos[row["unit"]].returned = row["n"]
    return list(todos.values()), awaiting


@dataclass
class Overview:
    missing: int  # reports owed whose due day is over, none filed, in the current campaign
    awaiting: int  # reports sent and not yet reviewed
    returned: int  # reports sent back, not yet sent again


def overview_for(user: User, today: datetime.date) -> Overview:
    """A leader's view of the reports they see. Queries: the counts by status; then, with a
    campaign, the campaigns, the report types, the periods, the units, the grouped count."""
    counts = Submission.objects.visible_to(user).aggregate(
        awaiting=Count("pk", filter=Q(status=Status.SUBMITTED)),
        returned=Count("pk", filter=Q(status=Status.RETURNED)),
    )
    missing = 0
    campaign = default_campaign(campaigns_for(user), today)
    types = list(ReportType.objects.all()) if campaign else []
    if types:
        for grid in grids(campaign, types, today=today, user=user):
            missing += sum(1 for row in grid.rows for cell in row.cells if cell.state == CellState.MISSING)
    return Overview(missing=missing, **counts)


# ---------------------------------------------------------------- lists and details


def submissions_for(user: User):
    return Submission.objects.visible_to(user).select_related(
        "unit", "period__report_type", "period__campaign", "submitted_by"
    )


def submission_list_for(user: User):
    """The list's reports, with each one's standing adoptions (`standing_adoptions`): one query
    more per page."""
    return submissions_for(user).prefetch_related(
        Prefetch(
            "adoptions",
            queryset=Adoption.objects.standing().order_by("adopted_at", "pk"),
            to_attr="standing_adoptions",
        )
    )


def submission_detail_for(user: User, pk: int) -> Submission:
    return (
        Submission.objects.visible_to(user)
        .select_related(
            "unit", "period__report_type", "period__campaign__district", "created_by", "submitted_by", "reviewed_by"
        )
        .get(pk=pk)
    )


def events_of(submission: Submission) -> list:
    return list(submission.events.select_related("by"))


def adoptions_of(submission: Submission) -> list:
    """Every adoption of the report, the withdrawn ones too (they stay on record)."""
    return list(submission.adoptions.select_related("adopted_by", "withdrawn_by").order_by("adopted_at", "pk"))


def attachments_of(submission: Submission) -> list:
    return list(submission.attachments.all())


def own_units(user: User) -> list[OrgUnit]:
    """The units the user files for: those of their filing memberships."""
    from districts.scoping import memberships_of

    seen, units = set(), []
    for m in memberships_of(user):
        if m.role in FILER_ROLES and m.unit_id not in seen:
            seen.add(m.unit_id)
            units.append(m.unit)
    return units


def drafts_of(user: User, unit: OrgUnit, campaign: Campaign) -> list[Submission]:
    return list(
        Submission.objects.visible_to(user)
        .filter(unit=unit, period__campaign=campaign, status=Status.DRAFT)
        .select_related("period__report_type")
        .order_by("period__due_on", "id")
    )


def compilation(user: User, period: Period) -> list[Submission]:
    """Every accepted report of one period that the user may read, streets first, with attachments."""
    rows = list(
        submissions_for(user)
        .filter(period=period, status=Status.ACCEPTED)
        .select_related("reviewed_by")
        .prefetch_related("attachments")
        .order_by("unit__tree_id", "unit__lft", "first_submitted_at", "id")
    )
    rows.sort(key=lambda s: (s.unit.kind == OrgUnit.Kind.DEPARTMENT, s.unit.tree_id, s.unit.lft))
    return rows

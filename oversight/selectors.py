"""What a dashboard page shows, read from the rollups alone.

A page is of one unit (a district, a street, a community, a lead department, an inspection team),
for one sector choice and one period. Its figures come from the Rollup rows of that period, of
the page's units, in one query, with the 24 months of its trends; a few more read the units, the
sectors and the campaign (with when the rollups were built, and the target progress measured
then). The rows' figures are kept per process for the build they are of (`_fill`): the first
request after a build reads them, the next ones of that build do not. Never a hazard, risk or
submission: the count of queries does not grow with the records, and the records' tables are
not read at all (a test captures the SQL).

The figures keep to the reader's scope (oversight.readers.access_to): a lead department sees its
sectors' rows, and no report (reports belong to units and to no sector) but its own.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
)
from django.http import Http404
from django.utils.translation import gettext as _

from campaign.lib.deadlines import deadline_today
from campaign.lib.params import parse_int
from campaign.models import Campaign
from campaign.targets import target_progress
from districts.models import OrgUnit, Sector
from districts.subtree import district_of
from oversight import targets
from oversight.models import Granularity, Metric, Rollup, RollupState
from oversight.periods import Calendar, Period
from oversight.readers import PAGE_KINDS, Access, ReaderKind, access_to
from risks.models import LEVEL_ORDER, Level

PLACES = (OrgUnit.Kind.DISTRICT, OrgUnit.Kind.STREET, OrgUnit.Kind.COMMUNITY)
# The children a page ranks, charts and maps, by the kind of its unit.
CHILD_KIND = {OrgUnit.Kind.DISTRICT: OrgUnit.Kind.STREET, OrgUnit.Kind.STREET: OrgUnit.Kind.COMMUNITY}

HAZARD_METRICS = (
    Metric.HAZARDS_FOUND,
    Metric.HAZARDS_CLOSED,
    Metric.HAZARDS_CLOSED_ON_TIME,
    Metric.HAZARDS_OPEN,
    Metric.HAZARDS_OVERDUE,
    Metric.HAZARDS_FOUND_TO_DATE,
    Metric.HAZARDS_CLOSED_TO_DATE,
    Metric.MAJOR_HAZARDS_LISTED_OPEN,
    Metric.RISKS,
    Metric.RISK_REVIEWS_OVERDUE,
)
REPORT_METRICS = (Metric.REPORTS_EXPECTED, Metric.REPORTS_FILED, Metric.REPORTS_ON_TIME)
TREND_HAZARD_METRICS = (Metric.HAZARDS_FOUND, Metric.HAZARDS_CLOSED, Metric.HAZARDS_OVERDUE)
TREND_REPORT_METRICS = (Metric.REPORTS_EXPECTED, Metric.REPORTS_FILED)
PERCENT = Decimal("0.1")
MAX_ID = 2**63 - 1
# The figures of a build, kept per process (selectors._fill): the key names the build, so a kept
# figure is never stale; the time only bounds what is kept for builds gone by.
FIGURES_CACHE_SECONDS = 15 * 60


def percent(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """numerator ÷ denominator in percent to 0.1; None (shown "—", never 0 %) without a denominator."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(PERCENT, rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    """Rollup values of one unit (or the sum of several) for one sector choice and period, by
    (metric, variant). A count with no row is 0 (the builder stores no zeros); a rate is
    computed from its terms, so that sums of units and of sectors have rates too."""

    values: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    def add(self, other: dict[tuple[str, str], Decimal]) -> None:
        for key, value in other.items():
            if value is not None:
                self.values[key] = self.values.get(key, Decimal(0)) + value

    def count(self, metric: str, variant: str = "") -> int:
        return int(self.values.get((metric, variant), 0))

    @property
    def report_rate(self) -> Decimal | None:
        """报送率: filed ÷ expected."""
        return percent(self.count(Metric.REPORTS_FILED), self.count(Metric.REPORTS_EXPECTED))

    @property
    def timely_rate(self) -> Decimal | None:
        """及时率: filed on time ÷ expected."""
        return percent(self.count(Metric.REPORTS_ON_TIME), self.count(Metric.REPORTS_EXPECTED))

    @property
    def closure_rate(self) -> Decimal | None:
        """整改率: closed ÷ found, to the period's end (cancelled records in neither)."""
        return percent(self.count(Metric.HAZARDS_CLOSED_TO_DATE), self.count(Metric.HAZARDS_FOUND_TO_DATE))

    @property
    def overdue(self) -> int:
        return self.count(Metric.HAZARDS_OVERDUE)

    @property
    def listed_major(self) -> int:
        return self.count(Metric.MAJOR_HAZARDS_LISTED_OPEN)

    def risks(self, level: str) -> int:
        return self.count(Metric.RISKS, str(level))

    @property
    def red(self) -> int:
        return self.risks(Level.MAJOR)

    @property
    def orange(self) -> int:
        return self.risks(Level.SIGNIFICANT)

    @property
    def risk_levels(self) -> list[int]:
        return [self.risks(level) for level in LEVEL_ORDER]

    @property
    def highest_level(self) -> str | None:
        return next((str(level) for level in LEVEL_ORDER if self.risks(level)), None)


@dataclass
class Row:
    """A unit on the page: a child (street, community) or a department, with its figures."""

    unit: OrgUnit
    figures: Figures
    url: str = ""  # its own dashboard page, with the same sector and period
    sectors: list[Sector] = field(default_factory=list)  # a department's: what it leads


@dataclass
class Month:
    start: datetime.date
    figures: Figures


@dataclass
class Dashboard:
    unit: OrgUnit
    kind: str  # ReaderKind
    district: OrgUnit
    access: Access
    campaign: Campaign | None
    calendar: Calendar | None
    period: Period | None
    built_at: datetime.datetime | None
    sectors: list[Sector]  # offered by the sector picker
    sector: Sector | None  # chosen; None: every sector offered
    every_sector: bool  # whether None means all sectors (or all the sectors offered)
    shows_reports: bool
    roots: list[OrgUnit]  # the places the cards add up
    breadcrumbs: list[OrgUnit]
    figures: Figures = field(default_factory=Figures)
    children: list[Row] = field(default_factory=list)
    departments: list[Row] = field(default_factory=list)
    by_sector: list[tuple[Sector, Figures]] = field(default_factory=list)
    trend: list[Month] = field(default_factory=list)
    targets: list = field(default_factory=list)  # campaign.targets.TargetProgress
    notices: list[str] = field(default_factory=list)
    figures_key: str = ""  # what the figures were put together from (the cache's key), once they are

    @property
    def has_figures(self) -> bool:
        return self.built_at is not None and self.period is not None

    @property
    def is_running(self) -> bool:
        """Whether the period holds today: its stocks are today's, as the record lists show them."""
        return bool(self.calendar and self.period and self.calendar.is_running(self.period))

    @property
    def kind_label(self) -> str:
        return ReaderKind(self.kind).label

    @property
    def child_kind(self) -> str | None:
        return self.children[0].unit.kind if self.children else None


# ------------------------------------------------------------------------------------------ units


def _units_around(pk: int) -> list[OrgUnit]:
    """The page's unit and what it shows, in tree order, with parents and boundaries: its
    children; a department's district and the district's children; a team's assigned units
    (marked `assigned`). One query for a district or a street, two for a department or a team:
    the simple query costs half of one that also looks for a department's district and a team's
    assignments by subquery, on the pages most read."""
    related = ("parent__parent", "boundary")
    units = list(OrgUnit.objects.filter(Q(pk=pk) | Q(parent_id=pk)).select_related(*related))
    unit = next((u for u in units if u.pk == pk), None)
    assigned: list[OrgUnit] = []
    if unit is not None and unit.kind == OrgUnit.Kind.DEPARTMENT and unit.parent_id:
        around = Q(pk=unit.parent_id) | Q(parent_id=unit.parent_id)
        units += OrgUnit.objects.filter(around).exclude(pk__in=[u.pk for u in units]).select_related(*related)
    elif unit is not None and unit.kind == OrgUnit.Kind.TEAM:
        assignments = OrgUnit.assigned_units.through.objects.filter(from_orgunit_id=pk).values("to_orgunit_id")
        assigned = list(OrgUnit.objects.filter(pk__in=Subquery(assignments)).select_related(*related))
    for u in units:
        u.assigned = False
    for u in assigned:
        u.assigned = True
    units += assigned
    return sorted(units, key=lambda u: (u.tree_id, u.lft))


def _existed(unit: OrgUnit, period: Period | None) -> bool:
    """Whether the unit existed in (part of) the period: a unit counts only for those."""
    if period is None:
        return unit.dissolved_on is None
    if unit.established_on and unit.established_on > period.end:
        return False
    return not (unit.dissolved_on and unit.dissolved_on < period.start)


def _topmost(units: list[OrgUnit]) -> list[OrgUnit]:
    """The units none of the others holds: a team assigned a street and one of its communities
    counts the community once."""
    return [
        u
        for u in units
        if not any(o.pk != u.pk and o.tree_id == u.tree_id and o.lft < u.lft and u.rght < o.rght for o in units)
    ]


def _sectors_led_in(district: OrgUnit) -> list[Sector]:
    """The seven sectors in order, each with `lead_department_id` in `district`: one query."""
    return list(
        Sector.objects.annotate(lead=FilteredRelation("sectorlead", condition=Q(sectorlead__district_id=district.pk)))
        .annotate(lead_department_id=F("lead__department_id"))
        .order_by("order")
    )


def current_campaigns(district_ids: list[int]) -> dict[int, Campaign]:
    """Each district's current campaign (Campaign.objects.current(), per district: the one
    running today that started last, else the one that ended last), with `rollups_built_at`
    and `rollups_targets` (the target progress measured then) from its RollupState, and
    `district_campaigns`, all the district's campaigns (what its rollups' calendar is made of):
    one query for any number of districts (a district holds a handful of campaigns: chosen here)."""
    today = deadline_today()
    state = RollupState.objects.filter(district_id=OuterRef("district_id"))
    campaigns = (
        Campaign.objects.filter(district_id__in=district_ids)
        .annotate(
            rollups_built_at=Subquery(state.values("built_at")[:1]),
            rollups_targets=Subquery(state.values("targets")[:1]),
        )
        .order_by()
    )

    def rank(campaign: Campaign):
        running = campaign.starts_on <= today <= campaign.ends_on
        latest = campaign.starts_on if running else campaign.ends_on
        return (not running, -latest.toordinal(), -campaign.pk)

    chosen, every = {}, defaultdict(list)
    for campaign in sorted(campaigns, key=rank):
        chosen.setdefault(campaign.district_id, campaign)
        every[campaign.district_id].append(campaign)
    for district_id, campaign in chosen.items():
        campaign.district_campaigns = every[district_id]
    return chosen


# ------------------------------------------------------------------------------------------ rows


@dataclass(frozen=True)
class Rows:
    """Which rows to read: of `granularity` and the periods starting on `starts`, of `units`,
    `metrics` and `sectors` (None: the rows of no sector), of `variant` when given."""

    granularity: str
    starts: list[datetime.date]
    units: list[int]
    metrics: tuple[str, ...]
    sectors: list[int | None]
    variant: str | None = None

    def where(self, q) -> tuple[str, list] | None:
        """The SQL condition and its parameters; None when it holds no row."""
        sectors = [s for s in self.sectors if s is not None]
        if not (self.starts and self.units and self.metrics and self.sectors):
            return None
        parts = [f"{q('granularity')} = %s"]
        params: list = [str(self.granularity)]  # the choices' plain values, not the enum members
        metrics = [str(m) for m in self.metrics]
        for column, values in (("period_start", self.starts), ("unit_id", self.units), ("metric", metrics)):
            parts.append(f"{q(column)} IN ({', '.join(['%s'] * len(values))})")
            params += values
        either = [f"{q('sector_id')} IN ({', '.join(['%s'] * len(sectors))})"] if sectors else []
        if None in self.sectors:
            either.append(f"{q('sector_id')} IS NULL")
        parts.append(f"({' OR '.join(either)})")
        params += sectors
        if self.variant is not None:
            parts.append(f"{q('variant')} = %s")
            params.append(self.variant)
        return " AND ".join(parts), params


class RollupRows:
    """The rows of one query, by (unit, sector, granularity, period start), each as its hazard
    and risk figures and its report figures.

    The query is written here rather than composed of Q objects: Django took longer to compile
    the page's twenty-odd conditions than the database took to answer them, and a dashboard
    must stay fast on the first request after every build, when it reads its rows."""

    COLUMNS = ("unit_id", "sector_id", "granularity", "period_start", "metric", "variant", "value")

    def __init__(self, wanted: list[Rows]):
        self.rows: dict[tuple, tuple[dict, dict]] = {}
        q = connection.ops.quote_name
        conditions = [c for c in (rows.where(q) for rows in wanted) if c is not None]
        if not conditions:
            return  # nothing can match: no query (as the ORM does with an empty IN)
        sql = (
            f"SELECT {', '.join(q(c) for c in self.COLUMNS)} FROM {q(Rollup._meta.db_table)} "  # noqa: S608 (names)
            f"WHERE {' OR '.join(f'({where})' for where, _params in conditions)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [p for _where, params in conditions for p in params])
            found = cursor.fetchall()
        for unit_id, sector_id, granularity, start, metric, variant, value in found:
            if not isinstance(value, Decimal):  # SQLite hands back numbers as they are stored
                value = None if value is None else Decimal(str(value))
            if not isinstance(start, datetime.date):
                start = datetime.date.fromisoformat(str(start))
            hazards, reports = self.rows.setdefault((unit_id, sector_id, granularity, start), ({}, {}))
            (reports if metric in REPORT_METRICS else hazards)[(metric, variant)] = value

    def _sum(self, family: int, unit_ids, sector_ids, granularity: str, start: datetime.date) -> Figures:
        figures = Figures()
        for unit_id in unit_ids:
            for sector_id in sector_ids:
                row = self.rows.get((unit_id, sector_id, granularity, start))
                if row is not None:
                    figures.add(row[family])
        return figures

    def hazards(self, unit_ids, sector_ids, granularity, start) -> Figures:
        """The sum over `unit_ids` × `sector_ids` of the hazard and risk figures."""
        return self._sum(0, unit_ids, sector_ids, granularity, start)

    def reports(self, unit_ids, granularity, start) -> dict:
        """The sum over `unit_ids` of the report figures (reports have no sector)."""
        return self._sum(1, unit_ids, [None], granularity, start).values


# ------------------------------------------------------------------------------------------ the page


def dashboard_for(
    user, pk, *, sector=None, period=None, url_for=None, cards_only: bool = False, unit: OrgUnit | None = None
) -> Dashboard:
    """The dashboard page of unit `pk` for `user`, or Http404 when it is not theirs (outside
    their scope, or a unit with no dashboard: an office, a grid). `sector` and `period` are the
    query parameters as given; a bad one is set aside with a notice, never an error.
    `url_for(unit, sector, period)` makes a unit's page address (the view's). `cards_only`: the
    cards' figures alone (the home page), without the children, trends and sectors; then `unit`,
    when given, is the page's unit as loaded already (a membership's, with its parent)."""
    pk = parse_int(pk, maximum=MAX_ID)
    if pk is None:
        raise Http404
    if cards_only and unit is not None and unit.pk == pk and unit.kind != OrgUnit.Kind.TEAM:
        units = [unit]  # nothing around it is shown
    else:
        units = _units_around(pk)
    unit = next((u for u in units if u.pk == pk), None)
    if unit is None or unit.kind not in PAGE_KINDS:
        raise Http404
    kind = PAGE_KINDS[unit.kind]
    access = access_to(user, unit)
    if not access.any:
        raise Http404
    district = unit.parent if kind in (ReaderKind.DEPARTMENT, ReaderKind.TEAM) else district_of(unit)
    if district is None or district.kind != OrgUnit.Kind.DISTRICT:
        raise Http404
    if kind == ReaderKind.TEAM and not access.every_sector:
        raise Http404

    needs_sectors = not cards_only or kind == ReaderKind.DEPARTMENT or not access.every_sector
    sectors = _sectors_led_in(district) if needs_sectors else []
    campaign = current_campaigns([district.pk]).get(district.pk)
    # Every campaign year of the district: the calendar of all its campaigns.
    calendar = Calendar.of(getattr(campaign, "district_campaigns", campaign), deadline_today())
    notices = []
    chosen_period = None
    if calendar is not None:
        chosen_period = calendar.parse(period) if period else calendar.default
        if chosen_period is None:
            notices.append(_("That period is not one of the campaign's: showing its latest year."))
            chosen_period = calendar.default

    # What the page adds up, and who it compares.
    roots, children, departments = [unit], [], []
    every_sector, offered = access.every_sector, [s for s in sectors if access.allows(s.pk)]
    # Reports belong to units, not sectors: read only where the reader sees every sector.
    own_reports = [unit] if access.every_sector else []
    child_reports = access.every_sector
    if kind == ReaderKind.DEPARTMENT:
        district_access = access_to(user, district)
        offered = [s for s in sectors if s.lead_department_id == unit.pk and district_access.allows(s.pk)]
        every_sector, roots, child_reports = False, [district], False
        if not offered and not own_reports:
            raise Http404
    elif kind == ReaderKind.TEAM:
        roots = _topmost([u for u in units if u.assigned and u.kind in PLACES and _existed(u, chosen_period)])
        children = own_reports = roots
    if kind in (ReaderKind.DISTRICT, ReaderKind.DEPARTMENT, ReaderKind.STREET):
        parent = roots[0]
        child_kind = CHILD_KIND[parent.kind]
        children = [
            u for u in units if u.parent_id == parent.pk and u.kind == child_kind and _existed(u, chosen_period)
        ]
    if kind == ReaderKind.DISTRICT and access.every_sector:
        led = defaultdict(list)
        for s in sectors:
            if s.lead_department_id:
                led[s.lead_department_id].append(s)
        departments = [
            Row(u, Figures(), sectors=led[u.pk])
            for u in units
            if u.parent_id == unit.pk and u.kind == OrgUnit.Kind.DEPARTMENT and _existed(u, chosen_period)
        ]

    chosen_sector = None
    sector_id = parse_int(sector) if sector not in (None, "") else None
    if sector not in (None, ""):
        chosen_sector = next((s for s in offered if s.pk == sector_id), None)
        if chosen_sector is None:
            notices.append(_("That sector cannot be chosen here: showing every sector you may see."))
    if chosen_sector is None and not every_sector and len(offered) == 1:
        chosen_sector = offered[0]

    page = Dashboard(
        unit=unit,
        kind=kind,
        district=district,
        access=access,
        campaign=campaign,
        calendar=calendar,
        period=chosen_period,
        built_at=getattr(campaign, "rollups_built_at", None),
        sectors=offered,
        sector=chosen_sector,
        every_sector=every_sector,
        shows_reports=bool(own_reports),
        roots=roots,
        breadcrumbs=_breadcrumbs(user, unit, kind, district),
        notices=notices,
    )
    if kind in (ReaderKind.DISTRICT, ReaderKind.STREET) and access.every_sector and campaign is not None:
        # As the last build measured it; measured now (three queries) only where none has yet.
        page.targets = targets.measured(campaign, unit, campaign.rollups_targets)
        if page.targets is None:
            page.targets = target_progress(campaign, unit)
    if page.period is None or page.built_at is None:
        return page  # no figures: no rows to read

    # The sector rows to add up: the chosen one; else all (the rows of no sector) or all offered.
    if chosen_sector is not None:
        sector_ids = [chosen_sector.pk]
    else:
        sector_ids = [None] if every_sector else [s.pk for s in offered]
    if cards_only:
        children, departments = [], []
    _fill(page, sector_ids, children, departments, own_reports, child_reports, url_for, trend=not cards_only)
    return page


def _breadcrumbs(user, unit: OrgUnit, kind: str, district: OrgUnit) -> list[OrgUnit]:
    """The page's unit and the places above it that the reader may open, the district first."""
    trail, current = [], unit
    if kind in (ReaderKind.DEPARTMENT, ReaderKind.TEAM):
        trail, current = [unit], district
    while current is not None and current.kind in PLACES:
        trail.insert(0, current)
        if current.kind == OrgUnit.Kind.DISTRICT or not OrgUnit.parent.is_cached(current):
            break
        current = current.parent
    return [u for u in trail if u == unit or access_to(user, u).any]


def cache_key(*parts) -> str:
    """A cache key naming `parts` (plain values: ids, dates, strings) by a digest of their repr."""
    return "oversight:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _fill(page: Dashboard, sector_ids, children, departments: list[Row], own_reports, child_reports, url_for, trend):
    """Put the page's figures together from its rows (one query), or from the cache.

    The rows change only when a rebuild writes them, and a rebuild changes built_at in the same
    transaction: the figures of one build, for the same units, sectors and months, are the same
    on every request. They are kept per process under a key of exactly what they are read and
    summed from (page.figures_key), so the first request after a build reads the rows and the
    next ones do not; the units themselves (names, links) are always read fresh."""
    period = page.period
    months = page.calendar.trend_months(period) if trend else []
    g, start = period.granularity, period.start
    root_ids = [u.pk for u in page.roots]
    child_ids = [u.pk for u in children]
    own_ids = [u.pk for u in own_reports]
    led = [(row.unit.pk, [s.pk for s in row.sectors]) for row in departments]
    # The roots' rows of each sector offered too, for the per-sector bars and the departments; the
    # rows of no sector (every sector's total) only for a reader who sees every sector.
    root_sectors = [*([None] if page.every_sector else []), *[s.pk for s in page.sectors]]
    terms = (g, start, months, root_ids, child_ids, own_ids, child_reports, led, sector_ids, root_sectors)
    page.figures_key = cache_key("figures", page.built_at, *terms)
    values = cache.get(page.figures_key)
    if values is None:
        values = _read_figures(*terms)
        cache.set(page.figures_key, values, FIGURES_CACHE_SECONDS)
    own, of_children, of_departments, of_sectors, of_months = values

    # Links keep the sector and period chosen; the default period needs no parameter.
    link_period = None if period == page.calendar.default else period
    page.figures = Figures(own)
    for child, figures in zip(children, of_children, strict=True):
        page.children.append(Row(child, Figures(figures), url_for(child, page.sector, link_period) if url_for else ""))
    for row, figures in zip(departments, of_departments, strict=True):
        row.figures = Figures(figures)
        row.url = url_for(row.unit, None, link_period) if url_for else ""
        page.departments.append(row)
    page.by_sector = [(s, Figures(figures)) for s, figures in zip(page.sectors, of_sectors, strict=True)]
    page.trend = [Month(month, Figures(figures)) for month, figures in zip(months, of_months, strict=True)]


def _read_figures(g, start, months, root_ids, child_ids, own_ids, child_reports, led, sector_ids, root_sectors):
    """The page's figures from its rollup rows, in one query: (the page's, each child's, each
    department's, each sector's, each month's) values, as Figures.values."""
    report_ids = own_ids + (child_ids if child_reports else []) + [pk for pk, _sectors in led]
    month = Granularity.MONTH
    rows = RollupRows(
        [
            Rows(g, [start], root_ids, HAZARD_METRICS, root_sectors),
            Rows(g, [start], child_ids, HAZARD_METRICS, sector_ids),
            Rows(month, months, root_ids, TREND_HAZARD_METRICS, sector_ids),
            Rows(g, [start], report_ids, REPORT_METRICS, [None], variant=""),
            Rows(month, months, own_ids, REPORT_METRICS, [None], variant=""),
        ]
    )

    def total(unit_ids, sectors, reports_of, granularity=g, period_start=start) -> dict:
        figures = rows.hazards(unit_ids, sectors, granularity, period_start)
        figures.add(rows.reports(reports_of, granularity, period_start))
        return figures.values

    return (
        total(root_ids, sector_ids, own_ids),
        [total([pk], sector_ids, [pk] if child_reports else []) for pk in child_ids],
        [total(root_ids, sectors, [pk]) for pk, sectors in led],
        [total(root_ids, [pk], []) for pk in root_sectors if pk is not None],
        [total(root_ids, sector_ids, own_ids, Granularity.MONTH, month) for month in months],
    )


# ------------------------------------------------------------------------------------------ ranking


def ranked(rows: list[Row], by: str) -> list[tuple[int, Row]]:
    """The rows ranked best first by 及时率 (highest), 整改率 (highest) or overdue hazards (fewest),
    each with its place (equal figures share one); a rate with no denominator ranks last."""

    def key(row: Row):
        f = row.figures
        if by == "overdue":
            return (0, f.overdue)
        rate = f.timely_rate if by == "timely" else f.closure_rate
        return (1, 0) if rate is None else (0, -rate)

    ordered = sorted(rows, key=lambda row: (key(row), row.unit.tree_id, row.unit.lft))
    places, previous = [], None
    for i, row in enumerate(ordered):
        current = key(row)
        places.append((i + 1 if current != previous else places[-1][0], row))
        previous = current
    return places

"""What the rollups count (oversight.rollups builds and stores it): the periods a district's
rollups hold, the dates of the records that are counted, and a unit's figures from those counts.

- Periods (oversight.periods.Calendar): every month from the start month of the district's
  earliest campaign that has started to the current month (or the last campaign's last month,
  once all have ended), without a gap; the quarters and years holding them. Only the periods
  holding a month some campaign covers are stored and offered. A quarter or year counts the
  months of it the rollups hold. A period's stock is its value at the end of its last day, or
  today for the running period.
- What is of a campaign (its key tasks, its reports) is counted for every campaign of the
  district that has started by the calendar's last month (calendar_for); hazards, risks and
  accidents by their dates alone.
- Flows are counted by the month their date falls in (key tasks due: to the end of the running
  month, for what falls due this month). A stock is the records whose span holds the period's
  end: a hazard is open from the day it is found to the day it is closed, overdue from the day
  after its deadline to the day it is rectified or closed, and so on. The rules are the records'
  own as-of methods (HazardQuerySet.open_at(day), RiskQuerySet.on_register_at(day),
  KeyTaskQuerySet.overdue_at(day) …); the spans below say the same in dates (the property test
  holds them to it). A stock is the running sum of the months' span starts less their span ends:
  one grouped query per date, whatever the number of periods.
- What is counted of each record (its place, sector, variant, weight and the day of each of its
  dates) is kept as a row of oversight.models.Counted, read from the records in one statement
  (family_rows); the figures are counted from those rows (count_under), and an incremental
  rebuild counts a changed record by its old row and its fresh one (contributions).
- Reports follow reporting's own rules (reporting.selectors: filer_units, _cell_counts and a
  cell's Tally): a report period counts in the month holding its due date, a unit only for the
  periods it owed (those it existed for).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Case, CharField, Count, DateField, F, Func, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Greatest, Least, TruncDate, TruncMonth

from campaign.lib.deadlines import DEADLINE_TZ, deadline_today
from campaign.models import Accident, Campaign, KeyTask
from districts.models import OrgUnit
from districts.subtree import totals_under
from hazards.models import ASSIGNED_STATUSES, Hazard, Status
from oversight.models import COUNTED_COLUMNS, DAY_SLOTS, Counted, Metric
from oversight.periods import Calendar, month_end
from reporting.models import Period, ReportType
from reporting.selectors import _cell, _cell_counts, filer_units
from risks.models import RiskPoint

M = Metric
# Figures summed over a period (a quarter's is the sum of its months); the rest are stocks (a
# quarter's is its last month's).
FLOWS = frozenset(
    {
        M.HAZARDS_FOUND,
        M.HAZARDS_CLOSED,
        M.HAZARDS_CLOSED_ON_TIME,
        M.REPORTS_EXPECTED,
        M.REPORTS_FILED,
        M.REPORTS_ON_TIME,
        M.TASKS_DUE,
        M.TASKS_DONE,
        M.ACCIDENTS,
        M.ACCIDENT_DEATHS,
        M.SERIOUS_ACCIDENTS,
    }
)
REPORT_METRICS = frozenset({M.REPORTS_EXPECTED, M.REPORTS_FILED, M.REPORTS_ON_TIME})
# The figures of each kind of record (reports: sector None only).
FAMILY_METRICS = {
    "hazards": frozenset(
        {
            M.HAZARDS_FOUND,
            M.HAZARDS_CLOSED,
            M.HAZARDS_CLOSED_ON_TIME,
            M.HAZARDS_OPEN,
            M.HAZARDS_OVERDUE,
            M.HAZARDS_FOUND_TO_DATE,
            M.HAZARDS_CLOSED_TO_DATE,
            M.MAJOR_HAZARDS_LISTED_OPEN,
        }
    ),
    "risks": frozenset({M.RISKS, M.RISK_REVIEWS_OVERDUE}),
    "tasks": frozenset({M.TASKS_DUE, M.TASKS_DONE, M.TASKS_OVERDUE}),
    "accidents": frozenset({M.ACCIDENTS, M.ACCIDENT_DEATHS, M.SERIOUS_ACCIDENTS}),
    "reports": REPORT_METRICS,
}
# Not counted but derived, at every period, from two stocks: closed ÷ found to date.
RATE = M.HAZARD_CLOSURE_RATE
RATE_PLACES = Decimal("0.0001")

# A unit's figures: {(sector id or None, metric, variant): [value per month held]}.
Figures = dict[tuple, list[int]]


def calendar_for(
    district: OrgUnit, today: datetime.date | None = None
) -> tuple[Campaign | None, list[Campaign], Calendar | None]:
    """The district's current campaign (whose targets the dashboards show), the campaigns the
    rollups count (every one that has started by the calendar's last month, earliest first) and
    the months its rollups hold (None before the first campaign starts)."""
    every = list(Campaign.objects.filter(district=district).order_by("starts_on", "pk"))
    campaign = Campaign.objects.filter(district=district).current()
    cal = Calendar.of(every, today or deadline_today())
    if cal is None or not cal.started:
        return campaign, [], None
    return campaign, [c for c in every if cal.counts(c)], cal


# ---------------------------------------------------------------- the dates counted


class NextDay(Func):
    """The day after a date."""

    output_field = DateField()

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s + 1)", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="date(%(expressions)s, '+1 day')", **extra)


def _local(field) -> TruncDate:
    """The day a timestamp falls on, in the deadline time zone."""
    return TruncDate(field, tzinfo=DEADLINE_TZ)


@dataclass(frozen=True)
class Dated:
    """One date of one kind of record, counted per unit (subtree), sector (, variant) and month.

    `rows` are the records that have the date (the span's start, or its end), `day` the date as
    an expression, `variant` a column the figures are split by (a risk's level), `weight` the
    field whose value each record adds (one each unless given)."""

    name: str
    rows: object  # a callable(calendar, campaigns counted) → QuerySet, annotated with `day`
    unit_path: str = "unit"
    variant: str | None = None
    weight: str | None = None
    # Counted to the end of the running month, not only to today: what falls due this month.
    whole_month: bool = False

    @property
    def family(self) -> str:
        """The kind of record counted (FAMILY_METRICS): what a change of such a record changes."""
        return next(family for prefix, family in _FAMILY_PREFIXES if self.name.startswith(prefix))

    @property
    def slot(self) -> str:
        """The column of Counted that holds the day of this date."""
        return _SLOTS[self.name]

    def last(self, cal: Calendar) -> datetime.date:
        """The last day counted."""
        return month_end(cal.months[-1]) if self.whole_month else cal.cap


_FAMILY_PREFIXES = (
    ("hazards_", "hazards"),
    ("listed_", "hazards"),
    ("risks_", "risks"),
    ("reviews_", "risks"),
    ("tasks_", "tasks"),
    ("accident", "accidents"),
    ("serious_", "accidents"),
)


def _span(qs, start, end, *, ends: bool):
    """The records of a span [start, end): its starts (end unknown, or after the start), or its
    ends (a known end after the start)."""
    qs = qs.annotate(span_start=start, span_end=end)
    if ends:
        return qs.filter(span_end__isnull=False, span_start__lt=F("span_end")).annotate(day=F("span_end"))
    return qs.filter(Q(span_end__isnull=True) | Q(span_start__lt=F("span_end"))).annotate(day=F("span_start"))


def _hazard_overdue(ends: bool):
    # overdue_at(day) ⇔ max(day assigned, deadline + 1) ≤ day < first of (rectified, closed).
    def rows(cal, campaigns):
        qs = Hazard.objects.filter(status__in=ASSIGNED_STATUSES, deadline__isnull=False)
        start = Greatest(_local(Coalesce("assigned_at", "found_at")), NextDay("deadline"))
        first_done = Least(Coalesce("rectified_at", "closed_at"), Coalesce("closed_at", "rectified_at"))
        return _span(qs, start, _local(first_done), ends=ends)

    return rows


def _hazard_listed(ends: bool):
    # listed_open_at(day) ⇔ max(day found, listed on) ≤ day < day closed.
    def rows(cal, campaigns):
        qs = Hazard.objects.counted().filter(listing__isnull=False)
        return _span(qs, Greatest(_local("found_at"), F("listing__listed_on")), _local("closed_at"), ends=ends)

    return rows


def _retired_on():
    """The day a retired risk left the register (its last change); NULL while it is on it."""
    return Case(
        When(status=RiskPoint.Status.RETIRED, then=_local(Greatest("updated_at", "created_at"))),
        default=None,
        output_field=DateField(),
    )


def _risk_review_overdue(ends: bool):
    # review_overdue_at(day) ⇔ max(day added, next review + 1) ≤ day < day retired.
    def rows(cal, campaigns):
        qs = RiskPoint.objects.filter(next_review_on__isnull=False)
        return _span(qs, Greatest(_local("created_at"), NextDay("next_review_on")), _retired_on(), ends=ends)

    return rows


def _task_overdue(ends: bool):
    # overdue_at(day) ⇔ due + 1 ≤ day < completed on.
    def rows(cal, campaigns):
        return _span(_tasks_of(campaigns), NextDay("due_on"), F("completed_on"), ends=ends)

    return rows


def _dated(qs, day):
    return qs.annotate(day=day)


def _tasks_of(campaigns):
    """The key tasks of the campaigns counted."""
    return KeyTask.objects.filter(campaign__in=[c.pk for c in campaigns])


DATES = [
    Dated("hazards_found", lambda cal, c: _dated(Hazard.objects.counted(), _local("found_at"))),
    Dated("hazards_closed", lambda cal, c: _dated(Hazard.objects.filter(status=Status.CLOSED), _local("closed_at"))),
    Dated("hazards_closed_on_time", lambda cal, c: _dated(Hazard.objects.closed_on_time(), _local("closed_at"))),
    # open_at(day) ⇔ day found ≤ day < day closed: closed on or after the day found.
    Dated(
        "hazards_open_end",
        lambda cal, c: _dated(
            Hazard.objects.counted().filter(closed_at__isnull=False), _local(Greatest("found_at", "closed_at"))
        ),
    ),
    Dated("hazards_overdue_start", _hazard_overdue(ends=False)),
    Dated("hazards_overdue_end", _hazard_overdue(ends=True)),
    Dated("listed_open_start", _hazard_listed(ends=False)),
    Dated("listed_open_end", _hazard_listed(ends=True)),
    # on_register_at(day) ⇔ day added ≤ day < day retired.
    Dated(
        "risks_start",
        lambda cal, c: _dated(RiskPoint.objects.all(), _local("created_at")),
        variant="current_assessment__level",
    ),
    Dated(
        "risks_end",
        lambda cal, c: _dated(RiskPoint.objects.filter(status=RiskPoint.Status.RETIRED), _retired_on()),
        variant="current_assessment__level",
    ),
    Dated("reviews_overdue_start", _risk_review_overdue(ends=False)),
    Dated("reviews_overdue_end", _risk_review_overdue(ends=True)),
    Dated(
        "tasks_due",
        lambda cal, c: _dated(_tasks_of(c), F("due_on")),
        unit_path="lead_unit",
        whole_month=True,
    ),
    Dated(
        "tasks_done",
        lambda cal, c: _dated(_tasks_of(c).done(), F("completed_on")),
        unit_path="lead_unit",
    ),
    Dated("tasks_overdue_start", _task_overdue(ends=False), unit_path="lead_unit"),
    Dated("tasks_overdue_end", _task_overdue(ends=True), unit_path="lead_unit"),
    Dated("accidents", lambda cal, c: _dated(Accident.objects.all(), F("occurred_on"))),
    Dated("accident_deaths", lambda cal, c: _dated(Accident.objects.all(), F("occurred_on")), weight="deaths"),
    Dated("serious_accidents", lambda cal, c: _dated(Accident.objects.serious(), F("occurred_on"))),
]


# ---------------------------------------------------------------- counting


# The dates of each kind of record, in the order of the columns of Counted that hold their days.
FAMILY_DATES: dict[str, list[Dated]] = {}
for _dated_ in DATES:
    FAMILY_DATES.setdefault(_dated_.family, []).append(_dated_)
assert all(len(dates) <= DAY_SLOTS for dates in FAMILY_DATES.values())
_SLOTS = {d.name: f"day_{i}" for dates in FAMILY_DATES.values() for i, d in enumerate(dates)}


def _bucketed(rows, dated: Dated, cal: Calendar):
    """`rows` (annotated with `day`) up to the last day counted, each with the month its day falls
    in (everything before the first month in one bucket: it counts in stocks only)."""
    month = Cast(TruncMonth("day", output_field=DateField()), DateField())
    return rows.filter(day__lte=dated.last(cal)).annotate(
        bucket=Greatest(month, Value(cal.before), output_field=DateField())
    )


def _by(dated: Dated) -> tuple[str, ...]:
    return ("sector", "variant", "bucket") if dated.variant else ("sector", "bucket")


def family_rows(
    family: str, cal: Calendar, campaigns: list[Campaign], district: OrgUnit, records: list[int] | None = None
) -> tuple[str, list]:
    """The rows of Counted of the district's records of `family` (only those of `records`, if
    given; a key task only of `campaigns`, the campaigns counted) as they stand: the SQL and its
    parameters of one statement (so that a record's dates are read at one moment), selecting the
    columns COUNTED_COLUMNS, a row for each record with at least one date."""
    dates = FAMILY_DATES[family]
    unit = dates[0].unit_path
    # The district's records, by its tree range: a few parameters, not one per unit.
    where = Q(
        **{
            f"{unit}__tree_id": district.tree_id,
            f"{unit}__lft__gte": district.lft,
            f"{unit}__rght__lte": district.rght,
        }
    )
    variant = next((d.variant for d in dates if d.variant), None)
    weight = next((d.weight for d in dates if d.weight), None)
    model = dates[0].rows(cal, campaigns).model
    base = (
        model._default_manager.filter(where, **({} if records is None else {"pk__in": records}))
        .order_by()
        .values(
            c_record=F("pk"),
            c_unit=F(f"{unit}_id"),
            c_sector=F("sector_id"),
            c_variant=F(variant) if variant else Value(None, output_field=CharField()),
            c_weight=Coalesce(F(weight), 0) if weight else Value(1, output_field=IntegerField()),
        )
    )
    q = connection.ops.quote_name
    sql, params = base.query.sql_with_params()
    joins, days = [], []
    for i, dated in enumerate(dates):
        # Each date's records joined by id: for a few changed records PostgreSQL reads them by key.
        part = dated.rows(cal, campaigns).filter(where).order_by().values(c_record=F("pk"), c_day=F("day"))
        part_sql, part_params = part.query.sql_with_params()
        joins.append(f"LEFT JOIN ({part_sql}) d{i} ON d{i}.{q('c_record')} = b.{q('c_record')}")
        params = [*params, *part_params]
        days.append(f"d{i}.{q('c_day')}")
    values = [f"b.{q(c)}" for c in ("c_record", "c_unit", "c_sector", "c_variant", "c_weight")]
    values += days + ["CAST(NULL AS date)"] * (DAY_SLOTS - len(days))
    columns = ", ".join(f"{value} AS {q(name)}" for value, name in zip(values, COUNTED_COLUMNS, strict=True))
    select = (
        f"SELECT {columns} FROM ({sql}) b {' '.join(joins)} "  # noqa: S608 (compiled querysets, no input)
        f"WHERE {' OR '.join(f'{day} IS NOT NULL' for day in days)}"
    )
    return select, list(params)


def count_under(dated: Dated, cal: Calendar, district: OrgUnit, units: list[OrgUnit]) -> dict[int, Counter]:
    """{unit pk: Counter{(sector, [variant,] bucket): n}} over each unit's whole subtree, from the
    district's Counted rows: one grouped query (districts.subtree.totals_under)."""
    rows = Counted.objects.filter(district=district, family=dated.family, **{f"{dated.slot}__isnull": False})
    rows = _bucketed(rows.annotate(day=F(dated.slot)), dated, cal)
    value = Count("pk") if dated.weight is None else Sum("weight")
    return totals_under(rows, units, unit_path="unit", by=_by(dated), value=value)


# The columns of a Counted row that contributions() reads, after its unit.
CONTRIBUTION_COLUMNS = ("sector_id", "variant", "weight", *COUNTED_COLUMNS[5:])


def contributions(family: str, row: tuple, cal: Calendar):
    """What one Counted row of `family` adds to its unit's counts, as count_under counts it:
    (date name, (sector, [variant,] bucket), n) for each of its dates. `row` holds the columns
    CONTRIBUTION_COLUMNS."""
    sector, variant, weight, *days = row
    for dated, day in zip(FAMILY_DATES[family], days, strict=False):
        if day is None or day > dated.last(cal):
            continue
        bucket = max(day.replace(day=1), cal.before)
        key = (sector, variant, bucket) if dated.variant else (sector, bucket)
        yield dated.name, key, weight if dated.weight else 1


class _Series:
    """One unit's counts of one date, as vectors over [before, month 0, …, month n-1] per
    (sector, variant)."""

    def __init__(self, counter: Counter, cal: Calendar, index: dict):
        self.n = len(cal.months)
        self.vectors: dict[tuple, list[int]] = {}
        for key, value in counter.items():
            *head, bucket = key
            sector, variant = head[0], (head[1] if len(head) > 1 else None)
            vector = self.vectors.setdefault((sector, variant), [0] * (self.n + 1))
            vector[index[bucket]] += int(value or 0)

    def flow(self, key) -> list[int]:
        return self.vectors.get(key, [0] * (self.n + 1))[1:]

    def cumulative(self, key) -> list[int]:
        out, total = [], 0
        for i, value in enumerate(self.vectors.get(key, [0] * (self.n + 1))):
            total += value
            if i:
                out.append(total)
        return out


def _minus(a: list[int], b: list[int]) -> list[int]:
    return [x - y for x, y in zip(a, b, strict=True)]


def record_figures(counts: dict[str, Counter], cal: Calendar, *, all_sectors: bool = True) -> Figures:
    """One unit's figures from its counts of every date in DATES (by name), per sector and, with
    `all_sectors`, for all sectors (their sum)."""
    index = {cal.before: 0, **{m: i + 1 for i, m in enumerate(cal.months)}}
    series = {d.name: _Series(counts.get(d.name, Counter()), cal, index) for d in DATES}
    n = len(cal.months)
    figures: Figures = {}

    def put(sector, metric, variant, values):
        if any(values):
            figures[(sector, metric, variant)] = values

    def keys(*names):
        return sorted({k for name in names for k in series[name].vectors}, key=repr)

    found, closed = series["hazards_found"], series["hazards_closed"]
    for key in keys("hazards_found", "hazards_open_end"):
        sector = key[0]
        put(sector, M.HAZARDS_FOUND, "", found.flow(key))
        put(sector, M.HAZARDS_FOUND_TO_DATE, "", found.cumulative(key))
        put(sector, M.HAZARDS_OPEN, "", _minus(found.cumulative(key), series["hazards_open_end"].cumulative(key)))
    for key in keys("hazards_closed"):
        put(key[0], M.HAZARDS_CLOSED, "", closed.flow(key))
        put(key[0], M.HAZARDS_CLOSED_TO_DATE, "", closed.cumulative(key))
    for key in keys("hazards_closed_on_time"):
        put(key[0], M.HAZARDS_CLOSED_ON_TIME, "", series["hazards_closed_on_time"].flow(key))
    for metric, start, end in (
        (M.HAZARDS_OVERDUE, "hazards_overdue_start", "hazards_overdue_end"),
        (M.MAJOR_HAZARDS_LISTED_OPEN, "listed_open_start", "listed_open_end"),
        (M.RISK_REVIEWS_OVERDUE, "reviews_overdue_start", "reviews_overdue_end"),
        (M.TASKS_OVERDUE, "tasks_overdue_start", "tasks_overdue_end"),
    ):
        for key in keys(start, end):
            put(key[0], metric, "", _minus(series[start].cumulative(key), series[end].cumulative(key)))
    # Risks by level; the variant "" is every risk on the register, graded or not.
    risks: dict = defaultdict(lambda: [0] * n)
    for key in keys("risks_start", "risks_end"):
        sector, level = key
        values = _minus(series["risks_start"].cumulative(key), series["risks_end"].cumulative(key))
        if level:
            put(sector, M.RISKS, level, values)
        risks[sector] = [x + y for x, y in zip(risks[sector], values, strict=True)]
    for sector, values in risks.items():
        put(sector, M.RISKS, "", values)
    for name, metric in (
        ("tasks_due", M.TASKS_DUE),
        ("tasks_done", M.TASKS_DONE),
        ("accidents", M.ACCIDENTS),
        ("accident_deaths", M.ACCIDENT_DEATHS),
        ("serious_accidents", M.SERIOUS_ACCIDENTS),
    ):
        for key in keys(name):
            put(key[0], metric, "", series[name].flow(key))
    if all_sectors:
        for (_sector, metric, variant), values in list(figures.items()):
            add_vector(figures, (None, metric, variant), values)
    return figures


def report_figures(campaigns: list[Campaign], cal: Calendar, filers: set[int] | None = None) -> dict[int, Figures]:
    """{filing unit pk: its own figures}: reports expected, filed and on time by reporting's rules
    (a unit only for the periods it owed), per report type and in all (variant ""), counted in
    the month holding each period's due date, of every campaign of `campaigns` (the campaigns
    counted). All the campaigns' filers, or those of `filers`. Four queries a campaign."""
    # A period due on the last day counted is over at its end, unless that day is today.
    tally_day = cal.today if cal.cap == cal.today else cal.cap + datetime.timedelta(days=1)
    types = list(ReportType.objects.all())
    kinds = sorted({k for t in types for k in t.filer_kinds})
    own: dict[int, Figures] = defaultdict(dict)
    for campaign in campaigns:
        _campaign_reports(own, campaign, cal, types, kinds, filers, tally_day)
    return own


def _campaign_reports(own: dict[int, Figures], campaign, cal: Calendar, types, kinds, filers, tally_day) -> None:
    """Add the figures of one campaign's reports to `own` (report_figures)."""
    n = len(cal.months)
    units = [f for f in filer_units(campaign, kinds) if filers is None or f.pk in filers]
    periods = [
        p
        for p in Period.objects.filter(campaign=campaign, report_type__in=types).select_related("report_type")
        if cal.index(p.due_on) is not None and p.due_on <= cal.cap
    ]
    counts = _cell_counts(campaign, types, units) if units and periods else {}
    for filer in units:
        for period in periods:
            if filer.kind not in period.report_type.filer_kinds:
                continue
            tally = _cell(filer, period, counts.get((filer.pk, period.pk)), tally_day).tally(tally_day)
            if not tally.expected:
                continue
            i = cal.index(period.due_on)
            for code in (period.report_type.code, ""):
                for metric, value in (
                    (M.REPORTS_EXPECTED, tally.expected),
                    (M.REPORTS_FILED, tally.filed),
                    (M.REPORTS_ON_TIME, tally.on_time),
                ):
                    if value:
                        own[filer.pk].setdefault((None, metric, code), [0] * n)[i] += value


def holds(unit: OrgUnit, other: OrgUnit) -> bool:
    """Whether `other` is in `unit`'s subtree (itself included)."""
    return unit.tree_id == other.tree_id and unit.lft <= other.lft and other.rght <= unit.rght


def add_vector(into: Figures, key: tuple, values: list[int], sign: int = 1) -> None:
    total = into.setdefault(key, [0] * len(values))
    for i, value in enumerate(values):
        total[i] += sign * value


def add(into: Figures, figures: Figures, sign: int = 1) -> None:
    for key, values in figures.items():
        if key[1] != RATE:
            add_vector(into, key, values, sign)


def period_values(figures: Figures, periods) -> dict[tuple, int]:
    """{(sector, granularity, period start, metric, variant): value} of every non-zero figure of
    every period: a flow summed over the period's months, a stock at its last."""
    out = {}
    for (sector, metric, variant), values in figures.items():
        if metric == RATE:
            continue
        flow = metric in FLOWS
        for granularity, start, indices in periods:
            value = sum(values[i] for i in indices) if flow else values[indices[-1]]
            if value:
                out[(sector, granularity, start, metric, variant)] = value
    return out


def closure_rate(closed: int, found: int) -> Decimal | None:
    """Closed ÷ found to date, to four places; None (no figure) when none was found."""
    if not found:
        return None
    return (Decimal(closed) / Decimal(found)).quantize(RATE_PLACES, ROUND_HALF_UP)


def rows_of(unit_pk: int, figures: Figures, periods) -> list[tuple]:
    """The rows of one unit: every non-zero figure of every period, and the closure rate wherever
    hazards were found."""
    values = period_values(figures, periods)
    rows = [(unit_pk, *key[:3], key[3], key[4], v) for key, v in values.items()]
    for (sector, g, start, metric, variant), found in values.items():
        if metric == M.HAZARDS_FOUND_TO_DATE:
            closed = values.get((sector, g, start, M.HAZARDS_CLOSED_TO_DATE, variant), 0)
            rows.append((unit_pk, sector, g, start, RATE, variant, closure_rate(closed, found)))
    return rows

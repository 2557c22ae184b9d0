"""Building the rollups of a district (oversight.models): every figure counted from the records
through their own querysets, once, and replaced in one transaction.

How a figure is counted
- Periods: the months from the start month of the district's current campaign to the current
  month (or the campaign's last month, if earlier); the quarters and years holding them. A
  period's stock is its value at the end of its last day, or now for the running period.
- Flows are counted by the month their date falls in. A stock is the records whose span holds
  the period's end: a hazard is open from the day it is found to the day it is closed, overdue
  from the day after its deadline to the day it is rectified or closed, and so on (the rules are
  the records' own as-of methods: HazardQuerySet.open_at(day), RiskQuerySet.on_register_at(day),
  KeyTaskQuerySet.overdue_at(day) …). So a stock is the running sum of the months' span starts
  less their span ends: one grouped query per date, whatever the number of periods.
- Each date is counted in ONE grouped query over (tree_id, lft, sector, month) with the
  interval sums of districts.subtree.totals_under: a unit's figure counts its whole subtree.
  Rows are written for the district and every unit under it down to communities (a grid's
  records count in its community); a zero is no row.
- Reports follow reporting's own rules (reporting.selectors: filer_units, _cell_counts and a
  cell's Tally): a report period counts in the month holding its due date, and a unit only for
  the periods it owed (those it existed for).

Incremental rebuilds read the records' event and history rows after the watermarks
(RollupState.watermarks), take the units those records sit in (before and after a change) with
their ancestors, and rebuild only those units' rows: their records are counted again, and what
lies under them but did not change (the other streets under the district) is read back from the
stored month rows. A changed org unit, campaign or report type, a new reporting period, or a new
day (stocks move with the date: a deadline passes) makes it a full rebuild.

Rebuilds of a district are serialised by a lock on its RollupState row; the rows are replaced
(delete, then insert) in the same transaction, so two rebuilds end with the same rows and a
concurrent one never duplicates them.
"""

from __future__ import annotations

import calendar
import datetime
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Case, DateField, F, Func, Max, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Greatest, Least, TruncDate, TruncMonth
from django.utils import timezone

from campaign.lib.deadlines import DEADLINE_TZ, deadline_today
from campaign.models import Accident, Campaign, KeyTask, TaskProgress
from districts.models import OrgUnit
from districts.subtree import totals_under
from hazards.models import ASSIGNED_STATUSES, Hazard, HazardEvent, Status, SupervisionListing
from oversight.models import Granularity, Metric, Rollup, RollupState
from reporting.models import Period, ReportType, SubmissionEvent
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
RATE_PLACES = Decimal("0.0001")
# An event or history row written by a transaction that committed after a rebuild read the
# watermark can carry a lower id than it: rows this recent are read again by the next rebuild.
OVERLAP = datetime.timedelta(minutes=5)
COPY_COLUMNS = ("unit_id", "sector_id", "granularity", "period_start", "metric", "variant", "value")


@dataclass
class RebuildResult:
    full: bool
    units: int  # units whose rows were rebuilt
    written: int  # rows written
    deleted: int  # rows deleted
    seconds: float
    built_at: datetime.datetime | None = None

    def as_report(self) -> dict:
        report = asdict(self)
        report["seconds"] = round(self.seconds, 2)
        report["built_at"] = self.built_at.isoformat() if self.built_at else None
        return report


# ---------------------------------------------------------------- periods


def _month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Calendar:
    """The months a district's rollups hold, and the day each month's stock is taken on."""

    months: tuple[datetime.date, ...]  # first days
    cap: datetime.date  # the last day counted: today, or the end of the campaign's last month
    today: datetime.date

    @classmethod
    def of(cls, campaign: Campaign | None, today: datetime.date) -> Calendar | None:
        if campaign is None:
            return None
        first = campaign.starts_on.replace(day=1)
        last = min(today.replace(day=1), campaign.ends_on.replace(day=1))
        if last < first:
            return None
        months = []
        month = first
        while month <= last:
            months.append(month)
            month = _add_months(month, 1)
        return cls(tuple(months), min(today, _month_end(last)), today)

    @property
    def before(self) -> datetime.date:
        """The bucket of everything dated before the first month: it counts in stocks only."""
        return _add_months(self.months[0], -1)

    def as_of(self, i: int) -> datetime.date:
        return min(_month_end(self.months[i]), self.cap)

    def index(self, day: datetime.date) -> int | None:
        month = day.replace(day=1)
        i = (month.year - self.months[0].year) * 12 + month.month - self.months[0].month
        return i if 0 <= i < len(self.months) else None

    def periods(self) -> list[tuple[str, datetime.date, list[int]]]:
        """(granularity, period start, the indices of its months held here), months first."""
        out = [(Granularity.MONTH.value, m, [i]) for i, m in enumerate(self.months)]
        for granularity, start_of in (
            (Granularity.QUARTER.value, lambda m: m.replace(month=(m.month - 1) // 3 * 3 + 1)),
            (Granularity.YEAR.value, lambda m: m.replace(month=1)),
        ):
            groups: dict[datetime.date, list[int]] = {}
            for i, m in enumerate(self.months):
                groups.setdefault(start_of(m), []).append(i)
            out.extend((granularity, start, indices) for start, indices in groups.items())
        return out


def calendar_for(district: OrgUnit, today: datetime.date | None = None) -> tuple[Campaign | None, Calendar | None]:
    campaign = Campaign.objects.filter(district=district).current()
    today = today or deadline_today()
    return campaign, Calendar.of(campaign, today)


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
    an expression, `variant` a column the figures are split by (a risk's level), `value` the
    aggregate (a count unless given)."""

    name: str
    rows: object  # a callable(calendar, campaign) → QuerySet, annotated with `day`
    unit_path: str = "unit"
    variant: str | None = None
    value: object = None
    # Counted to the end of the running month, not only to today: what falls due this month.
    whole_month: bool = False


def _span(qs, start, end, *, ends: bool):
    """The records of a span [start, end): its starts (end unknown, or after the start), or its
    ends (a known end after the start)."""
    qs = qs.annotate(span_start=start, span_end=end)
    if ends:
        return qs.filter(span_end__isnull=False, span_start__lt=F("span_end")).annotate(day=F("span_end"))
    return qs.filter(Q(span_end__isnull=True) | Q(span_start__lt=F("span_end"))).annotate(day=F("span_start"))


def _hazard_overdue(ends: bool):
    # overdue_at(day) ⇔ max(day assigned, deadline + 1) ≤ day < first of (rectified, closed).
    def rows(cal, campaign):
        qs = Hazard.objects.filter(status__in=ASSIGNED_STATUSES, deadline__isnull=False)
        start = Greatest(_local(Coalesce("assigned_at", "found_at")), NextDay("deadline"))
        first_done = Least(Coalesce("rectified_at", "closed_at"), Coalesce("closed_at", "rectified_at"))
        return _span(qs, start, _local(first_done), ends=ends)

    return rows


def _hazard_listed(ends: bool):
    # listed_open_at(day) ⇔ max(day found, listed on) ≤ day < day closed.
    def rows(cal, campaign):
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
    def rows(cal, campaign):
        qs = RiskPoint.objects.filter(next_review_on__isnull=False)
        return _span(qs, Greatest(_local("created_at"), NextDay("next_review_on")), _retired_on(), ends=ends)

    return rows


def _task_overdue(ends: bool):
    # overdue_at(day) ⇔ due + 1 ≤ day < completed on.
    def rows(cal, campaign):
        return _span(KeyTask.objects.filter(campaign=campaign), NextDay("due_on"), F("completed_on"), ends=ends)

    return rows


def _dated(qs, day):
    return qs.annotate(day=day)


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
        lambda cal, c: _dated(KeyTask.objects.filter(campaign=c), F("due_on")),
        unit_path="lead_unit",
        whole_month=True,
    ),
    Dated(
        "tasks_done",
        lambda cal, c: _dated(KeyTask.objects.filter(campaign=c).done(), F("completed_on")),
        unit_path="lead_unit",
    ),
    Dated("tasks_overdue_start", _task_overdue(ends=False), unit_path="lead_unit"),
    Dated("tasks_overdue_end", _task_overdue(ends=True), unit_path="lead_unit"),
    Dated("accidents", lambda cal, c: _dated(Accident.objects.all(), F("occurred_on"))),
    Dated("accident_deaths", lambda cal, c: _dated(Accident.objects.all(), F("occurred_on")), value=Sum("deaths")),
    Dated("serious_accidents", lambda cal, c: _dated(Accident.objects.serious(), F("occurred_on"))),
]


# ---------------------------------------------------------------- counting


def _count(dated: Dated, cal: Calendar, campaign: Campaign, units: list[OrgUnit], only: list[int] | None):
    """{unit pk: Counter{(sector, [variant,] month bucket): n}} for `units`' subtrees: one query."""
    rows = dated.rows(cal, campaign).filter(day__lte=_month_end(cal.months[-1]) if dated.whole_month else cal.cap)
    if only is not None:
        rows = rows.filter(**{f"{dated.unit_path}_id__in": only})
    rows = rows.annotate(
        bucket=Greatest(
            Cast(TruncMonth("day", output_field=DateField()), DateField()), Value(cal.before), output_field=DateField()
        )
    )
    by = ("sector", dated.variant, "bucket") if dated.variant else ("sector", "bucket")
    return totals_under(rows, units, unit_path=dated.unit_path, by=by, value=dated.value)


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

    def keys(self):
        return self.vectors.keys()

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


def _record_figures(series: dict[str, _Series]) -> dict[tuple, list[int]]:
    """One unit's figures from its counted dates: {(sector, metric, variant): [value per month]}."""
    figures: dict[tuple, list[int]] = {}

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
    risks: dict = defaultdict(lambda: [0] * found.n)
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
    # All sectors: the sum of the sectors.
    for (_sector, metric, variant), values in list(figures.items()):
        total = figures.setdefault((None, metric, variant), [0] * len(values))
        for i, value in enumerate(values):
            total[i] += value
    return figures


def _report_figures(campaign: Campaign, cal: Calendar, units: list[OrgUnit]) -> dict[int, dict[tuple, list[int]]]:
    """Reports expected, filed and on time, by reporting's rules (a unit only for the periods it
    owed), per report type and in all, counted in the month holding each period's due date, for
    each of `units` over the filing units of its subtree that are among `units`."""
    n = len(cal.months)
    # A period due on the last day counted is over at its end, unless that day is today.
    tally_day = cal.today if cal.cap == cal.today else cal.cap + datetime.timedelta(days=1)
    types = list(ReportType.objects.all())
    kinds = sorted({k for t in types for k in t.filer_kinds})
    # The filing units among `units`: what lies under them but is not among them is counted apart.
    ids = {u.pk for u in units}
    filers = [f for f in filer_units(campaign, kinds) if f.pk in ids]
    periods = [
        p
        for p in Period.objects.filter(campaign=campaign, report_type__in=types).select_related("report_type")
        if cal.index(p.due_on) is not None and p.due_on <= cal.cap
    ]
    counts = _cell_counts(campaign, types, filers) if filers and periods else {}
    own: dict[int, dict[tuple, list[int]]] = defaultdict(dict)
    for filer in filers:
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
    totals: dict[int, dict[tuple, list[int]]] = {}
    for unit in units:
        figures: dict[tuple, list[int]] = {}
        for filer in filers:
            if _holds(unit, filer):
                _add(figures, own.get(filer.pk, {}))
        totals[unit.pk] = figures
    return totals


def _holds(unit: OrgUnit, other: OrgUnit) -> bool:
    return unit.tree_id == other.tree_id and unit.lft <= other.lft and other.rght <= unit.rght


def _add(into: dict[tuple, list[int]], figures: dict[tuple, list[int]]) -> None:
    for key, values in figures.items():
        if key[1] == M.HAZARD_CLOSURE_RATE:
            continue
        total = into.setdefault(key, [0] * len(values))
        for i, value in enumerate(values):
            total[i] += value


def _rows(unit_pk: int, figures: dict[tuple, list[int]], periods) -> list[tuple]:
    """The rows of one unit: every non-zero figure for every period, and the closure rate where
    hazards were found."""
    rows = []
    for (sector, metric, variant), values in figures.items():
        flow = metric in FLOWS
        for granularity, start, indices in periods:
            value = sum(values[i] for i in indices) if flow else values[indices[-1]]
            if value:
                rows.append((unit_pk, sector, granularity, start, metric, variant, value))
        if metric == M.HAZARDS_FOUND_TO_DATE:
            closed = figures.get((sector, M.HAZARDS_CLOSED_TO_DATE, variant))
            for granularity, start, indices in periods:
                found = values[indices[-1]]
                if found:
                    done = closed[indices[-1]] if closed else 0
                    rate = (Decimal(done) / Decimal(found)).quantize(RATE_PLACES, ROUND_HALF_UP)
                    rows.append((unit_pk, sector, granularity, start, M.HAZARD_CLOSURE_RATE, variant, rate))
    return rows


# ---------------------------------------------------------------- what changed


@dataclass(frozen=True)
class Source:
    """Event or history rows of one kind of record: what a rebuild reads after its watermark."""

    key: str
    model: object
    id_field: str
    at_field: str | None
    # units(rows) → the ids of the units the records of these rows sit in, or sat in before.
    units: object = None  # None: any new row means a full rebuild


def _history(model):
    return model.history.model


def _all_places(model, unit_field: str):
    history = _history(model)
    return lambda rows: history.objects.filter(id__in=rows.values("id")).values_list(unit_field, flat=True)


def _hazards_of(field: str):
    def units(rows):
        hazards = rows.values(field)
        moved = _history(Hazard).objects.filter(id__in=hazards).values_list("unit_id", flat=True)
        return [*Hazard.objects.filter(pk__in=hazards).values_list("unit_id", flat=True), *moved]

    return units


SOURCES = [
    Source("hazard_events", HazardEvent, "id", "at", _hazards_of("hazard_id")),
    Source("hazards", _history(Hazard), "history_id", "history_date", _all_places(Hazard, "unit_id")),
    Source("listings", _history(SupervisionListing), "history_id", "history_date", _hazards_of("hazard_id")),
    Source("risks", _history(RiskPoint), "history_id", "history_date", _all_places(RiskPoint, "unit_id")),
    Source("tasks", _history(KeyTask), "history_id", "history_date", _all_places(KeyTask, "lead_unit_id")),
    Source(
        "task_progress",
        TaskProgress,
        "id",
        "at",
        lambda rows: KeyTask.objects.filter(pk__in=rows.values("task_id")).values_list("lead_unit_id", flat=True),
    ),
    Source("accidents", _history(Accident), "history_id", "history_date", _all_places(Accident, "unit_id")),
    Source(
        "submission_events",
        SubmissionEvent,
        "id",
        "at",
        lambda rows: rows.values_list("submission__unit_id", flat=True),
    ),
    # The tree, the campaign and the reporting calendar: everything is counted again.
    Source("units", _history(OrgUnit), "history_id", "history_date"),
    Source("campaigns", _history(Campaign), "history_id", "history_date"),
    Source("report_types", _history(ReportType), "history_id", "history_date"),
    Source("periods", Period, "id", None),
]


def _watermarks() -> dict[str, int]:
    return {s.key: s.model.objects.aggregate(n=Max(s.id_field))["n"] or 0 for s in SOURCES}


def _changed_units(state: RollupState, now_marks: dict[str, int]) -> set[int] | None:
    """The ids of the units whose records changed since the state's watermarks; None when
    everything must be counted again."""
    old = state.watermarks or {}
    if any(s.key not in old for s in SOURCES) or state.built_at is None:
        return None
    since = state.built_at - OVERLAP
    changed: set[int] = set()
    for source in SOURCES:
        if now_marks[source.key] == old[source.key] and source.at_field is None:
            continue
        new = Q(**{f"{source.id_field}__gt": old[source.key], f"{source.id_field}__lte": now_marks[source.key]})
        if source.at_field:
            new |= Q(**{f"{source.at_field}__gte": since})
        rows = source.model.objects.filter(new)
        if source.units is None:
            if rows.exists():
                return None
            continue
        changed.update(u for u in source.units(rows) if u is not None)
    return changed


# ---------------------------------------------------------------- the rebuild


def _row_units(district: OrgUnit) -> tuple[list[OrgUnit], dict[int, int]]:
    """The units that get rows (the district and all under it but grids), and for every unit of
    the district the row unit its records count in (a grid's community)."""
    every = list(
        OrgUnit.objects.filter(tree_id=district.tree_id, lft__gte=district.lft, rght__lte=district.rght).order_by("lft")
    )
    rows = [u for u in every if u.kind != OrgUnit.Kind.GRID]
    row_of: dict[int, int] = {}
    stack: list[OrgUnit] = []
    for unit in every:  # tree order: a unit's ancestors come before it
        while stack and not _holds(stack[-1], unit):
            stack.pop()
        if unit.kind != OrgUnit.Kind.GRID:
            stack.append(unit)
        row_of[unit.pk] = stack[-1].pk if stack else unit.pk
    return rows, row_of


def _stored(units: list[int], cal: Calendar) -> dict[int, dict[tuple, list[int]]]:
    """The month rows already stored for `units`, as figures."""
    index = {m: i for i, m in enumerate(cal.months)}
    out: dict[int, dict[tuple, list[int]]] = defaultdict(dict)
    rows = (
        Rollup.objects.filter(unit_id__in=units, granularity=Granularity.MONTH, period_start__in=cal.months)
        .exclude(metric=M.HAZARD_CLOSURE_RATE)
        .values_list("unit_id", "sector_id", "period_start", "metric", "variant", "value")
    )
    for unit_id, sector_id, start, metric, variant, value in rows:
        out[unit_id].setdefault((sector_id, metric, variant), [0] * len(cal.months))[index[start]] = int(value)
    return out


def _write(rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Rollup._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in COPY_COLUMNS)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    Rollup.objects.bulk_create((Rollup(**dict(zip(COPY_COLUMNS, row, strict=True))) for row in rows), batch_size=5000)


def rebuild(district: OrgUnit, *, full: bool) -> RebuildResult:
    """Build the rollups of `district`: all of them (`full`), or only those of the units whose
    records changed since the last build (a full rebuild when it cannot tell). Serialised per
    district; the rows are replaced in one transaction."""
    started = time.perf_counter()
    with transaction.atomic():
        RollupState.objects.get_or_create(district=district)
        state = RollupState.objects.select_for_update().get(district=district)
        now = timezone.now()
        marks = _watermarks()
        district = OrgUnit.objects.get(pk=district.pk)  # its tree range as it stands
        campaign, cal = calendar_for(district)
        today = cal.today if cal else deadline_today()
        new_day = state.built_at is None or timezone.localdate(state.built_at, DEADLINE_TZ) != today
        changed = None if (full or new_day) else _changed_units(state, marks)
        full = changed is None
        units, row_of = _row_units(district)
        if full:
            touched = units
        else:
            rows_hit = {row_of[u] for u in changed if u in row_of}
            touched = [u for u in units if any(_holds(u, v) for v in units if v.pk in rows_hit)]
        touched_ids = {u.pk for u in touched}
        figures: dict[int, dict[tuple, list[int]]] = {}
        if cal is not None and touched:
            only = None if full else [u for u, r in row_of.items() if r in touched_ids]
            index = {cal.before: 0, **{m: i + 1 for i, m in enumerate(cal.months)}}
            counted = {d.name: _count(d, cal, campaign, touched, only) for d in DATES}
            reports = _report_figures(campaign, cal, touched)
            # Under a touched unit, what did not change is read back: its untouched children.
            frontier = [u for u in units if u.pk not in touched_ids and u.parent_id in touched_ids]
            stored = _stored([u.pk for u in frontier], cal) if frontier else {}
            for unit in touched:
                unit_figures = _record_figures({name: _Series(c[unit.pk], cal, index) for name, c in counted.items()})
                _add(unit_figures, reports[unit.pk])
                for other in frontier:
                    if _holds(unit, other):
                        _add(unit_figures, stored.get(other.pk, {}))
                figures[unit.pk] = unit_figures
        periods = cal.periods() if cal else []
        rows = [row for unit_pk, unit_figures in figures.items() for row in _rows(unit_pk, unit_figures, periods)]
        doomed = Rollup.objects.filter(unit_id__in=list(row_of) if full else list(touched_ids))
        deleted = doomed._raw_delete(doomed.db) or 0
        _write(rows)
        state.built_at = now
        if full:
            state.full_built_at = now
        state.watermarks = marks
        state.save(update_fields=["built_at", "full_built_at", "watermarks"])
    return RebuildResult(
        full=full,
        units=len(touched),
        written=len(rows),
        deleted=deleted,
        seconds=time.perf_counter() - started,
        built_at=now,
    )

"""The periods a district's rollups hold: the months the rollups are built for, and the periods
the dashboards offer and parse.

A period is a month, a quarter or a year, named by its first day (Rollup.period_start). The
months held run, without a gap (stocks are running sums), from the start month of the
district's earliest campaign that has started to the current month, or to the last campaign's
last month once all have ended. The periods stored, offered and accepted are only those holding
at least one month some campaign of the district covers: with a campaign of 2019–2020 and one
of 2026–2027, the years between are counted through (a hazard found in 2019 is open in 2026)
but not offered. Days are the district's own (campaign.lib.deadlines).
The query parameter is `period=<granularity>:<YYYY-MM-DD>`, e.g. `period=quarter:2026-04-01`.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from functools import cached_property

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from oversight.models import Granularity

PARAM = re.compile(r"(month|quarter|year):([0-9]{4})-([0-9]{2})-([0-9]{2})")
TREND_MONTHS = 24


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def start_of(granularity: str, day: datetime.date) -> datetime.date:
    """The first day of the period of `granularity` holding `day`."""
    if granularity == Granularity.YEAR:
        return datetime.date(day.year, 1, 1)
    if granularity == Granularity.QUARTER:
        return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return month_start(day)


LENGTH = {Granularity.MONTH: 1, Granularity.QUARTER: 3, Granularity.YEAR: 12}


@dataclass(frozen=True, order=True)
class Period:
    granularity: str
    start: datetime.date

    @property
    def last_month(self) -> datetime.date:
        return add_months(self.start, LENGTH[Granularity(self.granularity)] - 1)

    @property
    def end(self) -> datetime.date:
        """The period's last day."""
        return add_months(self.last_month, 1) - datetime.timedelta(days=1)

    @property
    def param(self) -> str:
        return f"{self.granularity}:{self.start.isoformat()}"

    @property
    def label(self) -> str:
        if self.granularity == Granularity.YEAR:
            return _("%(year)s") % {"year": self.start.year}
        if self.granularity == Granularity.QUARTER:
            return _("Q%(quarter)s %(year)s") % {"quarter": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        return date_format(self.start, "YEAR_MONTH_FORMAT")

    def holds(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Calendar:
    """The months a district's rollups cover: `first` (the start month of its earliest campaign
    that has started) to `last` (this month, or the last campaign's last month once all have
    ended), every month between, and the day each month's stock is taken on. `spans` are the
    months the campaigns cover, as (first month, last month) within the calendar, in order; None
    (a calendar made of two months alone) is every month of it."""

    first: datetime.date
    last: datetime.date
    today: datetime.date
    spans: tuple[tuple[datetime.date, datetime.date], ...] | None = None

    @classmethod
    def of(cls, campaigns, today: datetime.date) -> Calendar | None:
        """The calendar of `campaigns` (a district's, or one campaign): None without any. Before
        the first starts, its start month alone (not `started`)."""
        if campaigns is None:
            return None
        campaigns = [campaigns] if hasattr(campaigns, "starts_on") else list(campaigns)
        if not campaigns:
            return None
        this_month = month_start(today)
        started = [c for c in campaigns if month_start(c.starts_on) <= this_month]
        if not started:
            first = min(month_start(c.starts_on) for c in campaigns)
            return cls(first, first, today, ((first, first),))
        first = min(month_start(c.starts_on) for c in started)
        last = max(first, min(this_month, max(month_start(c.ends_on) for c in started)))
        spans = sorted({(month_start(c.starts_on), min(last, month_start(c.ends_on))) for c in started})
        return cls(first, last, today, tuple(spans))

    @property
    def started(self) -> bool:
        """Whether the first campaign's first month has come (the rollups count nothing before it)."""
        return month_start(self.today) >= self.first

    def covers(self, month: datetime.date) -> bool:
        """Whether some campaign covers the month (whose first day `month` is)."""
        return self.spans is None or any(first <= month <= last for first, last in self.spans)

    def counts(self, campaign) -> bool:
        """Whether the rollups count what is of `campaign` (its key tasks, its reports): it has
        started by the calendar's last month."""
        return month_start(campaign.starts_on) <= self.last

    @cached_property
    def months(self) -> tuple[datetime.date, ...]:
        """The first day of each month held, in order."""
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = add_months(month, 1)
        return tuple(months)

    @property
    def cap(self) -> datetime.date:
        """The last day counted: today, or the end of the campaign's last month."""
        return min(self.today, month_end(self.last))

    @property
    def before(self) -> datetime.date:
        """The bucket of everything dated before the first month: it counts in stocks only."""
        return add_months(self.first, -1)

    def as_of(self, i: int) -> datetime.date:
        """The day month `i`'s stock is taken on: its last day, or today for the running month."""
        return min(month_end(self.months[i]), self.cap)

    def index(self, day: datetime.date) -> int | None:
        """The index of the month holding `day`, if the calendar holds it."""
        i = (day.year - self.first.year) * 12 + day.month - self.first.month
        return i if 0 <= i < len(self.months) else None

    def held(self) -> list[tuple[str, datetime.date, list[int]]]:
        """Every period the rollups store: (granularity, period start, the indices of its months
        held here), months first; only the periods holding a month some campaign covers (those
        offered), though a stock counts every month before."""
        out = [(Granularity.MONTH.value, m, [i]) for i, m in enumerate(self.months) if self.covers(m)]
        for granularity in (Granularity.QUARTER.value, Granularity.YEAR.value):
            groups: dict[datetime.date, list[int]] = {}
            for i, m in enumerate(self.months):
                groups.setdefault(start_of(granularity, m), []).append(i)
            offered = {start_of(granularity, m) for m in self.months if self.covers(m)}
            out.extend((granularity, start, indices) for start, indices in groups.items() if start in offered)
        return out

    @property
    def default(self) -> Period:
        """The latest year, to date: the running one while a campaign runs (the last month is
        always one a campaign covers). A month is one
        pick away, but on a month's first days its flows would read as if nothing was done."""
        return Period(Granularity.YEAR, start_of(Granularity.YEAR, self.last))

    def periods(self, granularity: str) -> list[Period]:
        """Every period of `granularity` holding a month of the calendar that some campaign
        covers, the latest first."""
        starts = sorted({start_of(granularity, month) for month in self.months if self.covers(month)}, reverse=True)
        return [Period(granularity, start) for start in starts]

    def parse(self, value) -> Period | None:
        """The period `value` names (`month:2026-07-01`), if it is one of this calendar's; else None."""
        match = PARAM.fullmatch(value) if isinstance(value, str) else None
        if not match:
            return None
        granularity, *ymd = match.groups()
        try:
            start = datetime.date(*(int(part) for part in ymd))
        except ValueError:
            return None
        period = Period(granularity, start)
        return period if period in self.periods(granularity) else None

    def is_running(self, period: Period) -> bool:
        """Whether `period` holds today: its stocks are today's, the lists show the same."""
        return period.holds(self.today)

    def trend_months(self, period: Period) -> list[datetime.date]:
        """The months of the calendar some campaign covers among the 24 ending with the period's
        last month (or the latest month)."""
        end = min(period.last_month, self.last)
        return [m for m in self.months if add_months(end, -TREND_MONTHS) < m <= end and self.covers(m)]

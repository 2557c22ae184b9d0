"""The periods a district's rollups hold, as the dashboards offer and parse them.

A period is a month, a quarter or a year, named by its first day (Rollup.period_start), from
the month the district's current campaign starts to the current month, or to the campaign's
last month when it has ended. Days are the district's own (campaign.lib.deadlines).
The query parameter is `period=<granularity>:<YYYY-MM-DD>`, e.g. `period=quarter:2026-04-01`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from oversight.models import Granularity

PARAM = re.compile(r"(month|quarter|year):([0-9]{4})-([0-9]{2})-([0-9]{2})")
TREND_MONTHS = 24


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


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
    """The months a campaign's rollups cover: `first` (its start month) to `last`."""

    first: datetime.date
    last: datetime.date
    today: datetime.date

    @classmethod
    def of(cls, campaign, today: datetime.date) -> Calendar | None:
        if campaign is None:
            return None
        first = month_start(campaign.starts_on)
        last = min(month_start(today), month_start(campaign.ends_on))
        return cls(first, max(first, last), today)

    @property
    def default(self) -> Period:
        """The latest year, to date: the running one while the campaign runs. A month is one
        pick away, but on a month's first days its flows would read as if nothing was done."""
        return Period(Granularity.YEAR, start_of(Granularity.YEAR, self.last))

    def months(self) -> list[datetime.date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = add_months(month, 1)
        return months

    def periods(self, granularity: str) -> list[Period]:
        """Every period of `granularity` holding a month of the calendar, the latest first."""
        starts = sorted({start_of(granularity, month) for month in self.months()}, reverse=True)
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
        """Up to 24 months of the calendar, ending with the period's last month (or the latest month)."""
        end = min(period.last_month, self.last)
        return [month for month in self.months() if add_months(end, -TREND_MONTHS) < month <= end]

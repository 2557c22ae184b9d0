"""The reporting calendar: which periods a report type has in a campaign, when
each falls due, and which units owe a report for it. Pure date arithmetic, no
queries: the services store what this computes, the selectors count with it."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from reporting.models import DueRule, PeriodKind


@dataclass(frozen=True)
class PeriodSpan:
    key: str
    starts_on: datetime.date  # clipped to the campaign
    ends_on: datetime.date
    due_on: datetime.date


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _calendar(kind: str, first: datetime.date, last: datetime.date):
    """(key, natural start, natural end) of every calendar period of `kind` that overlaps first..last."""
    months_per = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.HALF_YEAR: 6, PeriodKind.YEAR: 12}[kind]
    year, month = first.year, (first.month - 1) // months_per * months_per + 1
    while datetime.date(year, month, 1) <= last:
        end_month = month + months_per - 1
        index = (month - 1) // months_per + 1
        key = {
            PeriodKind.MONTH: f"{year}-{month:02d}",
            PeriodKind.QUARTER: f"{year}-Q{index}",
            PeriodKind.HALF_YEAR: f"{year}-H{index}",
            PeriodKind.YEAR: f"{year}",
        }[kind]
        yield key, datetime.date(year, month, 1), _month_end(year, end_month)
        month += months_per
        if month > 12:
            year, month = year + 1, 1


def periods_of(report_type, starts_on: datetime.date, ends_on: datetime.date) -> list[PeriodSpan]:
    """The periods of `report_type` in a campaign running starts_on..ends_on.

    Every calendar period that overlaps the campaign counts, the first and last clipped to
    it (a campaign starting on 14 February owes February's item). A recurring report falls
    due on the natural last day of its period plus the type's grace days. A once-only report
    falls due a number of days after the campaign starts, or on a fixed date; its period runs
    from the campaign's start to that date."""
    if report_type.period_kind == PeriodKind.ONCE:
        if report_type.due_rule == DueRule.FIXED_DATE:
            due = report_type.fixed_due_on
        else:
            due = starts_on + datetime.timedelta(days=report_type.grace_days)
        return [PeriodSpan("once", starts_on, max(starts_on, min(due, ends_on)), due)]
    grace = datetime.timedelta(days=report_type.grace_days)
    return [
        PeriodSpan(key, max(start, starts_on), min(end, ends_on), end + grace)
        for key, start, end in _calendar(report_type.period_kind, starts_on, ends_on)
    ]


def unit_owes(unit, period) -> bool:
    """Whether `unit` owes a report for `period`: it existed before the period's last day
    and still exists after it.

    A unit set up in mid-campaign owes the periods that end after the day it was set up:
    one set up on a period's last day has had no time to do that period's work and owes
    the next one first. One dissolved owes none that end on or after its dissolution date."""
    day = period.ends_on
    if unit.established_on and unit.established_on >= day:
        return False
    return not (unit.dissolved_on and unit.dissolved_on <= day)

"""Every rollup figure counted from scratch, the slow and obvious way: for each period, the records'
own querysets and as-of rules (Hazard.objects.open_at(day) …) and reporting's own calendar
(reporting.selectors.grids), each unit's subtree through districts.subtree.totals_under. None of
the builder's spans, buckets, running sums or stored rows."""

from __future__ import annotations

import calendar
import datetime
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from campaign.lib.deadlines import DEADLINE_TZ, day_end
from campaign.models import Accident, KeyTask
from districts.models import OrgUnit
from districts.subtree import totals_under
from hazards.models import Hazard, Status
from oversight.models import Metric, Rollup
from reporting.models import ReportType
from reporting.selectors import grids
from risks.models import RiskPoint

M = Metric


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def periods(campaign, today):
    """(granularity, start, first month, last month) of every period the rollups hold."""
    months = []
    month = campaign.starts_on.replace(day=1)
    last = min(today.replace(day=1), campaign.ends_on.replace(day=1))
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    out = [("month", m, m, m) for m in months]
    quarters, years = {}, {}
    for m in months:
        quarters.setdefault(m.replace(month=(m.month - 1) // 3 * 3 + 1), []).append(m)
        years.setdefault(m.replace(month=1), []).append(m)
    out += [("quarter", q, ms[0], ms[-1]) for q, ms in quarters.items()]
    out += [("year", y, ms[0], ms[-1]) for y, ms in years.items()]
    return out


def _start(day):
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=DEADLINE_TZ)


def expected_rows(district: OrgUnit, campaign, today: datetime.date) -> dict[tuple, Decimal]:
    units = list(
        OrgUnit.objects.filter(tree_id=district.tree_id, lft__gte=district.lft, rght__lte=district.rght).exclude(
            kind=OrgUnit.Kind.GRID
        )
    )
    held = periods(campaign, today)
    # A period due on the last day counted is over at its end, unless that day is today.
    last_day = min(today, month_end(max(p[3] for p in held))) if held else today
    tally_day = today if last_day == today else last_day + datetime.timedelta(days=1)
    expected: dict[tuple, Decimal] = {}

    def put(totals: dict[int, Counter], granularity, start, metric, *, variant_in_key=False):
        for unit in units:
            by_sector: Counter = Counter()
            for key, n in totals[unit.pk].items():
                sector = key[0]
                variant = (key[1] or "") if variant_in_key else ""
                if variant_in_key and key[1]:
                    _set(expected, (unit.pk, sector, granularity, start, metric, variant), n)
                    _set(expected, (unit.pk, None, granularity, start, metric, variant), n, add=True)
                if not variant_in_key:
                    _set(expected, (unit.pk, sector, granularity, start, metric, ""), n)
                by_sector[sector] += n
            if variant_in_key:
                for sector, n in by_sector.items():
                    _set(expected, (unit.pk, sector, granularity, start, metric, ""), n)
            _set(expected, (unit.pk, None, granularity, start, metric, ""), sum(by_sector.values()))

    def count(qs, unit_path="unit", by=("sector",), value=None):
        return totals_under(qs, units, unit_path=unit_path, by=by, value=value)

    for granularity, start, first, last in held:
        end = min(month_end(last), today)
        since, until = _start(first), day_end(end)
        hz = Hazard.objects
        put(count(hz.counted().filter(found_at__gte=since, found_at__lt=until)), granularity, start, M.HAZARDS_FOUND)
        closed = hz.filter(status=Status.CLOSED, closed_at__gte=since, closed_at__lt=until)
        put(count(closed), granularity, start, M.HAZARDS_CLOSED)
        on_time = hz.closed_on_time().filter(closed_at__gte=since, closed_at__lt=until)
        put(count(on_time), granularity, start, M.HAZARDS_CLOSED_ON_TIME)
        put(count(hz.open_at(end)), granularity, start, M.HAZARDS_OPEN)
        put(count(hz.overdue_at(end)), granularity, start, M.HAZARDS_OVERDUE)
        found, closed = count(hz.found_by(end)), count(hz.closed_by(end))
        put(found, granularity, start, M.HAZARDS_FOUND_TO_DATE)
        put(closed, granularity, start, M.HAZARDS_CLOSED_TO_DATE)
        for unit in units:
            for sector in {k[0] for k in found[unit.pk]} | {None}:
                f = sum(n for k, n in found[unit.pk].items() if sector in (None, k[0]))
                c = sum(n for k, n in closed[unit.pk].items() if sector in (None, k[0]))
                if f:
                    rate = (Decimal(c) / Decimal(f)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
                    expected[(unit.pk, sector, granularity, start, M.HAZARD_CLOSURE_RATE, "")] = rate
        put(count(hz.listed_open_at(end)), granularity, start, M.MAJOR_HAZARDS_LISTED_OPEN)
        risks = count(RiskPoint.objects.on_register_at(end), by=("sector", "current_assessment__level"))
        put(risks, granularity, start, M.RISKS, variant_in_key=True)
        put(count(RiskPoint.objects.review_overdue_at(end)), granularity, start, M.RISK_REVIEWS_OVERDUE)
        tasks = KeyTask.objects.filter(campaign=campaign)
        due = tasks.filter(due_on__gte=first, due_on__lte=month_end(last))
        put(count(due, "lead_unit"), granularity, start, M.TASKS_DUE)
        done = tasks.filter(completed_on__gte=first, completed_on__lte=end)
        put(count(done, "lead_unit"), granularity, start, M.TASKS_DONE)
        put(count(tasks.overdue_at(end), "lead_unit"), granularity, start, M.TASKS_OVERDUE)
        accidents = Accident.objects.filter(occurred_on__gte=first, occurred_on__lte=end)
        put(count(accidents), granularity, start, M.ACCIDENTS)
        put(count(accidents, value=Sum("deaths")), granularity, start, M.ACCIDENT_DEATHS)
        put(count(accidents.serious()), granularity, start, M.SERIOUS_ACCIDENTS)

    # Reports: reporting's own calendar, each cell's tally counted in the periods holding its due date.
    for grid in grids(campaign, list(ReportType.objects.all()), today=tally_day):
        for row in grid.rows:
            for cell in row.cells:
                tally = cell.tally(tally_day)
                due = cell.period.due_on
                for granularity, start, first, last in held:
                    if not (first <= due <= month_end(last)):
                        continue
                    for unit in units:
                        if not (unit.tree_id == row.unit.tree_id and unit.lft <= row.unit.lft <= unit.rght):
                            continue
                        for code in (grid.report_type.code, ""):
                            for metric, n in (
                                (M.REPORTS_EXPECTED, tally.expected),
                                (M.REPORTS_FILED, tally.filed),
                                (M.REPORTS_ON_TIME, tally.on_time),
                            ):
                                _set(expected, (unit.pk, None, granularity, start, metric, code), n, add=True)
    # A zero is no row; a closure rate of 0 % where hazards were found is a figure.
    return {key: value for key, value in expected.items() if value or key[4] == M.HAZARD_CLOSURE_RATE}


def _set(expected, key, n, add=False):
    value = Decimal(n or 0)
    expected[key] = expected.get(key, Decimal(0)) + value if add else value


def stored_rows(district: OrgUnit) -> dict[tuple, Decimal]:
    rows = Rollup.objects.filter(
        unit__tree_id=district.tree_id, unit__lft__gte=district.lft, unit__rght__lte=district.rght
    ).values_list("unit_id", "sector_id", "granularity", "period_start", "metric", "variant", "value")
    out = {}
    for *key, value in rows:
        assert tuple(key) not in out, f"a duplicate row: {key}"
        out[tuple(key)] = value
    return out

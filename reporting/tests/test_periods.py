"""When each report falls due over the whole 2019-02-14 – 2020-12-31 campaign, and
where on time ends: at midnight after the due day, Shanghai time."""

import datetime

import pytest

from reporting import services
from reporting.models import DueRule, Period, ReportType
from reporting.selectors import CellState, grids
from reporting.tests.conftest import WULIN, shanghai

pytestmark = pytest.mark.django_db

D = datetime.date

MONTH_ENDS = [
    ("2019-02", D(2019, 2, 14), D(2019, 2, 28)),  # the campaign starts mid-month: February still counts
    ("2019-03", D(2019, 3, 1), D(2019, 3, 31)),
    ("2019-04", D(2019, 4, 1), D(2019, 4, 30)),
    ("2019-05", D(2019, 5, 1), D(2019, 5, 31)),
    ("2019-06", D(2019, 6, 1), D(2019, 6, 30)),
    ("2019-07", D(2019, 7, 1), D(2019, 7, 31)),
    ("2019-08", D(2019, 8, 1), D(2019, 8, 31)),
    ("2019-09", D(2019, 9, 1), D(2019, 9, 30)),
    ("2019-10", D(2019, 10, 1), D(2019, 10, 31)),
    ("2019-11", D(2019, 11, 1), D(2019, 11, 30)),
    ("2019-12", D(2019, 12, 1), D(2019, 12, 31)),
    ("2020-01", D(2020, 1, 1), D(2020, 1, 31)),
    ("2020-02", D(2020, 2, 1), D(2020, 2, 29)),  # a leap year
    ("2020-03", D(2020, 3, 1), D(2020, 3, 31)),
    ("2020-04", D(2020, 4, 1), D(2020, 4, 30)),
    ("2020-05", D(2020, 5, 1), D(2020, 5, 31)),
    ("2020-06", D(2020, 6, 1), D(2020, 6, 30)),
    ("2020-07", D(2020, 7, 1), D(2020, 7, 31)),
    ("2020-08", D(2020, 8, 1), D(2020, 8, 31)),
    ("2020-09", D(2020, 9, 1), D(2020, 9, 30)),
    ("2020-10", D(2020, 10, 1), D(2020, 10, 31)),
    ("2020-11", D(2020, 11, 1), D(2020, 11, 30)),
    ("2020-12", D(2020, 12, 1), D(2020, 12, 31)),
]
QUARTER_ENDS = [
    ("2019-Q1", D(2019, 2, 14), D(2019, 3, 31)),
    ("2019-Q2", D(2019, 4, 1), D(2019, 6, 30)),
    ("2019-Q3", D(2019, 7, 1), D(2019, 9, 30)),
    ("2019-Q4", D(2019, 10, 1), D(2019, 12, 31)),
    ("2020-Q1", D(2020, 1, 1), D(2020, 3, 31)),
    ("2020-Q2", D(2020, 4, 1), D(2020, 6, 30)),
    ("2020-Q3", D(2020, 7, 1), D(2020, 9, 30)),
    ("2020-Q4", D(2020, 10, 1), D(2020, 12, 31)),
]
HALF_YEAR_ENDS = [
    ("2019-H1", D(2019, 2, 14), D(2019, 6, 30)),
    ("2019-H2", D(2019, 7, 1), D(2019, 12, 31)),
    ("2020-H1", D(2020, 1, 1), D(2020, 6, 30)),
    ("2020-H2", D(2020, 7, 1), D(2020, 12, 31)),
]
YEAR_ENDS = [("2019", D(2019, 2, 14), D(2019, 12, 31)), ("2020", D(2020, 1, 1), D(2020, 12, 31))]


def _calendar(campaign, code):
    return [
        (p.key, p.starts_on, p.due_on)
        for p in Period.objects.filter(campaign=campaign, report_type__code=code).order_by("starts_on")
    ]


@pytest.mark.parametrize(
    "code, expected",
    [
        ("monthly_item", MONTH_ENDS),
        ("quarterly_progress", QUARTER_ENDS),
        ("half_year_summary", HALF_YEAR_ENDS),
        ("annual_summary", YEAR_ENDS),
        # Once, at the start: the plan gives no date; 30 days after the campaign starts.
        ("work_plan", [("once", D(2019, 2, 14), D(2019, 3, 16))]),
    ],
)
def test_every_period_of_the_campaign_falls_due_on_its_last_day(campaign, code, expected):
    assert _calendar(campaign, code) == expected


def test_grace_days_move_every_due_date_and_a_fixed_date_moves_the_work_plan(campaign):
    quarterly = ReportType.objects.get(code="quarterly_progress")
    quarterly.grace_days = 10
    quarterly.save()
    assert [due for _key, _start, due in _calendar(campaign, "quarterly_progress")][:3] == [
        D(2019, 4, 10),
        D(2019, 7, 10),
        D(2019, 10, 10),
    ]
    plan = ReportType.objects.get(code="work_plan")
    plan.due_rule, plan.fixed_due_on = DueRule.FIXED_DATE, D(2019, 4, 30)
    plan.save()
    assert _calendar(campaign, "work_plan") == [("once", D(2019, 2, 14), D(2019, 4, 30))]


def test_a_campaign_that_moves_its_dates_gets_its_periods_again(campaign):
    campaign.starts_on = D(2019, 4, 1)
    campaign.save()
    keys = [key for key, _s, _d in _calendar(campaign, "monthly_item")]
    assert keys[0] == "2019-04" and len(keys) == 21


@pytest.mark.parametrize(
    "code, key, last_moment_on_time",
    [
        ("monthly_item", "2019-02", shanghai(2019, 2, 28, 23, 59, 59)),
        ("monthly_item", "2020-02", shanghai(2020, 2, 29, 23, 59, 59)),
        ("monthly_item", "2019-04", shanghai(2019, 4, 30, 23, 59, 59)),
        ("quarterly_progress", "2019-Q1", shanghai(2019, 3, 31, 23, 59, 59)),
        ("quarterly_progress", "2020-Q4", shanghai(2020, 12, 31, 23, 59, 59)),
        ("half_year_summary", "2020-H1", shanghai(2020, 6, 30, 23, 59, 59)),
        ("annual_summary", "2019", shanghai(2019, 12, 31, 23, 59, 59)),
        ("work_plan", "once", shanghai(2019, 3, 16, 23, 59, 59)),
    ],
)
def test_a_second_before_midnight_on_the_due_day_is_on_time_and_two_seconds_later_is_late(
    campaign, period, unit, filer, code, key, last_moment_on_time
):
    p = period(code, key)
    by = filer(WULIN)
    first = services.submission_start(by=by, unit=unit(WULIN), period=p, title="按时", body="正文")
    first = services.submission_submit(submission=first, by=by, at=last_moment_on_time)
    assert first.is_late is False
    if not p.report_type.allows_several:
        first.delete()
    second = services.submission_start(by=by, unit=unit(WULIN), period=p, title="迟报", body="正文")
    second = services.submission_submit(
        submission=second, by=by, at=last_moment_on_time + datetime.timedelta(seconds=2)
    )  # 00:00:01 the next day
    assert second.is_late is True


def test_the_deadline_is_shanghai_midnight_whatever_the_server_zone(campaign, period, unit, filer, settings):
    settings.TIME_ZONE = "UTC"
    p = period("monthly_item", "2019-03")
    # 2019-03-31 16:30 UTC is 2019-04-01 00:30 in Shanghai: late, though it is still the 31st in UTC.
    utc = datetime.UTC
    by = filer(WULIN)
    s = services.submission_start(by=by, unit=unit(WULIN), period=p, title="t", body="b")
    s = services.submission_submit(submission=s, by=by, at=datetime.datetime(2019, 3, 31, 16, 30, tzinfo=utc))
    assert s.is_late is True


def test_the_calendar_shows_the_edge_cases_as_on_time_and_late(campaign, period, unit, file_report):
    march, april = period("monthly_item", "2019-03"), period("monthly_item", "2019-04")
    file_report(WULIN, march, at=shanghai(2019, 3, 31, 23, 59, 59))
    file_report(WULIN, april, at=shanghai(2019, 5, 1, 0, 0, 1))
    monthly = ReportType.objects.get(code="monthly_item")
    grid = grids(campaign, [monthly], today=D(2021, 1, 1), units=[unit(WULIN)])[0]
    states = {cell.period.key: cell.state for cell in grid.rows[0].cells}
    assert states["2019-03"] == CellState.ON_TIME
    assert states["2019-04"] == CellState.LATE
    assert states["2019-05"] == CellState.MISSING

"""The periods a campaign's dashboards offer: its months up to today (or its last month), the
quarters and years holding them, named by their first day; anything else is no period."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import translation

from oversight.periods import Calendar, Period

D = datetime.date
PLAN = SimpleNamespace(starts_on=D(2019, 2, 14), ends_on=D(2020, 12, 31))


def test_an_ended_campaign_offers_its_months_quarters_and_years_to_its_last_month():
    calendar = Calendar.of(PLAN, D(2026, 12, 1))
    months = calendar.months
    assert months[0] == D(2019, 2, 1) and months[-1] == D(2020, 12, 1) and len(months) == 23
    assert calendar.default == Period("year", D(2020, 1, 1))  # the last year, to its last month
    # The quarter and year holding the first month start before the campaign does.
    assert calendar.periods("quarter")[-1] == Period("quarter", D(2019, 1, 1))
    assert [p.start for p in calendar.periods("year")] == [D(2020, 1, 1), D(2019, 1, 1)]
    assert not calendar.is_running(calendar.default)


def test_a_running_campaign_ends_its_months_with_this_one():
    campaign = SimpleNamespace(starts_on=D(2026, 1, 1), ends_on=D(2027, 12, 31))
    calendar = Calendar.of(campaign, D(2026, 7, 15))
    assert calendar.months[-1] == D(2026, 7, 1)
    assert calendar.default == Period("year", D(2026, 1, 1))  # this year, to date
    assert calendar.is_running(calendar.default)
    assert calendar.is_running(Period("quarter", D(2026, 7, 1)))
    assert not calendar.is_running(Period("quarter", D(2026, 4, 1)))
    assert calendar.parse("month:2026-08-01") is None  # not yet


@pytest.mark.parametrize(
    "value, period",
    [
        ("month:2020-03-01", Period("month", D(2020, 3, 1))),
        ("quarter:2019-01-01", Period("quarter", D(2019, 1, 1))),
        ("year:2020-01-01", Period("year", D(2020, 1, 1))),
        ("month:2019-01-01", None),  # before the campaign's first month
        ("month:2021-01-01", None),  # after its last
        ("quarter:2019-02-01", None),  # not a quarter's first day
        ("month:2020-03-15", None),
        ("month:2020-02-30", None),
        ("month:２０２０-03-01", None),
        ("day:2020-03-01", None),
        ("month:2020-03-01 ", None),
        (None, None),
        (["month:2020-03-01"], None),
    ],
)
def test_a_period_is_parsed_only_when_it_is_one_of_the_campaigns(value, period):
    assert Calendar.of(PLAN, D(2026, 12, 1)).parse(value) == period


def test_the_trend_is_at_most_24_months_ending_with_the_periods_last_month():
    calendar = Calendar.of(SimpleNamespace(starts_on=D(2019, 2, 14), ends_on=D(2030, 12, 31)), D(2026, 12, 1))
    months = calendar.trend_months(calendar.default)
    assert len(months) == 24 and months[-1] == D(2026, 12, 1) and months[0] == D(2025, 1, 1)
    assert calendar.trend_months(Period("quarter", D(2019, 1, 1))) == [D(2019, 2, 1), D(2019, 3, 1)]
    assert calendar.trend_months(Period("year", D(2026, 1, 1)))[-1] == D(2026, 12, 1)


def test_periods_are_named_in_the_readers_language():
    month, quarter, year = (
        Period("month", D(2020, 3, 1)),
        Period("quarter", D(2020, 7, 1)),
        Period("year", D(2020, 1, 1)),
    )
    with translation.override("zh-hans"):
        assert (month.label, quarter.label, year.label) == ("2020年3月", "2020年第3季度", "2020年")
    with translation.override("en"):
        assert (month.label, quarter.label, year.label) == ("March 2020", "Q3 2020", "2020")
    assert (month.end, quarter.end, year.end) == (D(2020, 3, 31), D(2020, 9, 30), D(2020, 12, 31))

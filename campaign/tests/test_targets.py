"""Progress toward the campaign's targets, measured from the register and the yearly values:
Decimal arithmetic, judged exactly; a missing figure is missing (None, named), never 0; "no
serious accident" holds only while the register holds none in the campaign's period.

The plan's campaign runs 2019-02-14 … 2020-12-31 against 2016."""

import datetime
from decimal import Decimal

import pytest

from campaign.models import Target
from campaign.services.accidents import yearly_value_set
from campaign.targets import target_progress
from campaign.tests.accident_fixtures import (
    DISTRICT,
    TIANSHUI,
    WULIN,
    ZHONGBEI,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

I = Target.Indicator  # noqa: E741


def by_indicator(progress):
    return {p.target.indicator: p for p in progress}


@pytest.fixture
def values(people, unit):
    """values(code, year, gdp=None, deaths=None): a yearly value with sources, set by the office."""

    def set_value(code, year, gdp=None, deaths=None):
        fields = {}
        if gdp is not None:
            fields |= {"gdp": Decimal(gdp), "gdp_source": "统计年鉴"}
        if deaths is not None:
            fields |= {"deaths_override": deaths, "deaths_source": "事故统计"}
        return yearly_value_set(by=people["office"], unit=unit(code), year=year, **fields)

    return set_value


def test_twenty_deaths_down_to_eleven_is_minus_45_percent_and_meets_minus_40(plan, unit, values):
    values(DISTRICT, 2016, gdp="900", deaths=20)
    values(DISTRICT, 2020, gdp="1100", deaths=11)
    deaths = by_indicator(target_progress(plan, unit(DISTRICT)))[I.DEATHS]
    assert (deaths.baseline, deaths.actual, deaths.change, deaths.met) == (
        Decimal(20),
        Decimal(11),
        Decimal("-45.0"),
        True,
    )
    assert (deaths.year, deaths.baseline_year, deaths.missing) == (2020, 2016, [])


@pytest.mark.parametrize(
    "baseline, actual, change, met",
    [
        (20, 12, "-40.0", True),  # exactly −40 % meets −40 %
        (20, 13, "-35.0", False),
        (2500, 1501, "-40.0", False),  # −39.96 % shows as −40.0 but is not −40 %
        (2500, 1500, "-40.0", True),
        (20, 25, "25.0", False),
        (3, 2, "-33.3", False),
        (0, 0, None, True),  # nothing to reduce from: met while there is still nothing
        (0, 1, None, False),
    ],
)
def test_change_is_rounded_to_a_tenth_but_the_target_is_judged_exactly(
    plan, unit, values, baseline, actual, change, met
):
    values(DISTRICT, 2016, deaths=baseline)
    values(DISTRICT, 2019, deaths=actual)
    deaths = by_indicator(target_progress(plan, unit(DISTRICT)))[I.DEATHS]
    assert deaths.change == (Decimal(change) if change else None)
    assert deaths.met is met


def test_deaths_per_gdp_divides_deaths_by_gdp_in_decimal(plan, unit, values):
    values(DISTRICT, 2016, gdp="900", deaths=20)  # 0.0222…
    values(DISTRICT, 2020, gdp="1000", deaths=10)  # 0.01: −55 % exactly
    per_gdp = by_indicator(target_progress(plan, unit(DISTRICT)))[I.DEATHS_PER_GDP]
    assert (per_gdp.baseline, per_gdp.actual) == (Decimal("0.0222"), Decimal("0.0100"))
    assert per_gdp.change == Decimal("-55.0") and per_gdp.met is True
    values(DISTRICT, 2020, gdp="999.99")
    per_gdp = by_indicator(target_progress(plan, unit(DISTRICT)))[I.DEATHS_PER_GDP]
    assert per_gdp.met is False  # a hair above −55 %


@pytest.mark.parametrize("missing_year", [2016, 2020])
def test_a_missing_gdp_leaves_the_per_gdp_target_missing_not_zero(plan, unit, values, missing_year):
    values(DISTRICT, 2016, gdp=None if missing_year == 2016 else "900", deaths=20)
    values(DISTRICT, 2020, gdp=None if missing_year == 2020 else "1100", deaths=11)
    progress = by_indicator(target_progress(plan, unit(DISTRICT)))
    per_gdp = progress[I.DEATHS_PER_GDP]
    assert per_gdp.change is None and per_gdp.met is None
    assert (per_gdp.baseline is None) == (missing_year == 2016)
    assert (per_gdp.actual is None) == (missing_year == 2020)
    assert per_gdp.missing == [f"GDP in {missing_year}"]
    # The deaths target does not need the GDP.
    assert progress[I.DEATHS].met is True


def test_a_baseline_with_no_figure_and_no_register_is_missing(plan, unit, values):
    values(DISTRICT, 2016, gdp="900")
    values(DISTRICT, 2020, gdp="1100", deaths=11)
    deaths = by_indicator(target_progress(plan, unit(DISTRICT)))[I.DEATHS]
    assert deaths.baseline is None and deaths.met is None and deaths.missing == ["deaths in 2016"]


def test_no_campaign_year_with_data_leaves_every_reduction_missing(plan, unit, values):
    values(DISTRICT, 2016, gdp="900", deaths=20)
    progress = by_indicator(target_progress(plan, unit(DISTRICT)))
    assert progress[I.DEATHS].actual is None and progress[I.DEATHS].met is None
    assert progress[I.DEATHS].year is None
    assert "figures for a year of the campaign" in progress[I.DEATHS].missing


def test_the_register_counts_the_deaths_of_a_campaign_year_under_the_unit(plan, unit, values, people, record):
    values(WULIN, 2016, deaths=5)
    values(WULIN, 2020, gdp="200")  # no figure: the register counts them
    record(people["office"], ZHONGBEI, deaths=2, occurred_on=datetime.date(2020, 3, 1))
    record(people["office"], WULIN, deaths=1, occurred_on=datetime.date(2020, 9, 1))
    record(people["office"], "330103003051", deaths=7, occurred_on=datetime.date(2020, 9, 1))  # Tianshui's
    deaths = by_indicator(target_progress(plan, unit(WULIN)))[I.DEATHS]
    assert (deaths.baseline, deaths.actual, deaths.change, deaths.year) == (
        Decimal(5),
        Decimal(3),
        Decimal("-40.0"),
        2020,
    )
    assert deaths.met is True
    # A campaign year with a value and no accident counts no death (the register is kept then).
    values(TIANSHUI, 2016, deaths=4)
    values(TIANSHUI, 2019, gdp="100")
    assert by_indicator(target_progress(plan, unit(TIANSHUI)))[I.DEATHS].year == 2020


def test_an_override_wins_over_the_register_and_the_baseline_may_come_from_the_register(
    plan, unit, values, people, record
):
    record(people["office"], ZHONGBEI, deaths=4, occurred_on=datetime.date(2016, 6, 1))
    record(people["office"], ZHONGBEI, deaths=1, occurred_on=datetime.date(2019, 6, 1))
    values(WULIN, 2019, deaths=2)  # the statistics count one more than the register
    deaths = by_indicator(target_progress(plan, unit(WULIN)))[I.DEATHS]
    assert (deaths.baseline, deaths.actual, deaths.change) == (Decimal(4), Decimal(2), Decimal("-50.0"))


def test_the_latest_campaign_year_with_data_is_the_actual_one(plan, unit, values, people, record):
    values(DISTRICT, 2016, deaths=20)
    values(DISTRICT, 2019, deaths=15)
    assert by_indicator(target_progress(plan, unit(DISTRICT)))[I.DEATHS].year == 2019
    record(people["office"], ZHONGBEI, deaths=1, occurred_on=datetime.date(2020, 1, 5))
    deaths = by_indicator(target_progress(plan, unit(DISTRICT)))[I.DEATHS]
    assert (deaths.year, deaths.actual) == (2020, Decimal(1))


def test_a_serious_accident_in_the_campaign_makes_no_serious_accident_not_met(plan, unit, values, people, record):
    values(DISTRICT, 2016, deaths=20)
    record(people["office"], ZHONGBEI, deaths=2, occurred_on=datetime.date(2019, 5, 1))
    # Before the campaign began (14 February 2019), in its first year: not the campaign's.
    record(people["office"], ZHONGBEI, deaths=12, occurred_on=datetime.date(2019, 2, 13))
    serious = by_indicator(target_progress(plan, unit(DISTRICT)))[I.SERIOUS_ACCIDENTS]
    assert (serious.actual, serious.met, serious.missing) == (Decimal(0), True, [])
    record(people["office"], ZHONGBEI, deaths=0, serious_injuries=50, occurred_on=datetime.date(2020, 11, 30))
    serious = by_indicator(target_progress(plan, unit(DISTRICT)))[I.SERIOUS_ACCIDENTS]
    assert (serious.actual, serious.met) == (Decimal(1), False)
    # Under the street where it happened too; not under its sibling.
    assert by_indicator(target_progress(plan, unit(WULIN)))[I.SERIOUS_ACCIDENTS].met is False
    assert by_indicator(target_progress(plan, unit(TIANSHUI)))[I.SERIOUS_ACCIDENTS].met is True


def test_progress_costs_three_queries(plan, unit, values, people, record, django_assert_num_queries):
    values(DISTRICT, 2016, gdp="900", deaths=20)
    values(DISTRICT, 2020, gdp="1100")
    record(people["office"], ZHONGBEI, occurred_on=datetime.date(2020, 4, 1))
    district = unit(DISTRICT)
    # The targets, the unit's yearly values, the register's accidents under the unit by year.
    with django_assert_num_queries(3):
        progress = target_progress(plan, district)
    assert len(progress) == 3

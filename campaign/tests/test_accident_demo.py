"""The demo's register and yearly values: a plausible 2016 baseline, every year since, and this year,
recorded through the services; general accidents only, none in the future; loading again
writes nothing."""

import datetime
from decimal import Decimal

import pytest

from campaign.demo_accidents import ACCIDENTS, load_demo_figures
from campaign.models import Accident, AccidentGrade, Target, YearlyValue
from campaign.targets import target_progress
from campaign.tests.accident_fixtures import DISTRICT, WULIN

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", [datetime.date(2026, 12, 1), datetime.date(2026, 1, 3)])
def test_the_demo_figures_load_once_and_measure_the_plans_targets(plan, unit, people, today):
    load_demo_figures(district=unit(DISTRICT), today=today, by=people["office"])
    counts = (Accident.history.count(), YearlyValue.history.count())
    load_demo_figures(district=unit(DISTRICT), today=today, by=people["office"])
    assert (Accident.history.count(), YearlyValue.history.count()) == counts

    baseline = YearlyValue.objects.get(unit=unit(DISTRICT), year=2016)
    assert (baseline.gdp, baseline.gdp_source, baseline.deaths_override) == (Decimal("905.6"), "下城区统计年鉴2017", 20)
    # The district and its eight streets, for 2016, 2019, 2020 and this year.
    assert YearlyValue.objects.filter(year__in=[2016, 2019, 2020, today.year]).count() == 4 * 9
    assert (
        sum(
            YearlyValue.objects.filter(year=2016).exclude(unit=unit(DISTRICT)).values_list("deaths_override", flat=True)
        )
        == 20
    )

    # Every year from the baseline to last year, for the district and each street, with sources;
    # the deaths falling toward the targets (−40 %, −55 % per 100 million yuan of GDP).
    district_years = YearlyValue.objects.filter(unit=unit(DISTRICT), year__lt=today.year).order_by("year")
    assert [v.year for v in district_years] == list(range(2016, today.year))
    assert YearlyValue.objects.filter(year__lt=today.year).count() == 9 * (today.year - 2016)
    assert all(v.gdp_source and v.deaths_source for v in YearlyValue.objects.filter(year__lt=today.year))
    deaths = [v.deaths_override for v in district_years]
    gdp = [v.gdp for v in district_years]
    assert deaths[-1] <= 20 * 0.6 < deaths[0] and gdp == sorted(gdp)
    assert deaths[-1] / gdp[-1] <= Decimal("0.45") * deaths[0] / gdp[0]

    accidents = list(Accident.objects.all())
    assert len(accidents) == len(ACCIDENTS)
    assert {a.grade for a in accidents} == {AccidentGrade.GENERAL}
    assert all(datetime.date(today.year, 1, 1) <= a.occurred_on <= today for a in accidents)
    assert {a.history.get().history_user.username for a in accidents} == {"office"}

    progress = {p.target.indicator: p for p in target_progress(plan, unit(DISTRICT))}
    assert progress[Target.Indicator.DEATHS].change == Decimal("-50.0")
    assert all(p.met for p in progress.values())
    assert all(p.missing == [] for p in target_progress(plan, unit(WULIN)))

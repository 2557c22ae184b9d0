"""The calendar page builds the grid of the one report type it shows (of five), cell by cell;
its tabs give every type's district rates all the same, the very figures that type's own
page shows."""

import datetime

import pytest
from django.urls import reverse

from districts.models import OrgUnit
from districts.second_factor import force_login_verified
from reporting import selectors
from reporting.models import ReportType
from reporting.tests.conftest import EMERGENCY, TIANSHUI, WULIN, shanghai

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def reports(campaign, period, unit, file_report):
    """Reports of three types, on time, late, accepted and returned; and a street set up in
    mid-campaign, which owes only the periods that end after that day."""
    OrgUnit.objects.create(
        code="330103097",
        name="新设街道",
        kind=OrgUnit.Kind.STREET,
        parent=unit("330103"),
        established_on=D(2019, 5, 10),
    )
    file_report(WULIN, period("monthly_item", "2019-02"), at=shanghai(2019, 2, 20, 10), review="accept")
    file_report(WULIN, period("monthly_item", "2019-03"), at=shanghai(2019, 4, 2, 10))  # late
    file_report(TIANSHUI, period("monthly_item", "2019-03"), at=shanghai(2019, 3, 20, 10), review="return")
    file_report(EMERGENCY, period("monthly_item", "2019-05"), at=shanghai(2019, 5, 30, 10))
    file_report(WULIN, period("quarterly_progress", "2019-Q2"), at=shanghai(2019, 7, 3, 10))
    file_report(TIANSHUI, period("quarterly_progress", "2019-Q2"), at=shanghai(2019, 7, 30, 10))  # late
    file_report(EMERGENCY, period("annual_summary", "2019"), at=shanghai(2019, 12, 20, 10), review="accept")
    file_report("330103097", period("monthly_item", "2020-03"), at=shanghai(2020, 4, 8, 10))  # late


def _figures(tally):
    return tally.expected, tally.filed, tally.on_time


@pytest.mark.parametrize("today", [D(2019, 7, 15), D(2020, 1, 20), D(2021, 6, 1)])
@pytest.mark.parametrize("year", [None, 2019, 2020])
def test_the_tabs_give_each_type_the_rates_its_own_grid_has(campaign, reports, today, year):
    types = list(ReportType.objects.all())
    assert len(types) == 5
    full = {g.report_type.pk: _figures(g.total) for g in selectors.grids(campaign, types, today=today, year=year)}
    if today.year > (year or 0):  # the figures are not all nought (once the year is over)
        assert any(filed for _e, filed, _o in full.values())
    for shown in types:
        page = selectors.calendar(campaign, types, shown, today=today, year=year)
        assert page.grid.report_type == shown
        assert _figures(page.grid.total) == full[shown.pk]
        assert [t.report_type for t in page.totals] == types
        assert {t.report_type.pk: _figures(t.total) for t in page.totals} == full


def test_the_calendar_builds_the_cells_of_the_type_it_shows_and_no_other(client, office, reports, monkeypatch):
    built = []
    cell = selectors._cell

    def counting(unit, period, counts, today):
        built.append(period.report_type.code)
        return cell(unit, period, counts, today)

    monkeypatch.setattr(selectors, "_cell", counting)
    force_login_verified(client, office)
    response = client.get(reverse("report_calendar"), {"type": "quarterly_progress"})
    grid = response.context["grid"]
    assert grid.report_type.code == "quarterly_progress"
    # The plan's campaign: 8 streets, 7 departments and the new street × its 8 quarters.
    assert set(built) == {"quarterly_progress"}
    assert len(built) == len(grid.rows) * len(grid.periods) == 16 * 8
    # Yet every tab has its rates: the annual summary: one report, on time, of 32 owed.
    tabs = response.content.decode().split('data-testid="summary"')[1].split('<h2 class="h6">')[0]
    assert tabs.count("card-body") == 5
    annual = next(t for t in response.context["summary"] if t.report_type.code == "annual_summary")
    assert _figures(annual.total) == (16 * 2, 1, 1)  # 2019 and 2020: the new street owes both years

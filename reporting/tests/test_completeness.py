"""报送率 (units that filed ÷ units expected) and 及时率 (filed by the due date ÷ expected),
per unit, per period, per street and for the district, counted over periods whose due
day is over. A unit counts only for the periods it existed at the end of, set up before
the last day."""

import datetime

import pytest

from districts.models import OrgUnit, Role
from reporting import services
from reporting.models import ReportType
from reporting.selectors import CellState, grids
from reporting.tests.conftest import EMERGENCY, TIANSHUI, WULIN, shanghai

pytestmark = pytest.mark.django_db

D = datetime.date
STREETS, DEPARTMENTS = 8, 7


@pytest.fixture
def monthly(campaign):
    return ReportType.objects.get(code="monthly_item")


def _row(grid, code):
    return next(row for row in grid.rows if row.unit.code == code)


def _states(row):
    return {cell.period.key: cell.state for cell in row.cells}


def test_a_units_rates_count_each_due_month_once(campaign, monthly, period, unit, filer, file_report, office):
    file_report(WULIN, period("monthly_item", "2019-02"), at=shanghai(2019, 2, 20, 10))  # on time
    file_report(WULIN, period("monthly_item", "2019-03"), at=shanghai(2019, 4, 2, 10))  # late
    april = period("monthly_item", "2019-04")
    file_report(WULIN, april, at=shanghai(2019, 4, 10, 10), review="accept")  # two items in April…
    file_report(WULIN, april, at=shanghai(2019, 4, 28, 10))  # …count once
    file_report(WULIN, period("monthly_item", "2019-05"), at=shanghai(2019, 5, 30, 10), review="return")
    # June: nothing. July: sent early, but July is not over on 15 July.
    file_report(WULIN, period("monthly_item", "2019-07"), at=shanghai(2019, 7, 3, 10))

    grid = grids(campaign, [monthly], today=D(2019, 7, 15))[0]
    row = _row(grid, WULIN)
    states = _states(row)
    assert [states[k] for k in ("2019-02", "2019-03", "2019-04", "2019-05", "2019-06", "2019-07", "2019-08")] == [
        CellState.ON_TIME,
        CellState.LATE,
        CellState.ON_TIME,
        CellState.RETURNED,
        CellState.MISSING,
        CellState.ON_TIME,
        CellState.NOT_DUE,
    ]
    april_cell = next(c for c in row.cells if c.period.key == "2019-04")
    assert april_cell.filed == 2 and april_cell.link is None  # two reports: the cell opens the list
    # Feb–Jun are due: 5 expected; filed Feb, Mar, Apr; on time Feb, Apr.
    assert (row.tally.expected, row.tally.filed, row.tally.on_time) == (5, 3, 2)
    assert row.tally.completeness == pytest.approx(0.6)
    assert row.tally.timeliness == pytest.approx(0.4)
    # The district: 15 units × 5 due months; only Wulin filed.
    assert (grid.total.expected, grid.total.filed, grid.total.on_time) == ((STREETS + DEPARTMENTS) * 5, 3, 2)
    april_column = grid.columns[[p.key for p in grid.periods].index("2019-04")]
    assert (april_column.expected, april_column.filed, april_column.on_time) == (15, 1, 1)


def test_a_returned_report_sent_again_counts_as_filed_when_it_was_first_sent(
    campaign, monthly, period, office, filer, file_report
):
    report = file_report(WULIN, period("monthly_item", "2019-02"), at=shanghai(2019, 2, 27, 10), review="return")
    services.submission_save(submission=report, by=filer(WULIN), title="补充后", body="补充了数据。")
    services.submission_submit(submission=report, by=filer(WULIN), at=shanghai(2019, 3, 5, 10))
    grid = grids(campaign, [monthly], today=D(2019, 3, 10))[0]
    row = _row(grid, WULIN)
    assert _states(row)["2019-02"] == CellState.ON_TIME
    assert (row.tally.expected, row.tally.filed, row.tally.on_time) == (1, 1, 1)


def test_units_that_join_or_leave_mid_campaign_count_only_for_their_periods(
    campaign, monthly, period, unit, make_user, file_report
):
    district = unit("330103")
    new_street = OrgUnit.objects.create(
        code="330103099", name="新设街道", kind=OrgUnit.Kind.STREET, parent=district, established_on=D(2019, 6, 15)
    )
    OrgUnit.objects.filter(code=TIANSHUI).update(dissolved_on=D(2019, 5, 1))
    file_report("330103099", period("monthly_item", "2019-06"), at=shanghai(2019, 6, 20, 9))
    file_report("330103099", period("monthly_item", "2019-07"), at=shanghai(2019, 7, 20, 9))

    grid = grids(campaign, [monthly], today=D(2019, 9, 15))[0]  # Feb–Aug are due: 7 months
    new_row, gone_row = _row(grid, new_street.code), _row(grid, TIANSHUI)
    assert [_states(new_row)[k] for k in ("2019-05", "2019-06", "2019-07", "2019-08")] == [
        CellState.NOT_OWED,
        CellState.ON_TIME,
        CellState.ON_TIME,
        CellState.MISSING,
    ]
    assert (new_row.tally.expected, new_row.tally.filed) == (3, 2)  # June (it existed on the 30th), July, August
    assert [_states(gone_row)[k] for k in ("2019-04", "2019-05")] == [CellState.MISSING, CellState.NOT_OWED]
    assert gone_row.tally.expected == 3  # February, March, April
    # The district: 14 units for all 7 months, the new street for 3, Tianshui for 3.
    assert grid.total.expected == (STREETS + DEPARTMENTS - 1) * 7 + 3 + 3
    # The new street may not file for a month before it existed.
    with pytest.raises(services.ValidationError):
        file_report("330103099", period("monthly_item", "2019-05"), at=shanghai(2019, 5, 20, 9))


def test_a_unit_set_up_on_a_periods_last_day_does_not_owe_that_period(campaign, monthly, period, unit, file_report):
    district = unit("330103")
    for code, day in (("330103097", D(2019, 6, 29)), ("330103099", D(2019, 6, 30))):
        OrgUnit.objects.create(code=code, name=code, kind=OrgUnit.Kind.STREET, parent=district, established_on=day)
    grid = grids(campaign, [monthly], today=D(2019, 9, 15))[0]
    assert [_states(_row(grid, "330103097"))[k] for k in ("2019-06", "2019-07")] == [CellState.MISSING] * 2
    assert [_states(_row(grid, "330103099"))[k] for k in ("2019-06", "2019-07")] == [
        CellState.NOT_OWED,
        CellState.MISSING,
    ]
    with pytest.raises(services.ValidationError):
        file_report("330103099", period("monthly_item", "2019-06"), at=shanghai(2019, 6, 30, 18))


def test_a_unit_set_up_after_the_campaign_ended_is_not_on_the_calendar(campaign, monthly, unit):
    OrgUnit.objects.create(
        code="330103098", name="更晚街道", kind=OrgUnit.Kind.STREET, parent=unit("330103"), established_on=D(2021, 3, 1)
    )
    grid = grids(campaign, [monthly], today=D(2021, 6, 1))[0]
    assert "330103098" not in [row.unit.code for row in grid.rows]
    assert len(grid.rows) == STREETS + DEPARTMENTS


def test_community_reports_roll_up_to_their_street_and_the_district(campaign, unit, make_user, period):
    community_monthly = ReportType.objects.create(
        code="community_item", name="社区信息", name_en="Community item", period_kind="month", filer_kinds=["community"]
    )
    march = period("community_item", "2019-03")
    feb = period("community_item", "2019-02")
    # Wulin's street staff file for two of its seven communities; a community's own staff for a third.
    street = make_user(Role.STREET_STAFF, unit(WULIN))
    for code, when in (("330103002051", shanghai(2019, 3, 30, 9)), ("330103002052", shanghai(2019, 4, 3, 9))):
        s = services.submission_start(by=street, unit=unit(code), period=march, title="t", body="b")
        services.submission_submit(submission=s, by=street, at=when)
    own = make_user(Role.COMMUNITY_STAFF, unit("330103002053"))
    s = services.submission_start(by=own, unit=unit("330103002053"), period=feb, title="t", body="b")
    services.submission_submit(submission=s, by=own, at=shanghai(2019, 2, 25, 9))

    grid = grids(campaign, [community_monthly], today=D(2019, 4, 15))[0]  # February and March are due
    wulin = next(g for g in grid.groups if g.unit and g.unit.code == WULIN)
    assert len(wulin.rows) == 7 and all(row.depth == 1 for row in wulin.rows)
    assert (wulin.tally.expected, wulin.tally.filed, wulin.tally.on_time) == (14, 3, 2)
    communities = OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMUNITY).count()
    assert (grid.total.expected, grid.total.filed, grid.total.on_time) == (communities * 2, 3, 2)
    # Streets and departments are not asked for this report.
    assert {row.unit.kind for row in grid.rows} == {"community"}
    tianshui = next(g for g in grid.groups if g.unit and g.unit.code == TIANSHUI)
    assert tianshui.tally.filed == 0 and tianshui.tally.expected == 2 * len(tianshui.rows)


def test_rates_are_blank_before_anything_is_due(campaign, monthly, unit):
    grid = grids(campaign, [monthly], today=D(2019, 2, 20), units=[unit(WULIN), unit(EMERGENCY)])[0]
    assert grid.total.expected == 0
    assert grid.total.completeness is None and grid.total.timeliness is None
    assert {c.state for row in grid.rows for c in row.cells} == {CellState.NOT_DUE}

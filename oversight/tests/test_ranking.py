"""The ranking a bulletin freezes (oversight.ranking): its figures are the rollups' (and equal a
fresh count of the records), its rates follow 报送率/及时率's arithmetic, and its order follows the
campaign's weights, with ties sharing a rank and streets and departments ranked apart."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import Round, Run, RunStatus, Template
from assessments.selectors import published_scores
from districts.models import OrgUnit, SectorLead
from hazards.models import Hazard
from oversight.models import Granularity, RankingWeights
from oversight.periods import add_months, month_end
from oversight.ranking import ranking, total_of
from oversight.rollups import rebuild
from oversight.selectors import percent
from oversight.tests.factories import built, figures
from oversight.tests.test_property import _load, records
from reporting.models import Adoption, ReportType, Submission
from reporting.selectors import grids

MONTH = (Granularity.MONTH,)
DAY = datetime.timedelta(days=1)


class _Rollback(Exception):
    pass


def _month(world, i: int) -> datetime.date:
    return add_months(world.start.replace(day=1), i)


def _rank(world, first: int, last: int):
    """The ranking over the campaign's months `first` to `last` (0: its first month)."""
    return ranking(campaign=world.campaign, start=_month(world, first), end=month_end(_month(world, last)))


def _row(rows, unit):
    return next(r for r in rows if r.unit_id == unit.pk)


# ---------------------------------------------------------------- a fresh count of the records


def _in(unit: OrgUnit):
    return {"unit__tree_id": unit.tree_id, "unit__lft__gte": unit.lft, "unit__rght__lte": unit.rght}


def _fresh_hazards(world, holder, first: datetime.date, end: datetime.date, sectors=None) -> dict:
    """The hazard figures of `holder`'s subtree (in `sectors`, if given), from the records' own querysets."""
    since = world.at(first, 0).replace(hour=0)
    until = world.at(end + DAY, 0).replace(hour=0)
    hz = Hazard.objects.filter(**_in(holder))
    if sectors is not None:
        hz = hz.filter(sector__in=sectors)
    found_by, closed_by = hz.found_by(end).count(), hz.closed_by(end).count()
    return {
        "hazards_found": hz.counted().filter(found_at__gte=since, found_at__lt=until).count(),
        "hazards_closed_on_time": hz.closed_on_time().filter(closed_at__gte=since, closed_at__lt=until).count(),
        "hazards_overdue": hz.overdue_at(end).count(),
        "major_hazards_listed_open": hz.listed_open_at(end).count(),
        "closure_rate": percent(closed_by, found_by),
    }


def _fresh_reports(world, unit, first: datetime.date, end: datetime.date) -> dict:
    """Reports expected, filed and on time of `unit`'s subtree, by reporting's own calendar."""
    expected = filed = on_time = 0
    for grid in grids(world.campaign, list(ReportType.objects.all()), today=world.today):
        for row in grid.rows:
            if not (row.unit.tree_id == unit.tree_id and unit.lft <= row.unit.lft <= unit.rght):
                continue
            for cell in row.cells:
                if first <= cell.period.due_on <= end:
                    tally = cell.tally(world.today)
                    expected, filed, on_time = expected + tally.expected, filed + tally.filed, on_time + tally.on_time
    return {
        "reports_expected": expected,
        "reports_filed": filed,
        "reports_on_time": on_time,
        "filing_rate": percent(filed, expected),
        "on_time_rate": percent(on_time, expected),
    }


def test_the_ranking_equals_a_fresh_count_of_the_records(world):
    """Random records; a ranking over the campaign's second to fifth month (a quarter's border
    inside): every street's and department's figures equal the records counted afresh."""
    span = (world.today - world.start).days
    SectorLead.objects.create(district=world.district, sector=world.sectors[0], department=world["p"])
    first, last = _month(world, 1), _month(world, 4)
    end = month_end(last)

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=records(span))
    def check(data):
        try:
            with transaction.atomic():
                _load(world, data)
                rebuild(world.district, full=True)
                result = ranking(campaign=world.campaign, start=first, end=end)
                for name in ("A", "B"):
                    row = _row(result.streets, world[name])
                    fresh = _fresh_hazards(world, world[name], first, end)
                    fresh.update(_fresh_reports(world, world[name], first, end))
                    assert {k: getattr(row, k) for k in fresh} == fresh, name
                p = _row(result.departments, world["p"])
                fresh = {
                    **_fresh_hazards(world, world.district, first, end, sectors=[world.sectors[0]]),
                    **_fresh_reports(world, world["p"], first, end),
                }
                assert {k: getattr(p, k) for k in fresh} == fresh
                # q leads no sector: no hazards, no closure rate; its own reports all the same.
                q = _row(result.departments, world["q"])
                assert (q.hazards_found, q.hazards_overdue, q.closure_rate) == (0, 0, None)
                assert q.reports_expected == _fresh_reports(world, world["q"], first, end)["reports_expected"]
                raise _Rollback
        except _Rollback:
            pass

    check()


def test_the_ranking_reads_the_rollups_not_the_records_in_few_queries(world):
    figures(world["A"], _month(world, 1), granularities=MONTH, reports_expected=2, reports_filed=2)
    built(world.district)
    with CaptureQueriesContext(connection) as queries:
        _rank(world, 0, 4)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    for table in (Hazard._meta.db_table, Submission._meta.db_table + '"', "reporting_period"):
        assert f'FROM "{table.strip(chr(34))}"' not in sql, table
    # units, sector leads, weights, rollup rows, adoptions (with their reports' periods), assessments
    assert len(queries) == 6


# ---------------------------------------------------------------- arithmetic


def test_filing_and_on_time_rates_are_percent_of_the_reports_expected(world):
    for i in (1, 2, 3):
        figures(world["A"], _month(world, i), granularities=MONTH, reports_expected=1, reports_filed=1 if i < 3 else 0)
    figures(world["A"], _month(world, 1), granularities=MONTH, reports_on_time=1)
    built(world.district)
    row = _row(_rank(world, 1, 3).streets, world["A"])
    assert (row.reports_expected, row.reports_filed, row.reports_on_time) == (3, 2, 1)
    assert (row.filing_rate, row.on_time_rate) == (Decimal("66.7"), Decimal("33.3"))


@settings(max_examples=200, deadline=None)
@given(expected=st.integers(0, 10_000), data=st.data())
def test_rates_are_rounded_half_up_to_a_tenth_and_none_without_a_denominator(expected, data):
    filed = data.draw(st.integers(0, expected))
    rate = percent(filed, expected)
    if expected == 0:
        assert rate is None
    else:
        tenths = math.floor(Fraction(filed * 1000, expected) + Fraction(1, 2))  # half up, exactly
        assert rate == Decimal(tenths) / 10
        assert Decimal(0) <= rate <= Decimal(100)


def test_a_unit_that_filed_nothing_shows_zero_percent_filed_not_a_dash(world):
    figures(world["B"], _month(world, 2), granularities=MONTH, reports_expected=2)
    built(world.district)
    row = _row(_rank(world, 2, 2).streets, world["B"])
    assert (row.reports_expected, row.reports_filed, row.filing_rate, row.on_time_rate) == (
        2,
        0,
        Decimal("0.0"),
        Decimal("0.0"),
    )
    # Nothing expected at all: no rate (shown "—"), not 0 %.
    row = _row(_rank(world, 3, 3).streets, world["B"])
    assert row.filing_rate is None


def test_stocks_are_read_at_the_period_end_and_flows_summed_over_its_months(world):
    for i, (found, overdue) in enumerate([(3, 1), (2, 4), (5, 2)]):
        figures(world["A"], _month(world, i), granularities=MONTH, hazards_found=found, hazards_overdue=overdue)
    built(world.district)
    row = _row(_rank(world, 0, 1).streets, world["A"])
    assert (row.hazards_found, row.hazards_overdue) == (5, 4)


def test_the_total_is_the_weighted_mean_of_the_known_rates_plus_adoption_points_less_overdue():
    weights = {"filing": 1, "on_time": 3, "closure": 1, "assessment": 1, "adoption": 2, "overdue": Decimal("0.5")}
    weights = {k: Decimal(v) for k, v in weights.items()}
    rates = {"filing": Decimal(100), "on_time": Decimal(50), "closure": None, "assessment": Decimal(80)}
    # (100·1 + 50·3 + 80·1) / 5 = 66, + 2·1.5 − 0.5·4 = 67
    assert total_of(rates, Decimal("1.5"), 4, weights) == Decimal("67.00")


# ---------------------------------------------------------------- order


def _street(world, name: str) -> OrgUnit:
    return OrgUnit.objects.create(code=f"T990{name}", name=name, kind=OrgUnit.Kind.STREET, parent=world.district)


def test_equal_totals_share_a_rank_and_the_next_rank_skips(world):
    c = _street(world, "C")
    month = _month(world, 1)
    for unit, filed in ((world["A"], 2), (world["B"], 2), (c, 1)):
        figures(unit, month, granularities=MONTH, reports_expected=2, reports_filed=filed)
    built(world.district)
    rows = ranking(campaign=world.campaign, start=month, end=month_end(month)).streets
    assert [(r.unit_name, r.rank) for r in rows] == [("A", 1), ("B", 1), ("C", 3)]


def test_streets_and_departments_rank_in_separate_tables(world):
    month = _month(world, 1)
    figures(world["p"], month, granularities=MONTH, reports_expected=1, reports_filed=1, reports_on_time=1)
    figures(world["A"], month, granularities=MONTH, reports_expected=1)
    built(world.district)
    result = ranking(campaign=world.campaign, start=month, end=month_end(month))
    assert {r.unit_name for r in result.streets} == {"A", "B"}
    assert {r.unit_kind for r in result.streets} == {"street"}
    assert [(r.unit_name, r.rank) for r in result.departments] == [("p", 1), ("q", 2)]
    # A filed 0 % and B owed nothing (no rate: a mean of 0): equal, whatever the departments do.
    assert [r.rank for r in result.streets] == [1, 1]


def test_the_campaigns_weights_change_the_order(world):
    month = _month(world, 1)
    SectorLead.objects.create(district=world.district, sector=world.sectors[0], department=world["p"])
    # A files everything but closes little; B files half and closes everything.
    figures(world["A"], month, granularities=MONTH, reports_expected=2, reports_filed=2, reports_on_time=2)
    figures(world["A"], month, granularities=MONTH, hazards_found_to_date=10, hazards_closed_to_date=5)
    figures(world["B"], month, granularities=MONTH, reports_expected=2, reports_filed=1, reports_on_time=1)
    figures(world["B"], month, granularities=MONTH, hazards_found_to_date=10, hazards_closed_to_date=10)
    built(world.district)

    def order():
        result = ranking(campaign=world.campaign, start=month, end=month_end(month))
        return [r.unit_name for r in result.streets], result.weights

    names, weights = order()
    assert names == ["A", "B"]  # (100 + 100 + 50) / 3 against (50 + 50 + 100) / 3
    assert weights["closure"] == "1"
    RankingWeights.objects.create(campaign=world.campaign, closure=Decimal(5))
    names, weights = order()
    assert names == ["B", "A"]
    assert weights["closure"] == "5.00"


def test_a_vetoed_unit_ranks_last_whatever_its_total(world):
    month = _month(world, 1)
    figures(world["A"], month, granularities=MONTH, reports_expected=1, reports_filed=1, reports_on_time=1)
    figures(world["B"], month, granularities=MONTH, reports_expected=1)
    _published_run(world, world["A"], score=Decimal("95"), ends_on=month_end(month), vetoed=True)
    built(world.district)
    rows = ranking(campaign=world.campaign, start=month, end=month_end(month)).streets
    assert [(r.unit_name, r.rank, r.vetoed) for r in rows] == [("B", 1, False), ("A", 2, True)]


# ---------------------------------------------------------------- adoption and assessment


def _published_run(world, unit, *, score, ends_on, vetoed=False, status=RunStatus.PUBLISHED) -> Run:
    template, _ = Template.objects.get_or_create(code="t", version=1, defaults={"name": "细则"})
    team = OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM).first() or OrgUnit.objects.create(
        code=f"T990T{Round.objects.count()}", name="巡查组", kind=OrgUnit.Kind.TEAM, parent=world.district
    )
    round_ = Round.objects.create(
        campaign=world.campaign,
        template=template,
        name=f"第{Round.objects.count() + 1}轮",
        period_start=ends_on.replace(day=1),
        period_end=ends_on,
        team=team,
        created_by=world.user,
    )
    return Run.objects.create(
        round=round_, unit=unit, status=status, score=score, vetoed=vetoed, published_at=timezone.now()
    )


def test_the_latest_published_assessment_of_the_period_is_read(world):
    first, second = month_end(_month(world, 1)), month_end(_month(world, 2))
    _published_run(world, world["A"], score=Decimal("70.5"), ends_on=first)
    _published_run(world, world["A"], score=Decimal("88.25"), ends_on=second)
    _published_run(world, world["B"], score=Decimal("99"), ends_on=second, status=RunStatus.REVIEWED)
    _published_run(world, world["B"], score=Decimal("60"), ends_on=month_end(_month(world, 4)))
    built(world.district)
    result = ranking(campaign=world.campaign, start=_month(world, 0), end=second)
    assert _row(result.streets, world["A"]).assessment_score == Decimal("88.25")
    assert _row(result.streets, world["B"]).assessment_score is None  # not published; the other after the period
    assert published_scores(unit_ids=[world["A"].pk], start=first, end=first) == {
        world["A"].pk: (Decimal("70.50"), False)
    }


@pytest.fixture
def adopt(world):
    from reporting.models import Period

    def make(unit, month_index: int, level: str, points: str, *, withdrawn: bool = False) -> Adoption:
        period = Period.objects.get(
            campaign=world.campaign, report_type__code="monthly_item", starts_on=_month(world, month_index)
        )
        sent = world.at(period.due_on)
        submission = Submission.objects.create(
            unit=unit,
            period=period,
            status="accepted",
            created_by=world.user,
            first_submitted_at=sent,
            submitted_at=sent,
        )
        return Adoption.objects.create(
            submission=submission,
            level=level,
            points=Decimal(points),
            adopted_by=world.user,
            adopted_at=sent,
            withdrawn_at=sent if withdrawn else None,
            withdraw_reason="误标" if withdrawn else "",
        )

    return make


def test_adopted_items_and_their_points_are_counted_by_the_reports_period(world, adopt):
    first = adopt(world["a1"], 1, "district", "1")  # a community's report counts for its street
    Adoption.objects.create(
        submission=first.submission,
        level="city",
        points=Decimal("2.5"),
        adopted_by=world.user,
        adopted_at=first.adopted_at,
    )
    adopt(world["A"], 2, "province", "3")
    adopt(world["A"], 2, "district", "1", withdrawn=True)  # withdrawn: no more
    adopt(world["A"], 4, "province", "3")  # after the period
    adopt(world["p"], 1, "city", "2")
    built(world.district)
    result = _rank(world, 1, 3)
    a = _row(result.streets, world["A"])
    assert (a.adopted, a.adoption_points) == (2, Decimal("6.5"))
    assert (_row(result.streets, world["B"]).adopted, _row(result.streets, world["B"]).adoption_points) == (0, 0)
    p = _row(result.departments, world["p"])
    assert (p.adopted, p.adoption_points) == (1, Decimal("2"))
    # The points go into the total: A has no rate at all, so its total is its points.
    assert a.total == Decimal("6.50")


# ---------------------------------------------------------------- the weights, set by the office


def test_the_office_sets_the_weights_with_history_and_others_may_not(world):
    from django.core.exceptions import PermissionDenied, ValidationError

    from districts.models import Membership, Role, User
    from oversight.services import ranking_weights_set

    office = User.objects.create_user(username="weights-office")
    Membership.objects.create(user=office, unit=world["office"], role=Role.REVIEWER)
    street = User.objects.create_user(username="weights-street")
    Membership.objects.create(user=street, unit=world["A"], role=Role.STREET_STAFF)

    with pytest.raises(PermissionDenied):
        ranking_weights_set(by=street, campaign=world.campaign, closure="9")
    with pytest.raises(ValidationError):
        ranking_weights_set(by=office, campaign=world.campaign, speed="2")  # not a weight: refused, not dropped
    with pytest.raises(ValidationError):
        ranking_weights_set(by=office, campaign=world.campaign, closure="-1")
    with pytest.raises(ValidationError):
        ranking_weights_set(by=office, campaign=world.campaign, closure="１e999")
    assert not RankingWeights.objects.exists()

    ranking_weights_set(by=office, campaign=world.campaign, closure="2.5")
    ranking_weights_set(by=office, campaign=world.campaign, overdue="1")
    weights = RankingWeights.objects.get(campaign=world.campaign)
    assert (weights.closure, weights.overdue, weights.filing) == (Decimal("2.5"), Decimal("1"), Decimal("1"))
    assert [h.history_user_id for h in weights.history.all()] == [office.pk, office.pk]
    built(world.district)
    assert _rank(world, 0, 0).weights["closure"] == "2.50"

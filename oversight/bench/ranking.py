"""The ranking a bulletin freezes (oversight.ranking), at the issue's scale: 15 units (8 streets,
7 departments leading the seven sectors) × 24 months of rollups, with adoptions and published
assessments, in a district of its own set up here and rolled back after. Printed: the median and
p95 milliseconds of `ranking()` over the campaign's 24 months, and its query count."""

from __future__ import annotations

import datetime
import random
import statistics
import time
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Round, Run, RunStatus, Template
from campaign.lib.bench import percentile
from campaign.lib.deadlines import DEADLINE_TZ, deadline_today
from campaign.models import Campaign
from districts.models import OrgUnit, Sector, SectorLead, User
from oversight.bench.common import month_back
from oversight.models import Granularity, Metric, Rollup, RollupState
from oversight.periods import month_end, start_of
from oversight.ranking import ranking
from reporting.models import Adoption, AdoptionLevel, Period, Submission

CODE = "BENCH-RANK"
STREETS, DEPARTMENTS, MONTHS = 8, 7, 24
M = Metric
FLOWS = (M.HAZARDS_FOUND, M.HAZARDS_CLOSED, M.HAZARDS_CLOSED_ON_TIME)
STOCKS = (M.HAZARDS_OPEN, M.HAZARDS_OVERDUE, M.HAZARDS_FOUND_TO_DATE, M.HAZARDS_CLOSED_TO_DATE)
REPORTS = (M.REPORTS_EXPECTED, M.REPORTS_FILED, M.REPORTS_ON_TIME)


class _Rollback(Exception):
    pass


def _sectors() -> list[Sector]:
    sectors = list(Sector.objects.order_by("order")[:DEPARTMENTS])
    for n in range(len(sectors), DEPARTMENTS):
        code = f"bench-{n}"
        sectors.append(Sector.objects.create(code=code, name=code, name_en=code, order=900 + n))
    return sectors


def _rows(rng: random.Random, unit_id: int, sector_id, months: list[datetime.date], *, reports: bool) -> list[Rollup]:
    """A unit's rows as the builder leaves them: months, their quarters and years, no zeros."""
    values: dict[tuple, int] = {}
    found = closed = 0
    for month in months:
        monthly = {M.HAZARDS_FOUND: rng.randint(0, 40), M.HAZARDS_CLOSED_ON_TIME: rng.randint(0, 25)}
        monthly[M.HAZARDS_CLOSED] = monthly[M.HAZARDS_CLOSED_ON_TIME] + rng.randint(0, 10)
        found, closed = found + monthly[M.HAZARDS_FOUND], closed + monthly[M.HAZARDS_CLOSED]
        stocks = {
            M.HAZARDS_OPEN: max(found - closed, 0),
            M.HAZARDS_OVERDUE: rng.randint(0, 6),
            M.HAZARDS_FOUND_TO_DATE: found,
            M.HAZARDS_CLOSED_TO_DATE: min(closed, found),
            M.MAJOR_HAZARDS_LISTED_OPEN: rng.randint(0, 2),
        }
        if reports:
            expected = rng.randint(1, 3)
            filed = rng.randint(0, expected)
            on_time = rng.randint(0, filed)
            monthly.update({M.REPORTS_EXPECTED: expected, M.REPORTS_FILED: filed, M.REPORTS_ON_TIME: on_time})
        for granularity in Granularity.values:
            start = start_of(granularity, month)
            for metric, value in monthly.items():
                key = (granularity, start, metric)
                values[key] = values.get(key, 0) + value
            for metric, value in stocks.items():  # a quarter's stock is its last month's
                values[(granularity, start, metric)] = value
    return [
        Rollup(
            unit_id=unit_id,
            sector_id=sector_id,
            granularity=granularity,
            period_start=start,
            metric=metric,
            variant="",
            value=Decimal(value),
        )
        for (granularity, start, metric), value in values.items()
        if value
    ]


def seed(rng: random.Random) -> Campaign:
    """The district, its campaign of 24 months to this one, the rollups, adoptions and assessments."""
    today = deadline_today()
    first = month_back(today.replace(day=1), MONTHS - 1)
    district = OrgUnit.objects.create(code=CODE, name="排名基准区", kind=OrgUnit.Kind.DISTRICT)
    streets = [
        OrgUnit.objects.create(code=f"{CODE}-S{i}", name=f"基准第{i}街道", kind=OrgUnit.Kind.STREET, parent=district)
        for i in range(1, STREETS + 1)
    ]
    departments = [
        OrgUnit.objects.create(
            code=f"{CODE}-D{i}", name=f"基准第{i}部门", kind=OrgUnit.Kind.DEPARTMENT, parent=district
        )
        for i in range(1, DEPARTMENTS + 1)
    ]
    team = OrgUnit.objects.create(code=f"{CODE}-T", name="基准巡查组", kind=OrgUnit.Kind.TEAM, parent=district)
    sectors = _sectors()
    for sector, department in zip(sectors, departments, strict=True):
        SectorLead.objects.create(district=district, sector=sector, department=department)
    campaign = Campaign.objects.create(
        name="排名基准创建", district=district, starts_on=first, ends_on=month_end(today), baseline_year=2016
    )
    months = [start_of(Granularity.MONTH, month_back(today.replace(day=1), n)) for n in range(MONTHS - 1, -1, -1)]
    rows = []
    for street in streets:
        rows += _rows(rng, street.pk, None, months, reports=True)
        rows += [r for sector in sectors for r in _rows(rng, street.pk, sector.pk, months, reports=False)]
    for department in departments:
        rows += _rows(rng, department.pk, None, months, reports=True)
    rows += _rows(rng, district.pk, None, months, reports=True)
    rows += [r for sector in sectors for r in _rows(rng, district.pk, sector.pk, months, reports=False)]
    Rollup.objects.bulk_create(rows, batch_size=5000)
    RollupState.objects.create(district=district, built_at=timezone.now(), full_built_at=timezone.now())

    # A third of the units' monthly items adopted at a level or two.
    user = User.objects.create_user(username=f"{CODE.lower()}-office")
    periods = list(Period.objects.filter(campaign=campaign, report_type__code="monthly_item", due_on__lt=today))
    levels = AdoptionLevel.values
    for unit in streets + departments:
        for period in rng.sample(periods, min(len(periods), 8)):
            sent = datetime.datetime.combine(period.due_on, datetime.time(10), tzinfo=DEADLINE_TZ)
            submission = Submission.objects.create(
                unit=unit,
                period=period,
                title="工作信息",
                status="accepted",
                created_by=user,
                first_submitted_at=sent,
                submitted_at=sent,
            )
            for level in rng.sample(levels, rng.randint(1, 2)):
                Adoption.objects.create(
                    submission=submission,
                    level=level,
                    points=Decimal(levels.index(level) + 1),
                    adopted_by=user,
                    adopted_at=sent,
                )
    # Two published assessment rounds a year.
    template = Template.objects.create(code=f"{CODE.lower()}-{rng.randint(0, 10**9)}", name="基准评分细则")
    for n, end in enumerate(months[5::6]):
        round_ = Round.objects.create(
            campaign=campaign,
            template=template,
            name=f"第{n + 1}轮",
            period_start=month_back(end, 5),
            period_end=month_end(end),
            team=team,
            created_by=user,
        )
        Run.objects.bulk_create(
            Run(
                round=round_,
                unit=unit,
                status=RunStatus.PUBLISHED,
                score=Decimal(rng.randint(6000, 10000)) / 100,
                vetoed=rng.random() < 0.05,
                published_at=timezone.now(),
            )
            for unit in streets + departments
        )
    return campaign


def run(out, *, repeat: int = 20) -> None:
    """Seed, time `ranking()` over the campaign's 24 months `repeat` times (after one warm-up),
    print the figures, and roll everything back."""
    rng = random.Random(20261202)  # noqa: S311 (benchmark data, the same every time)
    try:
        with transaction.atomic():
            campaign = seed(rng)
            start, end = campaign.starts_on.replace(day=1), month_end(deadline_today())
            connection.cursor().execute("ANALYZE oversight_rollup")
            ranking(campaign=campaign, start=start, end=end)  # warm-up
            ms, queries = [], 0
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    result = ranking(campaign=campaign, start=start, end=end)
                    ms.append((time.perf_counter() - started) * 1000)
                queries = len(captured.captured_queries)
            assert len(result.streets) == STREETS and len(result.departments) == DEPARTMENTS
            out("ranking_median", statistics.median(ms), "ms")
            out("ranking_p95", percentile(ms, 95), "ms")
            out("ranking_queries", queries, "queries")
            raise _Rollback
    except _Rollback:
        pass

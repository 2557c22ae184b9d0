"""A dashboard page costs the same few queries however many records and rollup rows there are,
and none of them reads a hazard, risk, assessment or submission: the figures are the rollups'.
Each pinned count names its queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaign.lib.deadlines import DEADLINE_TZ, deadline_today
from districts.models import OrgUnit, Role, Sector, User
from hazards.models import Grade, Hazard, Source, Status
from oversight.models import Granularity
from oversight.periods import Period, start_of
from oversight.rollups import rebuild
from oversight.tests.board import *  # noqa: F403 (the fixtures)
from oversight.tests.board import (
    DISTRICT,
    REQUEST_END,
    REQUEST_START,
    SECOND_FACTOR,
    WULIN,
    ZHONGBEI,
    card_values,
    unit_pk,
)

pytestmark = pytest.mark.django_db

# The records' tables: no dashboard query may name one.
RECORD_TABLES = re.compile(r'"(hazards_hazard\w*|risks_riskpoint\w*|risks_assessment\w*|reporting_submission\w*)"')

PAGE = (
    1  # the page's unit and its children, with parents and boundaries
    + 1  # the seven sectors, each with its lead department in the district
    + 1  # the district's current campaign, with when its rollups were built and the target progress measured then
)
# The rollup rows: the period's, of the page's units and sectors, and the 24 months of its trends.
# Read by the first request for the page after a build; the build's figures are kept for the next.
ROWS = 1


@pytest.fixture
def volume(running, unit):
    """volume(n) → n hazards across the district's places, sectors and states over the campaign's
    months (a third overdue), and the rollups rebuilt from them."""

    def make(n: int):
        finder = User.objects.create_user(username=f"finder-{n}")
        places = list(OrgUnit.objects.filter(kind__in=["district", "street", "community"]).order_by("lft"))
        sectors = list(Sector.objects.all())
        today = deadline_today()
        start = datetime.datetime.combine(running.starts_on, datetime.time(9), tzinfo=DEADLINE_TZ)
        span = (timezone.now() - start).days
        statuses = [Status.REPORTED, Status.RECTIFYING, Status.CLOSED]
        hazards = []
        for i in range(n):
            status = statuses[i % 3]
            found = start + datetime.timedelta(days=i * 7919 % max(span, 1))
            assigned = status != Status.REPORTED
            hazards.append(
                Hazard(
                    number=f"V-{n}-{i:06d}",
                    title=f"隐患{i}",
                    unit=places[i * 31 % len(places)],
                    sector=sectors[i % len(sectors)],
                    description="描述",
                    grade=Grade.GENERAL,
                    source=Source.INSPECTION,
                    found_by=finder,
                    found_at=found,
                    status=status,
                    responsible_unit=places[i * 31 % len(places)] if assigned else None,
                    deadline=today - datetime.timedelta(days=1 + i % 5) if assigned else None,
                    assigned_at=found if assigned else None,
                    rectified_at=timezone.now() if status == Status.CLOSED else None,
                    closed_at=timezone.now() if status == Status.CLOSED else None,
                )
            )
        Hazard.objects.bulk_create(hazards)
        rebuild(unit(DISTRICT), full=True)
        return sum(1 for h in hazards if h.status == Status.RECTIFYING)

    return make


@pytest.mark.parametrize("n", [10, 1000])
def test_the_district_dashboard_costs_the_same_queries_for_10_and_1000_hazards_first_after_each_build_too(
    client, sign_in, make_user, unit, volume, django_assert_num_queries, n
):
    overdue = volume(n)
    sign_in(client, make_user(Role.REVIEWER, unit("330103-CJB")))
    request = (
        REQUEST_START
        + SECOND_FACTOR
        + 1  # the user's memberships → the scope, the dashboards they have, the menu
        + PAGE
        + REQUEST_END
    )
    url = reverse("oversight:dashboard")
    with django_assert_num_queries(request + ROWS):  # the first request after the (full) build
        first = card_values(client.get(url).content.decode())
    assert first["hazards_overdue"] == str(overdue)
    with django_assert_num_queries(request):  # the next, of the same build
        assert card_values(client.get(url).content.decode()) == first
    # Another build (an incremental one, as the beat runs every two minutes): its first request
    # costs the same as the first one after the full build did, and the cards are the same.
    rebuild(unit(DISTRICT), full=False)
    with django_assert_num_queries(request + ROWS):
        assert card_values(client.get(url).content.decode()) == first
    with django_assert_num_queries(request):
        client.get(url)
    # The district dashboard: at most 12 queries on any request, as the benchmark counts them
    # (outside a test's transaction BEGIN and COMMIT stand for the savepoint pair around the
    # session's save).
    assert request + ROWS <= 12


@pytest.mark.parametrize(
    "role, code",
    [(Role.STREET_STAFF, WULIN), (Role.COMMUNITY_STAFF, ZHONGBEI), (Role.DEPARTMENT_STAFF, "330103-XFJY")],
)
@pytest.mark.parametrize("n", [10, 1000])
def test_every_readers_dashboard_costs_a_fixed_number_of_queries(
    client, sign_in, make_user, unit, volume, django_assert_num_queries, n, role, code
):
    volume(n)
    sign_in(client, make_user(role, unit(code)))
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the user's memberships (and a department's lead sectors: the scope's sector grants)
        + (1 if role == Role.DEPARTMENT_STAFF else 0)
        + PAGE
        + (1 if role == Role.DEPARTMENT_STAFF else 0)  # the department's district and the district's children
        + ROWS
        + REQUEST_END
    ):
        assert client.get(reverse("oversight:dashboard")).status_code == 200


def test_an_inspection_teams_dashboard_costs_a_fixed_number_of_queries(
    client, sign_in, make_user, unit, volume, django_assert_num_queries
):
    from districts.tests.factories import add_team

    volume(1000)
    team = add_team("330103-XCZ1", unit(DISTRICT), [unit(WULIN), unit("330103003")])
    sign_in(client, make_user(Role.INSPECTOR, team))
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the user's memberships
        + 1  # the units assigned to the team: the scope
        + PAGE
        + 1  # the team's assigned units, with parents and boundaries
        + ROWS
        + REQUEST_END
    ):
        assert client.get(reverse("oversight:dashboard")).status_code == 200


@pytest.mark.parametrize("reader", ["office", "leader", "wulin", "fire", "team", "zhongbei"])
def test_no_dashboard_query_reads_the_records_tables(client, sign_in, board, reader):
    sign_in(client, board["users"][reader])
    urls = [reverse("oversight:dashboard")]
    if reader == "office":
        urls += [reverse("oversight:unit", args=[unit_pk(code)]) for code in (WULIN, ZHONGBEI, "330103-XFJY")] + [
            reverse("oversight:unit", args=[board["team"].pk])
        ]
    quarter = Period(Granularity.QUARTER, start_of(Granularity.QUARTER, deadline_today()))
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            responses = [
                client.get(url),
                client.get(url, {"sector": board["sectors"]["fire_safety"].pk}),
                client.get(url, {"period": quarter.param}),
            ]
        assert [r.status_code for r in responses] == [200, 200, 200]
        read = {m for q in queries.captured_queries for m in RECORD_TABLES.findall(q["sql"])}
        assert not read, f"{url} read {read}"
        assert any('"oversight_rollup"' in q["sql"] for q in queries.captured_queries)

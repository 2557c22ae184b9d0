"""The reporting pages cost the same number of queries for 8 streets × 12 months as for
many more units and every cell filed: the calendar is one grouped query, whatever its
size. Each pinned count names its queries."""

import datetime

import pytest
from django.urls import reverse

from districts.models import OrgUnit
from districts.second_factor import force_login_verified
from reporting.models import Period, Status, Submission
from reporting.tests.conftest import WULIN

pytestmark = pytest.mark.django_db

REQUEST_START = 2  # the session; the user
REQUEST_END = 0  # no session write: a session is written when it changes, its last request time once a minute
SECOND_FACTOR = 1  # a reviewer's second factor: the device the session was verified with
STATUSES = [Status.ACCEPTED, Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED, Status.DRAFT]


@pytest.fixture
def seed(campaign, unit, filer):
    """seed(extra_streets, every_cell): more streets, and a report in every unit × month (or in three)."""

    def make(extra_streets: int, every_cell: bool):
        district = unit("330103")
        for i in range(extra_streets):
            OrgUnit.objects.create(code=f"3301039{i:02d}", name=f"新街道{i}", kind="street", parent=district)
        units = list(OrgUnit.objects.filter(kind__in=["street", "department"], parent=district))
        months = list(Period.objects.filter(campaign=campaign, report_type__code="monthly_item"))
        by = filer(WULIN)
        cells = [(u, p) for u in units for p in months] if every_cell else [(units[0], months[-1])] * 3
        Submission.objects.bulk_create(
            Submission(
                unit=u,
                period=p,
                title="信息",
                body="正文",
                status=STATUSES[i % len(STATUSES)],
                created_by=by,
                first_submitted_at=None
                if STATUSES[i % 5] == Status.DRAFT
                else datetime.datetime(p.due_on.year, p.due_on.month, 1, 9, tzinfo=datetime.UTC),
                submitted_at=None
                if STATUSES[i % 5] == Status.DRAFT
                else datetime.datetime(p.due_on.year, p.due_on.month, 1, 9, tzinfo=datetime.UTC),
            )
            for i, (u, p) in enumerate(cells)
        )
        return len(units), len(months)

    return make


@pytest.mark.parametrize(
    "extra_streets, every_cell, year, rows, columns",
    [
        (0, False, "2020", 15, 12),  # 8 streets (and 7 departments) × the 12 months of 2020
        (40, True, "", 55, 23),  # 48 streets and 7 departments × all 23 months, every cell filed
    ],
)
def test_the_calendar_costs_the_same_queries_whatever_its_size(
    client, office, seed, django_assert_num_queries, extra_streets, every_cell, year, rows, columns
):
    seed(extra_streets, every_cell)
    force_login_verified(client, office)
    with django_assert_num_queries(
        REQUEST_START
        + SECOND_FACTOR
        + 1  # the user's memberships → the scope, the menu and the tabs
        + 1  # the campaigns, with their districts, to pick from
        + 1  # the report types
        + 1  # the periods of every type
        + 1  # the filing units, with their parents
        + 1  # the grouped count: per unit × period, filed, accepted, returned, first sent
        + REQUEST_END
    ):
        response = client.get(reverse("report_calendar"), {"type": "monthly_item", "year": year})
    table = response.content.decode().split('data-testid="calendar"')[1].split("</table>")[0]
    assert table.count("<tr data-unit=") == rows
    assert table.count("data-state=") == rows * columns
    grid = response.context["grid"]
    assert len(grid.rows) == rows and len(grid.periods) == columns


@pytest.mark.parametrize("every_cell", [False, True])
def test_a_streets_own_page_costs_the_same_queries_however_much_it_filed(
    client, filer, seed, django_assert_num_queries, every_cell
):
    seed(0, every_cell)
    force_login_verified(client, filer(WULIN))
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the user's memberships → the scope, the units they file for, the menu and the tabs
        + 1  # the ids of the units in that scope, once per request (a row's unit is one of them)
        + 1  # the campaigns
        + 1  # the report types
        + 1  # the periods of every type
        + 1  # the grouped count for the unit
        + 1  # the unit's drafts
        + REQUEST_END
    ):
        response = client.get(reverse("my_reports"))
    assert len(response.context["grids"]) == 5


@pytest.mark.parametrize("every_cell", [False, True])
def test_the_submission_list_costs_the_same_queries_for_3_and_300_reports(
    client, office, seed, django_assert_num_queries, every_cell
):
    seed(0, every_cell)
    force_login_verified(client, office)
    with django_assert_num_queries(
        REQUEST_START
        + SECOND_FACTOR
        + 1  # the user's memberships → the scope and the menu
        + 1  # the ids of the units in that scope, once per request (a row's unit is one of them)
        + 1  # the report types offered in the filter
        + 1  # COUNT of the reports in scope, for the paginator
        + 1  # the page of reports, joined to unit, period, type, campaign and sender
        + 1  # the page's standing adoptions (采用), in one prefetch
        + REQUEST_END
    ):
        response = client.get(reverse("submission_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("every_cell", [False, True])
def test_the_compilation_costs_the_same_queries_for_few_and_many_reports(
    client, office, seed, django_assert_num_queries, every_cell
):
    seed(0, every_cell)
    force_login_verified(client, office)
    with django_assert_num_queries(
        REQUEST_START
        + SECOND_FACTOR
        + 1  # the user's memberships
        + 1  # the ids of the units in that scope, once per request (a row's unit is one of them)
        + 1  # the campaigns
        + 1  # the report types
        + 1  # the periods of the type
        + 1  # the filing units
        + 1  # the grouped count
        + 1  # the accepted reports of the period, with unit, type, campaign and reviewer
        + 1  # their attachments, in one prefetch
        + REQUEST_END
    ):
        response = client.get(reverse("report_compilation"), {"type": "monthly_item"})
    assert response.status_code == 200

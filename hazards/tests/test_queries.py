"""The hazard list costs the same number of queries for 10 hazards as for 500: the
selector owns its joins, the thumbnail is a subquery, the queue counts one aggregate.
Each pinned count names its queries."""

import datetime
import re

import pytest
from django.urls import reverse

from districts.models import Role, Sector
from districts.tests.factories import SiteFactory
from hazards.models import Grade, Hazard, HazardPhoto, Source, Status, deadline_today
from hazards.tests.conftest import WULIN, ZHONGBEI

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<tr[^>]*data-hazard="')
THUMB = re.compile(r'class="hazard-thumb" src="/hazards/photos/\d+/thumb/"')
REQUEST_START = 2  # the session; the user
REQUEST_END = 0  # no session write: a session is written when it changes, its last request time once a minute


@pytest.fixture
def many(district, unit, make_user):
    def make(n):
        inspector = make_user(Role.STREET_STAFF, unit(WULIN))
        sectors = list(Sector.objects.all())
        places = [unit(WULIN), unit(ZHONGBEI), unit("330103002052")]
        site = SiteFactory(unit=places[1], sector=sectors[0])
        today = deadline_today()
        hazards = Hazard.objects.bulk_create(
            Hazard(
                number=f"Q-{i:06d}",
                title=f"隐患{i:05d}",
                unit=places[i % 3],
                site=site if i % 4 == 0 else None,
                sector=sectors[i % len(sectors)],
                description="描述",
                grade=Grade.MAJOR if i % 10 == 0 else Grade.GENERAL,
                source=Source.INSPECTION,
                found_by=inspector,
                status=Status.RECTIFYING if i % 2 else Status.REPORTED,
                responsible_unit=places[0] if i % 2 else None,
                responsible_person="王芳" if i % 2 else "",
                deadline=today + datetime.timedelta(days=5 - i % 10) if i % 2 else None,
            )
            for i in range(n)
        )
        HazardPhoto.objects.bulk_create(
            HazardPhoto(
                hazard=h, kind="before", image="x.jpg", thumbnail="t.jpg", width=1, height=1, uploaded_by=inspector
            )
            for h in hazards
        )
        return hazards

    return make


@pytest.mark.parametrize("n", [10, 500])
def test_the_hazard_list_costs_the_same_queries_for_10_and_500_hazards(
    client, unit, make_user, many, django_assert_num_queries, n
):
    many(n)
    client.force_login(make_user(Role.STREET_STAFF, unit(WULIN)))
    for params in ({}, {"queue": "overdue"}, {"page": 2, "overdue": "false", "sector": Sector.objects.first().pk}):
        with django_assert_num_queries(
            REQUEST_START
            + 1  # the user's memberships → the scope, "Log a hazard", the queues and the menu
            + 1  # the ids of the units in that scope, once per request (a row's unit is one of them)
            + 1  # the queue counts, one aggregate
            + (1 if params.get("queue") == "overdue" else 0)  # open and overdue per responsible unit
            + 1  # COUNT of the hazards in scope, for the paginator
            + 1  # the units offered in the place filter
            + 1  # the sectors offered in the sector filter
            + (1 if params.get("sector") else 0)  # the chosen sector, looked up by the filter
            + 1  # the page of hazards, joined to place (and its parents), sector, site, responsible unit,
            #      listing, with overdue and the first photo's id computed in the query
            + REQUEST_END
        ):
            response = client.get(reverse("hazard_list"), params)
        assert response.status_code == 200
        page = response.context["page"]
        html = response.content.decode()
        assert len(ROW.findall(html)) == len(page.object_list)
        assert len(THUMB.findall(html)) == len(page.object_list)

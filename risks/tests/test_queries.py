"""The risk list costs the same number of queries for 10 risks as for 1,000: the selector
owns its joins, and a page that grows a query per row fails here. Each pinned count names
its queries."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from districts.models import Role, Sector
from districts.tests.factories import SiteFactory, add_grids
from risks.models import AccidentType, Assessment, AssessmentMethod, RiskPoint

pytestmark = pytest.mark.django_db

WULIN = "330103002"
ZHONGBEI = "330103002051"

RISK_LINK = re.compile(r'href="/risks/\d+/"')
LEVEL_BADGE = re.compile(r'class="badge risk-level-(\w+)"')

REQUEST_START = 2  # the session; the user
REQUEST_END = 0  # no session write: a session is written when it changes, its last request time once a minute


@pytest.fixture
def wulin_risks(district, unit, make_user):
    """make(n): n assessed risks across Wulin (street, communities, grids; every sector),
    a third of them at a site and a tenth overdue, written in bulk to keep the test fast."""

    def make(n):
        grids = add_grids(unit(ZHONGBEI), 3)
        places = [unit(WULIN), unit(ZHONGBEI), unit("330103002052"), *grids]
        sectors = list(Sector.objects.all())
        sites = [SiteFactory(unit=grids[0], sector=sectors[0]) for _ in range(3)]
        assessor = make_user(Role.STREET_STAFF, unit(WULIN))
        version = AssessmentMethod.objects.get(code="lec").current
        today = timezone.localdate()
        risks = RiskPoint.objects.bulk_create(
            RiskPoint(
                name=f"风险点{i:05d}",
                unit=places[i % len(places)],
                site=sites[i % 3] if i % 3 == 0 and places[i % len(places)] in grids else None,
                sector=sectors[i % len(sectors)],
                accident_type=AccidentType.values[i % len(AccidentType.values)],
                responsible_unit=places[i % len(places)],
                responsible_person="王五",
                next_review_on=today + timezone.timedelta(days=30 - (i % 10) * 5),
            )
            for i in range(n)
        )
        scores = [Decimal(400), Decimal(180), Decimal(126), Decimal(18)]
        assessments = Assessment.objects.bulk_create(
            Assessment(
                risk=risk,
                stage=Assessment.Stage.RESIDUAL,
                method_version=version,
                inputs={"L": 1, "E": 1, "C": 1},
                score=scores[i % 4],
                level=version.level_of(scores[i % 4]),
                assessed_by=assessor,
            )
            for i, risk in enumerate(risks)
        )
        for risk, assessment in zip(risks, assessments, strict=True):
            risk.current_assessment = assessment
        RiskPoint.objects.bulk_update(risks, ["current_assessment"], batch_size=500)
        return risks

    return make


@pytest.mark.parametrize("n", [10, 1000])
def test_street_staff_risk_list_costs_the_same_queries_for_10_and_1000_risks(
    client, unit, make_user, wulin_risks, django_assert_num_queries, n
):
    wulin_risks(n)
    client.force_login(make_user(Role.STREET_STAFF, unit(WULIN)))
    for page in (1, 2):
        if page == 2 and n <= 50:
            continue
        with django_assert_num_queries(
            REQUEST_START
            + 1  # the user's memberships → the scope, "Add a risk" and the menu
            + 1  # the ids of the units in that scope, once per request (a row's unit is one of them)
            + 1  # COUNT of the risks in scope, for the paginator
            + 1  # the units offered in the place filter
            + 1  # the sectors offered in the sector filter
            + 1  # the page of risks, joined to unit, its parent and grandparent, sector, site,
            #      responsible unit and current assessment
            + REQUEST_END
        ):
            response = client.get(reverse("risk_list"), {"page": page})
        html = response.content.decode()
        shown = min(50, n - 50 * (page - 1))
        assert len(RISK_LINK.findall(html)) == shown
        assert len(LEVEL_BADGE.findall(html)) == shown
        assert response.context["page"].paginator.count == n


@pytest.mark.parametrize("n", [10, 1000])
def test_department_staff_risk_list_costs_the_same_queries_for_10_and_1000_risks(
    client, unit, make_user, wulin_risks, django_assert_num_queries, n
):
    wulin_risks(n)
    client.force_login(make_user(Role.DEPARTMENT_STAFF, unit("330103-XFJY")))
    with django_assert_num_queries(
        REQUEST_START
        + 1  # the user's memberships → the scope, "Add a risk" and the menu
        + 1  # the ids of the units in that scope, once per request (a row's unit is one of them)
        + 1  # the sectors their department leads → its district-wide part of the scope
        + 1  # COUNT of the risks in scope, for the paginator
        + 1  # the units offered in the place filter
        + 1  # the sectors offered in the sector filter
        + 1  # the page of risks with all its joins
        + REQUEST_END
    ):
        response = client.get(reverse("risk_list"), {"overdue": "true", "q": "风险点"})
    overdue_fire = [i for i in range(n) if i % 7 == 2 and (i % 10) * 5 > 30]
    assert response.context["page"].paginator.count == len(overdue_fire)
    assert len(response.context["page"].object_list) == min(50, len(overdue_fire))

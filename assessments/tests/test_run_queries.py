"""The scoring page reads in a fixed number of queries, whatever the number of items answered."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import run_services as services
from assessments import scoring
from assessments.models import Side
from assessments.tests.run_fixtures import *  # noqa: F403 (the fixtures)
from campaign.tests.images import photo
from districts.models import Sector

pytestmark = pytest.mark.django_db

# The scoring page of an inspector, a template's tree not yet kept by this process:
#   1. the session, 2. the user, 3. the user's memberships (districts.scoping), 4. the units the
#   user's team covers (scoping), 5. the run with its round, template, team and unit,
#   6. the template's items, 7. their sectors, 8. their rules (scoring.load_tree: none of 6–8 once
#   the frozen version's tree is kept), 9. the run's answers of both sides, 10. this side's
#   findings with their hazards, places, sites and sectors, 11. their photos, 12. this side's
#   evidence links with the records they name. With nothing answered, 10–12 are not asked.
ANSWERED = 12
KEPT_TREE = ANSWERED - 3


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return captured.captured_queries


def test_the_scoring_page_reads_in_a_fixed_number_of_queries(run, items, users, sign_in):
    client = sign_in(Client(), users["inspector"])
    url = reverse("assessment_score", args=[run.pk, "review"])
    scoring._CACHE.clear()
    empty = len(_queries(client, url))
    assert empty <= ANSWERED - 3
    hazard_number = None
    for n, item in enumerate(i for i in items.values() if not i.children.exists()):
        services.answer_save(run=run, side=Side.REVIEW, item=item, by=users["inspector"], note=f"第{n}项")
        finding = services.finding_add(
            run=run, side=Side.REVIEW, item=item, by=users["inspector"], description=f"问题{n}", photos=[photo()]
        )
        if hazard_number is None:
            hazard = services.finding_raise_hazard(
                finding=finding,
                by=users["inspector"],
                title="问题",
                unit=run.unit,
                description="问题",
                grade="general",
                source="inspection",
                sector=Sector.objects.get(code="fire_safety"),
            )
            hazard_number = hazard.number
        services.evidence_add(
            run=run, side=Side.REVIEW, item=item, by=users["inspector"], kind="hazard", ref=hazard_number
        )
    scoring._CACHE.clear()
    queries = _queries(client, url)
    assert len(queries) == ANSWERED, "\n".join(q["sql"][:150] for q in queries)
    assert len(_queries(client, url)) == KEPT_TREE

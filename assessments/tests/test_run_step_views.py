"""The run's steps through its page: the buttons a person is offered, a step taken by the one who may,
and refused (nothing changed) for anyone else; a round made on its form only of units the team covers."""

import pytest
from django.test import Client
from django.urls import reverse

from assessments import run_services as services
from assessments.models import Round, RunEvent, RunStatus, Side
from assessments.tests.run_fixtures import *  # noqa: F403 (the fixtures)
from assessments.tests.run_fixtures import TIANSHUI, WULIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(run, items, users):
    services.finding_add(run=run, side=Side.REVIEW, item=items["1.2"], by=users["inspector"], description="问题")
    return services.run_submit(run=run, by=users["inspector"])


def _step(client, run, action, **data):
    return client.post(reverse("assessment_run_step", args=[run.pk, action]), data)


@pytest.mark.parametrize("who", ["leader", "street", "inspector"])
def test_only_the_office_reviews_a_submitted_run(submitted, sign_in, users, who):
    response = _step(sign_in(Client(), users[who]), submitted, "review")
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == RunStatus.SUBMITTED and submitted.score is None


def test_the_office_reviews_and_publishes_through_the_page(submitted, sign_in, users):
    office = sign_in(Client(), users["reviewer"])
    page = office.get(reverse("assessment_run", args=[submitted.pk])).content.decode()
    assert 'data-step="review"' in page and 'data-step="return"' in page and 'data-step="publish"' not in page
    assert _step(office, submitted, "review").status_code == 302
    assert _step(office, submitted, "publish").status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == RunStatus.PUBLISHED and submitted.score is not None
    assert list(RunEvent.objects.filter(run=submitted).values_list("action", flat=True))[-2:] == ["review", "publish"]


def test_returning_without_a_comment_is_refused_on_the_page(submitted, sign_in, users):
    response = _step(sign_in(Client(), users["reviewer"]), submitted, "return", comment=" ")
    assert response.status_code == 409
    assert 'data-testid="steps"' in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == RunStatus.SUBMITTED


def test_a_step_out_of_order_is_refused_with_a_message(run, sign_in, users):
    response = _step(sign_in(Client(), users["reviewer"]), run, "publish")
    assert response.status_code == 409
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT


def test_the_round_form_takes_only_units_the_team_covers(plan, teams, template, sign_in, users, unit):
    office = sign_in(Client(), users["reviewer"])
    data = {
        "name": "第二季度专项督查",
        "template": template.pk,
        "period_start": "2019-04-01",
        "period_end": "2019-06-30",
        "team": teams["TEAM-WULIN"].pk,
        "units": [unit(WULIN).pk, unit(TIANSHUI).pk],
        "self_assessment": "on",
    }
    response = office.post(reverse("assessment_round_create"), data)
    assert response.status_code == 200 and not Round.objects.exists()
    assert "天水街道" in response.content.decode()
    data["units"] = [unit(WULIN).pk]
    response = office.post(reverse("assessment_round_create"), data)
    assert response.status_code == 302
    assert Round.objects.get().runs.get().unit == unit(WULIN)
    assert sign_in(Client(), users["inspector"]).get(reverse("assessment_round_create")).status_code == 403

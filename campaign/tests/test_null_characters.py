"""A NUL character anywhere in a request is refused with a message and writes nothing (on
PostgreSQL it used to reach the database from the autosave and the site search: 500)."""

import pytest
from django.urls import reverse
from django.utils import translation

from districts.models import Role
from reporting.models import Period, Submission

WULIN = "330103002"


@pytest.fixture
def street(client, plan, unit, make_user):
    client.force_login(make_user(Role.STREET_STAFF, unit(WULIN)))
    return client


def test_an_autosave_with_a_nul_is_refused_as_json_and_nothing_is_saved(street, unit):
    period = Period.objects.filter(report_type__code="monthly_item").first()
    url = reverse("submission_new_autosave", args=[period.pk, unit(WULIN).pk])
    response = street.post(url, {"title": "三月\x00信息", "body": "x"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    with translation.override("zh-hans"):
        assert "空字符" in response.json()["error"]
    assert not Submission.objects.exists()


@pytest.mark.parametrize("name", ["site_lookup", "site_list", "hazard_list", "risk_list"])
def test_a_search_with_a_nul_answers_a_page_that_says_why(street, name):
    response = street.get(reverse(name), {"q": "加油\x00站"})
    assert response.status_code == 400
    assert "空字符" in response.content.decode()


def test_a_nul_in_a_field_name_is_refused_too(street):
    assert street.post(reverse("site_create"), {"name\x00": "x"}).status_code == 400


def test_text_without_nul_still_goes_through(street):
    assert street.get(reverse("site_lookup"), {"q": "加油站"}).status_code == 200

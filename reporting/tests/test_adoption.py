"""Adoption (采用) of report items, through the pages: the creation office marks an accepted
monthly work item adopted at district, city or province level (or as it accepts it), each
level once, worth the campaign's points at the time; it may withdraw an adoption with a
reason. Street staff and the leading group may not; the filing unit sees its adoptions."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from districts.models import Role
from districts.second_factor import force_login_verified
from reporting import services
from reporting.models import Adoption, AdoptionPoints, Status, Submission
from reporting.tests.conftest import LEADING_GROUP, TIANSHUI, WULIN, shanghai

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def accepted(period, file_report):
    """Wulin's March work item, accepted by the office."""
    return file_report(WULIN, period("monthly_item", "2019-03"), at=shanghai(2019, 3, 20, 9), review="accept")


def _adopt(client, submission, level, note=""):
    return client.post(reverse("submission_adopt", args=[submission.pk]), {"level": level, "note": note})


def _standing(submission):
    return sorted(Adoption.objects.standing().filter(submission=submission).values_list("level", "points"))


def test_the_office_adopts_an_accepted_item_at_two_levels_and_the_street_sees_both(
    client, english, office, filer, accepted
):
    force_login_verified(client, office)
    assert _adopt(client, accepted, "district").status_code == 302
    assert _adopt(client, accepted, "city", note="杭州创建简报第3期").status_code == 302
    assert _standing(accepted) == [("city", Decimal("2.00")), ("district", Decimal("1.00"))]
    history = Adoption.history.filter(submission_id=accepted.pk)
    assert history.count() == 2 and {h.history_user_id for h in history} == {office.pk}

    force_login_verified(client, filer(WULIN))
    page = client.get(reverse("submission_detail", args=[accepted.pk])).content.decode()
    assert "Adopted at district level" in page and "Adopted at city level" in page and "杭州创建简报第3期" in page
    assert 'data-testid="adopt-form"' not in page and "Withdraw this adoption" not in page
    listing = client.get(reverse("submission_list")).content.decode()
    assert "Adopted at city level" in listing


def test_the_offices_list_shows_what_was_adopted(client, english, office, accepted):
    services.submission_adopt(submission=accepted, by=office, level="province")
    force_login_verified(client, office)
    listing = client.get(reverse("submission_list")).content.decode()
    assert "Adopted at province level" in listing


def test_a_level_is_adopted_once(client, english, office, accepted):
    force_login_verified(client, office)
    _adopt(client, accepted, "district")
    again = _adopt(client, accepted, "district")
    assert again.status_code == 200
    assert "already adopted at district level" in again.content.decode()
    assert _standing(accepted) == [("district", Decimal("1.00"))]


@pytest.mark.parametrize("who, code", [(Role.STREET_STAFF, WULIN), (Role.LEADER, LEADING_GROUP)])
def test_street_staff_and_the_leading_group_may_not_adopt_or_withdraw(
    client, office, make_user, unit, accepted, who, code
):
    adoption = services.submission_adopt(submission=accepted, by=office, level="district")
    force_login_verified(client, make_user(who, unit(code)))
    assert _adopt(client, accepted, "city").status_code == 403
    withdraw = reverse("adoption_withdraw", args=[accepted.pk, adoption.pk])
    assert client.post(withdraw, {"reason": "不算"}).status_code == 403
    assert _standing(accepted) == [("district", Decimal("1.00"))]


def test_a_street_cannot_adopt_another_streets_report_it_cannot_even_open(client, filer, accepted):
    force_login_verified(client, filer(TIANSHUI))
    assert _adopt(client, accepted, "city").status_code == 404
    assert not Adoption.objects.exists()


def test_the_points_are_frozen_when_the_campaign_changes_them_later(client, office, campaign, accepted):
    force_login_verified(client, office)
    _adopt(client, accepted, "city")
    services.adoption_points_set(by=office, campaign=campaign, level="city", points=Decimal("5"))
    assert AdoptionPoints.objects.get(campaign=campaign, level="city").points == Decimal("5")
    assert _standing(accepted) == [("city", Decimal("2.00"))]
    _adopt(client, accepted, "province")
    services.adoption_points_set(by=office, campaign=campaign, level="province", points=Decimal("8"))
    # A level's points set before an adoption are what it is worth.
    services.adoption_points_set(by=office, campaign=campaign, level="district", points=Decimal("1.5"))
    _adopt(client, accepted, "district")
    assert _standing(accepted) == [
        ("city", Decimal("2.00")),
        ("district", Decimal("1.50")),
        ("province", Decimal("3.00")),
    ]


def test_only_an_accepted_report_is_adopted(client, english, office, period, file_report):
    sent = file_report(WULIN, period("monthly_item", "2019-04"), at=shanghai(2019, 4, 20, 9))
    force_login_verified(client, office)
    page = _adopt(client, sent, "district")
    assert "Only an accepted report can be adopted." in page.content.decode()
    assert not Adoption.objects.exists()


def test_a_quarterly_report_is_not_adopted(client, english, office, period, file_report):
    q1 = period("quarterly_progress", "2019-Q1")
    quarterly = file_report(WULIN, q1, at=shanghai(2019, 3, 25, 9), review="accept")
    force_login_verified(client, office)
    page = client.get(reverse("submission_detail", args=[quarterly.pk])).content.decode()
    assert 'data-testid="adoptions"' not in page
    assert "are not adopted" in _adopt(client, quarterly, "district").content.decode()
    assert not Adoption.objects.exists()


def test_the_office_adopts_as_it_accepts_in_the_same_screen(client, english, office, period, file_report):
    sent = file_report(WULIN, period("monthly_item", "2019-05"), at=shanghai(2019, 5, 20, 9))
    force_login_verified(client, office)
    page = client.get(reverse("submission_detail", args=[sent.pk])).content.decode()
    assert "Adopt as it is accepted" in page
    review = reverse("submission_review", args=[sent.pk])
    client.post(review, {"action": "accept", "comment": "", "adopt": ["district", "province"]})
    assert Submission.objects.get(pk=sent.pk).status == Status.ACCEPTED
    assert _standing(sent) == [("district", Decimal("1.00")), ("province", Decimal("3.00"))]


def test_adopting_while_returning_adopts_nothing(client, office, period, file_report):
    sent = file_report(WULIN, period("monthly_item", "2019-05"), at=shanghai(2019, 5, 20, 9))
    force_login_verified(client, office)
    review = reverse("submission_review", args=[sent.pk])
    client.post(review, {"action": "return", "comment": "补充", "adopt": ["city"]})
    assert Submission.objects.get(pk=sent.pk).status == Status.RETURNED
    assert not Adoption.objects.exists()


def test_a_withdrawn_adoption_stays_on_record_counts_no_more_and_the_level_may_be_adopted_again(
    client, english, office, accepted
):
    force_login_verified(client, office)
    _adopt(client, accepted, "city")
    adoption = Adoption.objects.get(submission=accepted)
    url = reverse("adoption_withdraw", args=[accepted.pk, adoption.pk])
    assert "Give the reason for withdrawing the adoption." in client.post(url, {"reason": ""}).content.decode()
    assert _standing(accepted) == [("city", Decimal("2.00"))]
    client.post(url, {"reason": "市里未采用，误标"})
    assert _standing(accepted) == []
    page = client.get(reverse("submission_detail", args=[accepted.pk])).content.decode()
    assert "市里未采用，误标" in page
    assert _adopt(client, accepted, "city").status_code == 302
    assert Adoption.objects.filter(submission=accepted).count() == 2


def test_a_forged_level_is_refused_with_a_message(client, english, office, accepted):
    force_login_verified(client, office)
    page = _adopt(client, accepted, "nation\u0663")
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()
    assert not Adoption.objects.exists()


def test_the_street_may_not_set_the_points(filer, campaign):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.adoption_points_set(by=filer(WULIN), campaign=campaign, level="city", points=Decimal("9"))
    assert not AdoptionPoints.objects.exists()

"""Sessions end after the policy's idle time (30 minutes for admins and reviewers, 2 hours for
everyone else) and, however active, after the longest session (12 hours); the next request goes
to the sign-in page, which says why. Time is moved with a clock, never waited for."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import ngettext, override

from districts.models import Role, SecurityPolicy
from districts.second_factor import force_login_verified

pytestmark = pytest.mark.django_db

HOME = reverse("home")
LOGIN = reverse("login")


@pytest.fixture
def clock(monkeypatch):
    """clock.advance(minutes=…): the platform's time (timezone.now) moves on."""
    real_now = timezone.now
    offset = [datetime.timedelta(0)]
    monkeypatch.setattr(timezone, "now", lambda: real_now() + offset[0])

    class Clock:
        def advance(self, **delta):
            offset[0] += datetime.timedelta(**delta)

    return Clock()


@pytest.fixture
def street_staff(unit, make_user):
    return make_user(Role.STREET_STAFF, unit("330103002"), username="wangfang")


@pytest.fixture
def reviewer(unit, make_user):
    return make_user(Role.REVIEWER, unit("330103-CJB"), username="zhaojing")


def zh(singular, plural, n):
    with override("zh-hans"):
        return escape(ngettext(singular, plural, n) % {"n": n})


def idle_message(minutes):
    return zh(
        "You were signed out after %(n)d minute without activity. Sign in again.",
        "You were signed out after %(n)d minutes without activity. Sign in again.",
        minutes,
    )


def lifetime_message(hours):
    return zh(
        "You were signed out: a session lasts at most %(n)d hour. Sign in again.",
        "You were signed out: a session lasts at most %(n)d hours. Sign in again.",
        hours,
    )


def assert_sent_to_sign_in_saying(client, response, message):
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={HOME}"
    assert "_auth_user_id" not in client.session
    page = client.get(response.url).content.decode()
    assert message in page


def test_a_page_that_polls_does_not_keep_a_session_past_twelve_hours(client, clock, street_staff, told):
    force_login_verified(client, street_staff)
    for _ in range(23):  # a request every half hour, as a page that polls
        clock.advance(minutes=30)
        assert client.get(HOME).status_code == 200
    clock.advance(minutes=30, seconds=1)  # 12 hours and a second after signing in
    response = client.get(HOME)
    assert_sent_to_sign_in_saying(client, response, lifetime_message(12))
    assert [e.kind for e in told] == ["session_expired"]
    assert told[0].user == street_staff
    assert told[0].detail == {"reason": "lifetime"}


def test_the_longest_session_comes_from_the_policy(client, clock, street_staff):
    SecurityPolicy.objects.create(session_hours=2, idle_minutes_privileged=30, idle_minutes=60)
    force_login_verified(client, street_staff)
    for _ in range(3):
        clock.advance(minutes=39)
        assert client.get(HOME).status_code == 200
    clock.advance(minutes=4)
    assert_sent_to_sign_in_saying(client, client.get(HOME), lifetime_message(2))


def test_a_reviewer_idle_for_thirty_minutes_is_signed_out(client, clock, reviewer, told):
    force_login_verified(client, reviewer)
    clock.advance(minutes=29)
    assert client.get(HOME).status_code == 200
    clock.advance(minutes=30, seconds=1)
    assert_sent_to_sign_in_saying(client, client.get(HOME), idle_message(30))
    assert told[0].kind == "session_expired" and told[0].detail == {"reason": "idle"}


def test_street_staff_stay_signed_in_for_two_idle_hours_but_not_longer(client, clock, street_staff):
    force_login_verified(client, street_staff)
    clock.advance(minutes=119)
    assert client.get(HOME).status_code == 200
    clock.advance(minutes=120, seconds=1)
    assert_sent_to_sign_in_saying(client, client.get(HOME), idle_message(120))


def test_the_idle_times_come_from_the_policy(client, clock, reviewer):
    SecurityPolicy.objects.create(idle_minutes_privileged=10)
    force_login_verified(client, reviewer)
    clock.advance(minutes=10, seconds=1)
    assert_sent_to_sign_in_saying(client, client.get(HOME), idle_message(10))


def test_a_script_whose_session_ended_gets_401_and_the_sign_in_page_says_why(client, clock, unit, make_user):
    # The report editor's autosave answers a script with 401 (its text is kept in the browser).
    user = make_user(Role.STREET_STAFF, unit("330103002"))
    force_login_verified(client, user)
    clock.advance(hours=3)
    response = client.post(reverse("submission_autosave", args=[1]), {"title": "t", "body": "b"})
    assert response.status_code == 401
    assert idle_message(120) in client.get(LOGIN).content.decode()

"""Password rules (length from the policy, three of four character classes, no pattern), expiry
and the forced change after an administrator sets a password, and every user's own change page."""

import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, override

from campaign.demo import DEMO_PASSWORD
from districts.models import Role, SecurityPolicy, User
from districts.second_factor import force_login_verified

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"
CHANGE = reverse("password_change")
HOME = reverse("home")
SIMPLE = "Use at least three of the four kinds of character: lower-case letters, capital letters, digits and symbols."
PATTERNED = (
    "This password is too easy to guess: it repeats itself or follows a sequence "
    "(such as aaaa, Aa1!Aa1!, abcd, 1234 or qwer)."
)
GUESSABLE = (
    "This password contains a word guessers try first, such as the district's or the city's name in pinyin, "
    "or “password”."
)


def zh(message):
    with override("zh-hans"):
        return gettext(message)


def refusals(password, user=None) -> list[str]:
    with override("zh-hans"):
        try:
            validate_password(password, user)
        except ValidationError as exc:
            return exc.messages
    return []


@pytest.fixture
def wangfang(unit, make_user):
    return make_user(Role.STREET_STAFF, unit("330103002"), username="wangfang")


@pytest.mark.parametrize(
    "password, reason",
    [
        ("xiacheng2026", SIMPLE),  # two kinds of character, and the district's name
        ("xiacheng2026", GUESSABLE),
        ("Aa1!Aa1!Aa", PATTERNED),  # four kinds, but one block said again
        ("Qwer!2026xy", PATTERNED),  # a keyboard row
        ("Tt-8888-abcz", PATTERNED),  # a run of one digit
        ("Hangzhou#2026", GUESSABLE),
        ("short-1A", None),  # too short: the message names the policy's length
    ],
)
def test_weak_passwords_are_refused_with_a_clear_chinese_message(password, reason):
    messages = refusals(password)
    assert messages, password
    if reason:
        assert zh(reason) in messages
        assert zh(reason) != reason  # it is in Chinese
    else:
        assert any("10" in m for m in messages)


@pytest.mark.parametrize("password", [DEMO_PASSWORD, "Safety-city-7x", "hz#Grid9-team"])
def test_good_passwords_pass_every_check_the_demo_one_included(password):
    assert refusals(password) == []


def test_the_minimum_length_comes_from_the_security_policy():
    assert refusals("Abc-9xyz-q1") == []  # 11 characters
    SecurityPolicy.objects.create(password_min_length=12)
    assert refusals("Abc-9xyz-q1")
    assert refusals("Abc-9xyz-q1w") == []


def test_setting_a_password_starts_its_expiry_clock_and_a_rehash_does_not(wangfang, settings):
    before = wangfang.password_changed_at
    assert before is not None and timezone.now() - before < datetime.timedelta(minutes=1)
    User.objects.filter(pk=wangfang.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=10))
    wangfang.refresh_from_db()
    # A stronger hasher re-hashes the same password at the next sign-in: no password change.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher", *settings.PASSWORD_HASHERS]
    assert wangfang.check_password(PASSWORD)
    wangfang.refresh_from_db()
    assert wangfang.password.startswith("pbkdf2_")
    assert timezone.now() - wangfang.password_changed_at > datetime.timedelta(days=9)
    wangfang.set_password("New-pass-2031x")
    assert timezone.now() - wangfang.password_changed_at < datetime.timedelta(minutes=1)


def test_every_user_finds_the_password_change_in_the_menu_and_changes_it(client, wangfang):
    force_login_verified(client, wangfang)
    assert f'href="{CHANGE}"' in client.get(HOME).content.decode()
    page = client.get(CHANGE).content.decode()
    assert escape(zh("Change password")) in page
    response = client.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": "Wulin-street-42x", "new_password2": "Wulin-street-42x"}
    )
    assert response.status_code == 302 and response.url == HOME
    wangfang.refresh_from_db()
    assert wangfang.check_password("Wulin-street-42x")
    assert client.get(HOME).status_code == 200  # still signed in


@pytest.mark.parametrize(
    "new, message",
    [
        ("Aa1!Aa1!Aa", PATTERNED),
        (PASSWORD, "The new password must differ from the current one."),
    ],
)
def test_a_weak_or_unchanged_new_password_is_refused_and_nothing_changes(client, wangfang, new, message):
    force_login_verified(client, wangfang)
    response = client.post(CHANGE, {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 200
    assert escape(zh(message)) in response.content.decode()
    wangfang.refresh_from_db()
    assert wangfang.check_password(PASSWORD)


def test_a_password_set_by_an_administrator_must_be_changed_before_anything_else(client, wangfang):
    User.objects.filter(pk=wangfang.pk).update(must_change_password=True)
    response = client.post(reverse("login"), {"username": "wangfang", "password": PASSWORD})
    assert response.status_code == 302
    for url in (HOME, reverse("site_list"), reverse("risk_list")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(f"{CHANGE}?next=")
    page = client.get(CHANGE).content.decode()
    assert escape(zh("An administrator set your password. Choose your own before you go on.")) in page
    new = "Tianshui-road-7q"
    response = client.post(CHANGE, {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    wangfang.refresh_from_db()
    assert not wangfang.must_change_password
    assert client.get(HOME).status_code == 200


def test_an_expired_password_must_be_changed_and_signing_out_stays_possible(client, wangfang):
    SecurityPolicy.objects.create(password_expiry_days=90)
    User.objects.filter(pk=wangfang.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=91))
    client.post(reverse("login"), {"username": "wangfang", "password": PASSWORD})
    response = client.get(HOME)
    assert response.url.startswith(CHANGE)
    assert escape(zh("Your password has expired. Choose a new one before you go on.")) in (
        client.get(response.url).content.decode()
    )
    assert client.post(reverse("logout")).url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_password_within_its_expiry_goes_straight_on(client, wangfang):
    User.objects.filter(pk=wangfang.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=89))
    client.post(reverse("login"), {"username": "wangfang", "password": PASSWORD})
    assert client.get(HOME).status_code == 200


def test_a_privileged_user_passes_the_second_factor_before_the_forced_change(client, unit, make_user):
    admin = make_user(Role.AUDIT_ADMIN, unit("330103"), username="auditor")
    User.objects.filter(pk=admin.pk).update(must_change_password=True)
    client.post(reverse("login"), {"username": "auditor", "password": PASSWORD})
    assert client.get(CHANGE).url.startswith(reverse("otp_enrol"))

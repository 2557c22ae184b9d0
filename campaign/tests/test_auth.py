"""Signing in and out, the lockout after repeated failures, and the language switch.

Sign-ins go through the login form (client.post), as a person's would: django-axes only
counts attempts it sees on a request. Expected texts are taken from the catalogs in the
language the page is in, so these tests hold whether or not a string is translated yet."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, ngettext, override

from districts.models import Membership, Role, SecurityPolicy
from districts.policy import current_policy

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"
WULIN, ZHONGBEI = "330103002", "330103002051"
LOGIN = reverse("login")
HOME = reverse("home")


def zh(message: str) -> str:
    with override("zh-hans"):
        return gettext(message)


def sign_in(client, username, password=PASSWORD, address="127.0.0.1", **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra}, REMOTE_ADDR=address)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def wulin_user(unit, make_user):
    user = make_user(Role.STREET_STAFF, unit(WULIN), username="wangfang")
    user.full_name = "武林街道 王芳"
    user.save()
    Membership.objects.create(user=user, unit=unit(ZHONGBEI), role=Role.COMMUNITY_STAFF)
    return user


def test_signing_in_lands_on_home_showing_the_users_units_and_roles(client, wulin_user):
    response = sign_in(client, "wangfang")
    assert response.status_code == 302
    assert response.url == HOME

    html = client.get(HOME).content.decode()
    assert "武林街道 王芳" in html
    assert "<title>首页 · 安全发展示范城市创建工作平台</title>" in html  # the page, then the platform, in the tab
    with override("zh-hans"):
        street_role, community_role = str(Role.STREET_STAFF.label), str(Role.COMMUNITY_STAFF.label)
    assert f"<strong>武林街道</strong> — {escape(street_role)}" in html
    assert f"武林街道 · <strong>中北社区</strong> — {escape(community_role)}" in html


def test_signing_in_returns_to_the_page_that_asked_for_it(client, wulin_user):
    response = sign_in(client, "wangfang", next=reverse("site_list"))
    assert response.url == reverse("site_list")


def test_a_wrong_password_shows_an_error_and_stays_signed_out(client, wulin_user):
    response = sign_in(client, "wangfang", password="not-the-password")
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors
    assert escape(errors[0]) in response.content.decode()
    assert not is_signed_in(client)
    assert client.get(HOME).status_code == 302


def test_signing_out_ends_the_session_and_home_asks_to_sign_in_again(client, wulin_user):
    sign_in(client, "wangfang")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert not is_signed_in(client)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={HOME}"


def test_signing_out_by_following_a_link_is_refused(client, wulin_user):
    # A GET could be forged by any page the user visits; Django takes POST only.
    sign_in(client, "wangfang")
    assert client.get(reverse("logout")).status_code == 405
    assert is_signed_in(client)


def locked_text(minutes: int, by: str = "account") -> str:
    with override("zh-hans"):
        if by == "address":
            text = ngettext(
                "Too many failed sign-ins from this address, on several accounts. Signing in from here is "
                "blocked for %(minutes)s minute; ask the security administrator to unblock it sooner.",
                "Too many failed sign-ins from this address, on several accounts. Signing in from here is "
                "blocked for %(minutes)s minutes; ask the security administrator to unblock it sooner.",
                minutes,
            )
        else:
            text = ngettext(
                "Too many failed sign-ins. This account is locked for %(minutes)s minute; "
                "ask the security administrator to unlock it sooner.",
                "Too many failed sign-ins. This account is locked for %(minutes)s minutes; "
                "ask the security administrator to unlock it sooner.",
                minutes,
            )
        return escape(text % {"minutes": minutes})


def test_four_failed_sign_ins_do_not_lock_the_account(client, wulin_user):
    assert current_policy().lockout_failure_limit == 5
    for _ in range(4):
        sign_in(client, "wangfang", password="wrong-guess")
    sign_in(client, "wangfang")
    assert is_signed_in(client)


def test_five_failed_sign_ins_lock_the_account_even_against_the_right_password(client, wulin_user):
    for _ in range(5):
        sign_in(client, "wangfang", password="wrong-guess")
    response = sign_in(client, "wangfang")
    assert response.status_code == 429
    assert locked_text(30) in response.content.decode()
    assert not is_signed_in(client)


def test_a_locked_account_stays_locked_from_every_other_address(client, wulin_user):
    # A guesser who moves from address to address still meets the account's limit.
    for n in range(5):
        sign_in(client, "wangfang", password="wrong-guess", address=f"10.0.0.{n + 1}")
    response = sign_in(client, "wangfang", address="192.168.7.7")
    assert response.status_code == 429
    assert not is_signed_in(client)


def test_one_address_trying_one_password_over_many_accounts_is_blocked(client, wulin_user, unit, make_user):
    # Password spraying: one guess each on ten accounts from one address. No account reaches its
    # own limit, but the address is blocked, even for a person with the right password.
    victims = [make_user(Role.STREET_STAFF, unit(WULIN), username=f"staff{n}") for n in range(10)]
    for victim in victims:
        sign_in(client, victim.username, password="Xiacheng@2026", address="10.9.9.9")
    response = sign_in(client, "wangfang", address="10.9.9.9")
    assert response.status_code == 429
    assert locked_text(30, by="address") in response.content.decode()
    assert not is_signed_in(client)
    # Another address is not held up by it.
    sign_in(client, "wangfang", address="10.1.1.1")
    assert is_signed_in(client)


def test_an_office_behind_one_address_keeps_signing_in_after_a_few_mistakes(client, unit, make_user):
    # A street office signs in through one NAT address: a few people mistyping their own
    # passwords (short of the account limit) must not shut the office out.
    staff = [make_user(Role.STREET_STAFF, unit(WULIN), username=f"office{n}") for n in range(9)]
    for person in staff:
        for _ in range(4):
            sign_in(client, person.username, password="typo", address="10.2.2.2")
    for person in staff:
        sign_in(client, person.username, address="10.2.2.2")
        assert is_signed_in(client), person.username
        client.post(reverse("logout"))


def test_a_correct_password_clears_the_accounts_count_but_not_the_addresss(client, wulin_user, unit, make_user):
    # Or a sprayer holding one real account could sign in with it to start counting afresh.
    mine = make_user(Role.STREET_STAFF, unit(WULIN), username="insider")
    for n in range(9):
        sign_in(client, f"guess{n}", password="Xiacheng@2026", address="10.3.3.3")
    sign_in(client, "insider", address="10.3.3.3")
    assert is_signed_in(client)
    client.post(reverse("logout"))
    assert sign_in(client, "guess9", password="Xiacheng@2026", address="10.3.3.3").status_code == 429
    assert sign_in(client, mine.username, address="10.3.3.3").status_code == 429


def test_the_lockout_takes_its_limit_and_minutes_from_the_security_policy(client, wulin_user):
    SecurityPolicy.objects.create(lockout_failure_limit=3, lockout_cooloff_minutes=45)
    for _ in range(3):
        sign_in(client, "wangfang", password="wrong-guess")
    response = sign_in(client, "wangfang")
    assert response.status_code == 429
    html = response.content.decode()
    assert locked_text(45) in html
    assert "45 分钟" in html and "30 分钟" not in html


def test_a_lockout_of_one_account_leaves_others_signing_in(client, wulin_user, unit, make_user):
    make_user(Role.STREET_STAFF, unit("330103003"), username="liqiang")
    for _ in range(5):
        sign_in(client, "wangfang", password="wrong-guess")
    sign_in(client, "liqiang")
    assert is_signed_in(client)


def test_pages_are_in_chinese_by_default(client, wulin_user):
    client.force_login(wulin_user)
    html = client.get(HOME).content.decode()
    assert '<html lang="zh-hans">' in html
    assert '<option value="zh-hans" selected>' in html


def test_switching_the_language_to_english_serves_pages_in_english(client, wulin_user):
    client.force_login(wulin_user)
    response = client.post(reverse("set_language"), {"language": "en", "next": HOME})
    assert response.status_code == 302
    assert response.url == HOME
    html = client.get(HOME).content.decode()
    assert '<html lang="en">' in html
    assert "My units and roles" in html
    assert '<option value="en" selected>' in html


def test_the_login_page_can_switch_language_before_signing_in(client):
    client.post(reverse("set_language"), {"language": "en", "next": LOGIN})
    assert '<html lang="en">' in client.get(LOGIN).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        HOME,
        reverse("unit_tree"),
        reverse("unit_detail", args=[1]),
        reverse("site_list"),
        reverse("site_create"),
        reverse("site_detail", args=[1]),
        reverse("site_edit", args=[1]),
    ],
)
def test_pages_ask_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={url}"

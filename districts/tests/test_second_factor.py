"""Reviewers and the three admins sign in with a second factor (TOTP, or a recovery code once);
until it passes they reach only the second-factor pages. Everyone else signs in with the
password alone."""

import base64
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from districts.models import Role
from districts.second_factor import code_to_type_now, force_login_verified, otp_reset

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"
LOGIN = reverse("login")
VERIFY = reverse("otp_verify")
ENROL = reverse("otp_enrol")
HOME_UNIT = {
    Role.SYSTEM_ADMIN: "330103",
    Role.SECURITY_ADMIN: "330103",
    Role.AUDIT_ADMIN: "330103",
    Role.REVIEWER: "330103-CJB",
    Role.STREET_STAFF: "330103002",
    Role.COMMUNITY_STAFF: "330103002051",
    Role.DEPARTMENT_STAFF: "330103-YJJ",
    Role.INSPECTOR: "330103-XCZ1",
    Role.LEADER: "330103-LDXZ",
}
PRIVILEGED = [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.REVIEWER]
ORDINARY = [Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.DEPARTMENT_STAFF, Role.LEADER]
# The page each privileged role works on: the back office, or the office's review calendar.
WORK_PAGE = {
    Role.SYSTEM_ADMIN: reverse("admin:index"),
    Role.SECURITY_ADMIN: reverse("admin:index"),
    Role.AUDIT_ADMIN: reverse("admin:index"),
    Role.REVIEWER: reverse("report_calendar"),
}


def zh(message):
    with override("zh-hans"):
        return escape(gettext(message))


@pytest.fixture
def person(unit, make_user):
    def make(role, username=None, enrolled=True):
        user = make_user(role, unit(HOME_UNIT[role]), username=username)
        if enrolled:
            TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
        return user

    return make


def sign_in(client, user, **extra):
    return client.post(LOGIN, {"username": user.username, "password": PASSWORD, **extra})


def verify(client, code, next_url=""):
    return client.post(VERIFY, {"code": code, "next": next_url})


def recovery_codes(user, n=2):
    device = StaticDevice.objects.create(user=user, name="recovery codes")
    codes = [f"code{i}abc" for i in range(n)]
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return codes


@pytest.mark.parametrize("role", PRIVILEGED, ids=[r.value for r in PRIVILEGED])
def test_after_the_password_a_privileged_user_reaches_nothing_without_the_second_factor(client, person, role):
    user = person(role)
    response = sign_in(client, user, next=WORK_PAGE[role])
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    for url in (WORK_PAGE[role], reverse("admin:districts_user_changelist"), reverse("home"), reverse("site_list")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(f"{VERIFY}?next="), url
    assert client.get(VERIFY).status_code == 200


@pytest.mark.parametrize("role", PRIVILEGED, ids=[r.value for r in PRIVILEGED])
def test_a_code_from_the_app_opens_the_privileged_users_work(client, person, role):
    user = person(role)
    sign_in(client, user)
    response = verify(client, code_to_type_now(TOTPDevice.objects.get(user=user)), WORK_PAGE[role])
    assert response.status_code == 302
    assert response.url == WORK_PAGE[role]
    assert client.get(WORK_PAGE[role]).status_code == 200


def test_a_wrong_code_is_refused_then_throttled_and_told(client, person, told):
    user = person(Role.REVIEWER)
    sign_in(client, user)
    good = code_to_type_now(TOTPDevice.objects.get(user=user))
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = verify(client, wrong)
    assert response.status_code == 200
    assert zh("That code is not right. Type the six digits the app shows now, or one of your recovery codes.") in (
        response.content.decode()
    )
    # At once again, even with the right code: django-otp makes the next try wait.
    response = verify(client, good)
    throttled = zh("Too many wrong codes. Wait until %(time)s, then try again.").split("%(time)s")[0]
    assert throttled in response.content.decode()
    assert client.get(reverse("report_calendar")).status_code == 302
    assert [e.kind for e in told if e.kind == "otp_failed"] == ["otp_failed", "otp_failed"]


def test_a_recovery_code_signs_in_once(client, person):
    user = person(Role.AUDIT_ADMIN)
    first, second = recovery_codes(user)
    sign_in(client, user)
    response = verify(client, first.upper()[:4] + "-" + first.upper()[4:])  # as printed, in any case
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200

    client.post(reverse("logout"))
    sign_in(client, user)
    assert verify(client, first).status_code == 200  # used: refused
    assert client.get(reverse("admin:index")).status_code == 302
    StaticDevice.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert verify(client, second).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    assert not StaticToken.objects.filter(device__user=user).exists()


@pytest.mark.parametrize("role", ORDINARY, ids=[r.value for r in ORDINARY])
def test_other_roles_sign_in_with_the_password_alone(client, person, role):
    user = person(role, enrolled=False)
    response = sign_in(client, user)
    assert response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("site_list")).status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_a_privileged_user_without_an_app_sets_one_up_with_a_qr_code_and_gets_recovery_codes(client, person, told):
    user = person(Role.SYSTEM_ADMIN, enrolled=False)
    sign_in(client, user)
    response = client.get(reverse("admin:index"))
    assert response.url.startswith(f"{ENROL}?next=")
    page = client.get(response.url).content.decode()
    qr = page.split('data-testid="otp-qr">')[1].split("</div>")[0]
    assert qr.lstrip().startswith("<svg") and "<path" in qr
    assert "<img" not in page and "<script>" not in qr and "<script " not in qr
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = page.split('data-testid="otp-secret">')[1].split("</code>")[0]
    assert base64.b32decode(secret.replace(" ", "")) == device.bin_key

    assert client.post(response.url, {"code": "000000"}).status_code == 200  # wrong: stays
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = client.post(f"{ENROL}?next=/admin/", {"code": code_to_type_now(device), "next": "/admin/"})
    assert response.status_code == 302
    codes_page = client.get(response.url).content.decode()
    codes = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4})</li>", codes_page)
    assert len(codes) == 10
    assert client.get(reverse("admin:index")).status_code == 200
    # Shown once only.
    assert client.get(reverse("otp_recovery_codes")).status_code == 302
    assert ("otp_enrolled", user) in [(e.kind, e.user) for e in told]
    # And they work.
    client.post(reverse("logout"))
    sign_in(client, user)
    assert verify(client, codes[3]).status_code == 302


def test_an_enrolled_user_cannot_set_up_another_app_past_the_security_admin(client, person):
    user = person(Role.SECURITY_ADMIN)
    sign_in(client, user)
    response = client.get(ENROL)
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_the_security_admin_resets_another_users_second_factor_never_its_own(client, person, told):
    security = person(Role.SECURITY_ADMIN, username="secadmin")
    reviewer = person(Role.REVIEWER, username="office")
    recovery_codes(reviewer)
    force_login_verified(client, security)
    response = client.post(
        reverse("admin:districts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [reviewer.pk, security.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert not StaticDevice.objects.filter(user=reviewer).exists()
    assert TOTPDevice.objects.filter(user=security).exists()  # its own: refused
    assert [e.obj for e in told if e.kind == "otp_reset"] == [reviewer]
    # The reviewer sets up a new app at the next sign-in.
    client.post(reverse("logout"))
    sign_in(client, reviewer)
    assert client.get(reverse("report_calendar")).url.startswith(ENROL)


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN, Role.REVIEWER])
def test_only_the_security_admin_resets_a_second_factor(person, role):
    other = person(Role.REVIEWER, username="office")
    with pytest.raises(PermissionDenied):
        otp_reset(user=other, by=person(role))
    assert TOTPDevice.objects.filter(user=other).exists()


@pytest.mark.parametrize(
    "target", ["app_label", "admin:index", "//evil.example/", "https://evil.example/", "javascript:alert(1)"]
)
def test_a_next_that_is_not_a_path_of_the_platform_goes_home(client, district, unit, make_user, target):
    # Found by the fuzz run: ?next=app_label made redirect() look for a view of that name (500).
    force_login_verified(client, make_user(Role.REVIEWER, unit("330103-CJB")))
    response = client.get(reverse("otp_recovery_codes"), {"next": target})
    assert (response.status_code, response["Location"]) == (302, reverse("home"))

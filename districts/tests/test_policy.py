"""The security policy: the security admin keeps it in the back office (with history), the audit
admin reads it, nobody else sees it; until it is saved the environment's defaults hold."""

import pytest
from django.urls import reverse

from campaign.lib.signals import security_event
from districts.models import Role, SecurityPolicy
from districts.policy import current_policy
from districts.second_factor import force_login_verified

pytestmark = pytest.mark.django_db

ADD = reverse("admin:districts_securitypolicy_add")
CHANGE = reverse("admin:districts_securitypolicy_change", args=[1])
FORM = {
    "password_min_length": 12,
    "password_expiry_days": 60,
    "lockout_failure_limit": 5,
    "lockout_address_accounts": 10,
    "lockout_cooloff_minutes": 45,
    "idle_minutes_privileged": 20,
    "idle_minutes": 120,
    "session_hours": 10,
}


@pytest.fixture
def admin_of(unit, make_user, client):
    def sign_in(role):
        user = make_user(role, unit("330103"))
        force_login_verified(client, user)
        return user

    return sign_in


def test_until_it_is_saved_the_policy_is_the_environments_defaults(settings):
    settings.SECURITY_POLICY_DEFAULTS = {**settings.SECURITY_POLICY_DEFAULTS, "password_expiry_days": 30}
    policy = current_policy()
    assert policy.password_expiry_days == 30
    assert (policy.idle_minutes_privileged, policy.idle_minutes, policy.session_hours) == (30, 120, 12)
    assert not SecurityPolicy.objects.exists()


def test_the_security_admin_sets_the_policy_and_it_holds_at_once_with_history(client, admin_of):
    told = []
    security_event.connect(lambda sender, kind, **kw: told.append((kind, kw["detail"])), weak=False, dispatch_uid="t")
    try:
        user = admin_of(Role.SECURITY_ADMIN)
        assert client.get(reverse("admin:districts_securitypolicy_changelist")).url == ADD
        assert client.get(ADD).status_code == 200
        response = client.post(ADD, FORM)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert current_policy().password_min_length == 12
        response = client.post(CHANGE, {**FORM, "lockout_cooloff_minutes": 15})
        assert response.status_code == 302
        assert current_policy().lockout_cooloff_minutes == 15
        policy = SecurityPolicy.objects.get()
        assert [h.history_user for h in policy.history.all()] == [user, user]
        assert told[-1] == ("policy_change", {"lockout_cooloff_minutes": [45, 15]})
    finally:
        security_event.disconnect(dispatch_uid="t")


def test_an_idle_time_longer_than_the_longest_session_is_refused(client, admin_of):
    admin_of(Role.SECURITY_ADMIN)
    response = client.post(ADD, {**FORM, "idle_minutes": 700, "session_hours": 8})
    assert response.status_code == 200
    assert not SecurityPolicy.objects.exists()


def test_the_audit_admin_reads_the_policy_and_cannot_change_it(client, admin_of):
    SecurityPolicy.objects.create()
    admin_of(Role.AUDIT_ADMIN)
    assert client.get(CHANGE).status_code == 200
    assert client.post(CHANGE, {**FORM, "password_min_length": 8}).status_code == 403
    assert SecurityPolicy.objects.get().password_min_length == 10


def test_the_system_admin_cannot_see_the_policy(client, admin_of):
    SecurityPolicy.objects.create()
    admin_of(Role.SYSTEM_ADMIN)
    assert client.get(CHANGE).status_code == 403
    assert client.post(CHANGE, {**FORM, "lockout_failure_limit": 10}).status_code == 403
    assert SecurityPolicy.objects.get().lockout_failure_limit == 5

"""The system administrator keeps the reminder rules in the back office, through the service;
the other admin roles do not; nobody adds or deletes a rule; the outbox is read there."""

import json

import pytest
from django.urls import reverse

from districts.models import Role, User
from districts.second_factor import force_login_verified
from districts.services import membership_create
from notifications.models import ReminderRule, Subject

pytestmark = pytest.mark.django_db


def _admin(unit, role, username):
    user = User.objects.create_user(username=username, password="pw-for-tests-only")
    membership_create(user=user, unit=unit("330103"), role=role)
    return User.objects.get(pk=user.pk)


def _form(rule, **changes):
    data = {
        "enabled": "on" if rule.enabled else "",
        "days_before": json.dumps(rule.days_before),
        "on_the_day": "on" if rule.on_the_day else "",
        "overdue_every_days": rule.overdue_every_days,
        "overdue_for_days": rule.overdue_for_days,
        "allowed_days": rule.allowed_days or "",
        "recipients": json.dumps(rule.recipients),
        "email": "on" if rule.email else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_the_system_administrator_changes_a_rule_in_the_back_office(client, rules, unit):
    admin = _admin(unit, Role.SYSTEM_ADMIN, "sysadmin")
    force_login_verified(client, admin)
    rule = ReminderRule.objects.get(subject=Subject.KEY_TASK)
    assert client.get(reverse("admin:notifications_reminderrule_changelist")).status_code == 200
    url = reverse("admin:notifications_reminderrule_change", args=[rule.pk])
    response = client.post(url, _form(rule, days_before="[10, 2]", recipients='["responsible", "office"]'))
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert rule.days_before == [10, 2] and rule.recipients == ["responsible", "office"]
    assert rule.history.first().history_user == admin
    # A bad ladder is refused with the reason, and nothing changes.
    response = client.post(url, _form(rule, days_before='["soon"]'))
    assert response.status_code == 200 and "整数" in response.content.decode()
    rule.refresh_from_db()
    assert rule.days_before == [10, 2]
    assert client.get(reverse("admin:notifications_reminderrule_add")).status_code == 403
    assert client.get(reverse("admin:notifications_emailoutbox_changelist")).status_code == 200


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_the_other_admin_roles_do_not_change_the_rules(client, rules, unit, role):
    force_login_verified(client, _admin(unit, role, "other-admin"))
    rule = ReminderRule.objects.get(subject=Subject.KEY_TASK)
    url = reverse("admin:notifications_reminderrule_change", args=[rule.pk])
    client.post(url, _form(rule, days_before="[10, 2]"))
    rule.refresh_from_db()
    assert rule.days_before == [7, 3, 1]

"""The system administrator keeps the reminder rules in the back office, through the service;
the other admin roles do not; nobody adds or deletes a rule. The system administrator reads the
sent log (by kind, person and day) and the outbox, and retries a failed e-mail through the
service, which the audit trail records; nobody else sees either."""

import datetime
import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from districts.models import Role, User
from districts.second_factor import force_login_verified
from districts.services import membership_create
from notifications.models import EmailOutbox, Reminder, ReminderRule, Subject
from notifications.outbox import outbox_send
from notifications.services import outbox_retry
from notifications.sweep import sweep

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


# ------------------------------------------------------------ the sent log and the outbox


DAY = datetime.timedelta(days=1)


@pytest.fixture
def sent(settings, people, january):
    """Two sweeps: Wulin's and Tianshui's filers each got two digests by e-mail (queued)."""
    settings.REMINDER_EMAIL = True
    sweep(today=january.due_on - 7 * DAY)
    sweep(today=january.due_on - 3 * DAY)
    assert EmailOutbox.objects.count() >= 4
    return people


def _listed_texts(response):
    assert response.status_code == 200, response.status_code
    return [row.text for row in response.context["cl"].result_list]


def test_the_sent_log_lists_the_reminders_sent_by_kind_person_and_date(client, rules, unit, sent, january):
    force_login_verified(client, _admin(unit, Role.SYSTEM_ADMIN, "sysadmin"))
    url = reverse("admin:notifications_reminder_changelist")
    everything = _listed_texts(client.get(url))
    assert len(everything) == Reminder.objects.count() >= 4
    page = client.get(url).content.decode()
    assert "武林街道" in page and "wulin" in page
    # By person (the search box), by kind, by the day it was sent.
    wulin = _listed_texts(client.get(url, {"q": "wulin"}))
    assert wulin and len(wulin) == Reminder.objects.filter(recipient=sent["wulin"]).count() < len(everything)
    assert _listed_texts(client.get(url, {"kind__exact": Subject.HAZARD_DEADLINE})) == []
    assert len(_listed_texts(client.get(url, {"kind__exact": Subject.REPORT_DUE}))) == len(everything)

    def on(day):
        return {"created_at__year": day.year, "created_at__month": day.month, "created_at__day": day.day}

    today = timezone.localdate()
    assert len(_listed_texts(client.get(url, on(today)))) == len(everything)
    assert _listed_texts(client.get(url, on(today - DAY))) == []


def test_the_outbox_shows_pending_sent_and_failed_with_attempts_and_the_last_error(client, rules, unit, sent):
    failed, pending, done = EmailOutbox.objects.order_by("pk")[:3]
    EmailOutbox.objects.filter(pk=failed.pk).update(state="failed", attempts=5, last_error="SMTPRecipientsRefused: 550")
    EmailOutbox.objects.filter(pk=done.pk).update(state="sent", attempts=1, sent_at=timezone.now())
    force_login_verified(client, _admin(unit, Role.SYSTEM_ADMIN, "sysadmin"))
    url = reverse("admin:notifications_emailoutbox_changelist")
    assert {r.pk for r in client.get(url, {"state__exact": "failed"}).context["cl"].result_list} == {failed.pk}
    assert pending.pk in {r.pk for r in client.get(url, {"state__exact": "pending"}).context["cl"].result_list}
    page = client.get(url, {"state__exact": "failed"}).content.decode()
    assert "SMTPRecipientsRefused: 550" in page and "失败" in page
    detail = client.get(reverse("admin:notifications_emailoutbox_change", args=[failed.pk])).content.decode()
    assert "SMTPRecipientsRefused: 550" in detail


def test_retrying_a_failed_email_queues_it_again_through_the_service_and_leaves_an_audit_row(
    client, rules, unit, sent, settings
):
    failed, pending = EmailOutbox.objects.order_by("pk")[:2]
    EmailOutbox.objects.filter(pk=failed.pk).update(state="failed", attempts=5, last_error="SMTP server refused")
    admin = _admin(unit, Role.SYSTEM_ADMIN, "sysadmin")
    force_login_verified(client, admin)
    url = reverse("admin:notifications_emailoutbox_changelist")
    response = client.post(url, {"action": "retry", "_selected_action": [failed.pk, pending.pk], "index": 0})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == ("pending", 0)
    event = AuditEvent.objects.get(kind="admin_action", object_id=str(failed.pk))
    assert event.user == admin
    assert event.detail["action"] == "outbox_retry" and event.detail["error"] == "SMTP server refused"
    assert event.detail["attempts"] == 5
    # The pending one was left alone, and told nothing.
    assert not AuditEvent.objects.filter(kind="admin_action", object_id=str(pending.pk)).exists()
    # The next send delivers it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    outbox_send()
    failed.refresh_from_db()
    assert failed.state == "sent" and any(m.to == [failed.to] for m in mail.outbox)


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_the_other_admin_roles_neither_read_the_sent_log_nor_retry(client, rules, unit, sent, role):
    failed = EmailOutbox.objects.first()
    EmailOutbox.objects.filter(pk=failed.pk).update(state="failed", attempts=5)
    force_login_verified(client, _admin(unit, role, "other-admin"))
    assert client.get(reverse("admin:notifications_reminder_changelist")).status_code == 403
    assert client.get(reverse("admin:notifications_emailoutbox_changelist")).status_code == 403
    client.post(
        reverse("admin:notifications_emailoutbox_changelist"),
        {"action": "retry", "_selected_action": [failed.pk], "index": 0},
    )
    failed.refresh_from_db()
    assert failed.state == "failed"
    with pytest.raises(PermissionDenied):
        outbox_retry(rows=[failed], by=User.objects.get(username="other-admin"))


def test_a_street_user_sees_neither_the_sent_log_nor_the_outbox(client, sign_in, rules, sent):
    sign_in(client, sent["wulin"])
    for name in ("notifications_reminder_changelist", "notifications_emailoutbox_changelist"):
        response = client.get(reverse(f"admin:{name}"))
        assert response.status_code == 302 and "/login/" in response["Location"], name

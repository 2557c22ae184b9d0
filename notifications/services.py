"""The writes of the notification centre and of the rules: each one checks who may make it,
runs in a transaction, and keeps history (mirrored into the audit trail)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.lib.history import bulk_update_with_history
from campaign.lib.signals import tell
from districts import authority
from districts.models import Role
from jobs.models import Job
from jobs.services import job_start
from notifications.job_kinds import PREVIEW_KIND, tomorrow, watches_sweeps
from notifications.models import KIND_LABELS, EmailOutbox, Mute, Notification, ReminderRule

RULE_FIELDS = (
    "enabled",
    "days_before",
    "on_the_day",
    "overdue_every_days",
    "overdue_for_days",
    "allowed_days",
    "escalate_after_days",
    "recipients",
    "email",
)


def _own(notification: Notification, by) -> None:
    if notification.recipient_id != by.pk:
        raise PermissionDenied(_("This notification is someone else's."))


@transaction.atomic
def notification_read(*, notification: Notification, by) -> Notification:
    """Mark one of `by`'s notifications read (opening one of its lines does it too)."""
    _own(notification, by)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification._history_user = by
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_read_all(*, by) -> int:
    """Mark every unread notification of `by` read; returns how many."""
    rows = list(Notification.objects.select_for_update().filter(recipient=by, read_at__isnull=True))
    now = timezone.now()
    for row in rows:
        row.read_at = now
    if rows:
        bulk_update_with_history(rows, Notification, ["read_at"], default_user=by)
    return len(rows)


def mutable_kinds() -> list[str]:
    """The kinds a person may mute: every kind of notice, and of reminder whose rule is not an escalation."""
    escalations = set(ReminderRule.objects.filter(escalation=True).values_list("subject", flat=True))
    return [kind for kind in KIND_LABELS if kind not in escalations]


@transaction.atomic
def mute_set(*, by, kind: str, muted: bool) -> None:
    """Mute or unmute reminders or notices of `kind` for `by`. An escalation is never muted."""
    if kind not in KIND_LABELS:
        raise ValidationError({"kind": _("No such kind of reminder.")})
    if kind not in mutable_kinds():
        raise PermissionDenied(_("An escalation cannot be muted."))
    existing = Mute.objects.filter(user=by, kind=kind).first()
    if muted and existing is None:
        mute = Mute(user=by, kind=kind)
        mute.full_clean()
        mute._history_user = by
        mute.save()
    elif not muted and existing is not None:
        existing._history_user = by
        existing.delete()


@transaction.atomic
def rule_update(*, rule: ReminderRule, by, **fields) -> ReminderRule:
    """Change a reminder rule: the system administrator's set-up data."""
    authority.check_setup(by=by)
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"rule_update() does not change {sorted(unknown)}")
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule._history_user = by
    rule.save()
    return rule


@transaction.atomic
def outbox_retry(*, rows, by) -> int:
    """Put failed e-mails of `rows` back in the queue with their attempts anew: the next send
    (beat's, every few minutes) tries them again. Rows not failed are left as they are. The
    system administrator's; each retry is told to the audit trail with the error it had."""
    if by is not None and not authority.holds(by, Role.SYSTEM_ADMIN):
        raise PermissionDenied(_("Only a system administrator retries e-mails."))
    ids = [row.pk for row in rows]
    failed = list(EmailOutbox.objects.select_for_update().filter(pk__in=ids, state=EmailOutbox.State.FAILED))
    for row in failed:
        attempts, error = row.attempts, row.last_error
        row.state = EmailOutbox.State.PENDING
        row.attempts = 0
        row.full_clean()
        row.save(update_fields=["state", "attempts"])
        # The outbox keeps no history (it is operational): the audit trail has the retry.
        tell(
            "admin_action",
            user=by,
            obj=row,
            detail={"action": "outbox_retry", "state": ["failed", "pending"], "attempts": attempts, "error": error},
        )
    return len(failed)


def preview_start(*, by) -> Job:
    """Start a dry run of tomorrow's sweep: a job that lists what it would send, writing nothing
    of it (notifications.preview)."""
    if not watches_sweeps(by):
        raise PermissionDenied(_("Only a system administrator asks what the reminders would send."))
    return job_start(kind=PREVIEW_KIND, by=by, params={"day": tomorrow().isoformat()})

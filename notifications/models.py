"""Reminders (提醒) and the notification centre.

A rule (ReminderRule, data the system admin edits) says, for one kind of subject (a report
period due, a hazard's rectification deadline, …), on which days around its deadline a reminder
falls due, who receives it and whether by e-mail too. The sweep (notifications.sweep) reads the
records' current deadlines and states, finds every reminder whose day has come, and writes each
one once: a Reminder row is its key (rule, subject, deadline, offset, recipient), unique in the
database, and is also the line it adds to its recipient's digest (Notification) of that sweep.
The same sweep tells people what has just happened to their records (a Notice: a report
returned, a hazard assigned, …), read from the records' own event rows after a cursor
(EventCursor, notifications.events): a notice is a Reminder row without a rule, keyed by the
event and its recipient, a line of the same digest. E-mail leaves through an outbox row
(EmailOutbox), sent after the sweep's commit."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Subject(models.TextChoices):
    REPORT_DUE = "report_due", _("Report period due")
    HAZARD_DEADLINE = "hazard_deadline", _("Hazard rectification deadline")
    EXTENSION_PENDING = "extension_pending", _("Extension awaiting a decision")
    HAZARD_VERIFICATION = "hazard_verification", _("Hazard awaiting verification")
    RISK_REVIEW = "risk_review", _("Risk review due")
    KEY_TASK = "key_task", _("Key task due")
    # Escalations (ReminderRule.escalation): to the supervising side, never muted.
    HAZARD_ESCALATION = "hazard_escalation", _("Hazard overdue: escalated")
    REPORT_MISSING = "report_missing", _("Report missing: escalated")
    MAJOR_HAZARD_WEEKLY = "major_hazard_weekly", _("Listed major hazards overdue: weekly")
    # A bulletin (通报) its recipient unit has not acknowledged (签收) some days after publication.
    BULLETIN_UNACKNOWLEDGED = "bulletin_unacknowledged", _("Bulletin not yet acknowledged")


# A weekly subject's reminders fall due once a week, on this weekday (0 is Monday) in the deadline
# time zone; a week whose day had no sweep is caught up by the next sweep of that week.
WEEKLY = {Subject.MAJOR_HAZARD_WEEKLY: 0}


class Notice(models.TextChoices):
    """What has just happened to a record, told to the people who act next (notifications.events)."""

    REPORT_RETURNED = "report_returned", _("Report returned")
    HAZARD_ASSIGNED = "hazard_assigned", _("Hazard assigned to your unit")
    RECTIFICATION_SUBMITTED = "rectification_submitted", _("Rectification awaiting verification")
    RECTIFICATION_RETURNED = "rectification_returned", _("Rectification returned")


# Every kind of line a digest holds, in the order a digest groups them (what just happened
# first, then what falls due): each one may be muted, and the centre filters by them.
KINDS = [*Notice.choices, *Subject.choices]
KIND_LABELS = dict(KINDS)


class Recipient(models.TextChoices):
    FILERS = "filers", _("The unit's filers")
    RESPONSIBLE = "responsible", _("The responsible unit")
    ISSUING = "issuing", _("The issuing or supervising unit")
    OFFICE = "office", _("The creation office")
    LEADING_GROUP = "leading_group", _("The leading group")


def validate_days_before(value):
    if not isinstance(value, list) or any(not isinstance(d, int) or isinstance(d, bool) or d < 1 for d in value):
        raise ValidationError(_("Give the days before the deadline as whole numbers of 1 or more, e.g. [7, 3, 1]."))


def validate_recipients(value):
    if not isinstance(value, list) or not value or any(r not in Recipient.values for r in value):
        raise ValidationError(
            _("Choose who receives the reminder, from: %(choices)s.")
            % {"choices": "、".join(f"{r.value} ({r.label})" for r in Recipient)}
        )


def default_days_before():
    return [7, 3, 1]


class ReminderRule(models.Model):
    """When reminders of one kind of subject fall due, to whom, and how they travel."""

    subject = models.CharField(_("subject"), max_length=30, choices=Subject.choices, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    days_before = models.JSONField(
        _("days before the deadline"),
        default=default_days_before,
        blank=True,
        validators=[validate_days_before],
        help_text=_("A reminder on each of these days before the deadline, e.g. [7, 3, 1]."),
    )
    on_the_day = models.BooleanField(_("on the day"), default=True)
    overdue_every_days = models.PositiveSmallIntegerField(
        _("when overdue, every (days)"), default=3, help_text=_("0: no reminders once the deadline has passed.")
    )
    overdue_for_days = models.PositiveSmallIntegerField(
        _("overdue reminders stop after (days)"),
        default=30,
        help_text=_("Past this many days after the deadline the subject gets no more reminders."),
    )
    allowed_days = models.PositiveSmallIntegerField(
        _("days allowed"),
        null=True,
        blank=True,
        help_text=_(
            "For subjects without a deadline of their own (a verification, an extension's decision): "
            "the deadline is this many days after the request."
        ),
    )
    recipients = models.JSONField(_("recipients"), validators=[validate_recipients])
    email = models.BooleanField(
        _("also by e-mail"), default=True, help_text=_("To people with an e-mail address, when e-mail is configured.")
    )
    # An escalation (to the supervising side) may not be muted by the person it reaches.
    escalation = models.BooleanField(_("escalation"), default=False)
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalated when overdue by (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "For an escalation: raised when the deadline is this many days past, then every "
            "“when overdue, every” days (0: once) until the overdue reminders stop. For a weekly "
            "digest: how many days overdue a subject must be on the digest's day."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(overdue_for_days__gte=models.F("overdue_every_days")), name="reminder_rule_overdue_window"
            ),
        ]

    def __str__(self):
        return self.get_subject_display()

    def clean(self):
        every, until = self.overdue_every_days, self.overdue_for_days
        if every is not None and until is not None and until < every:
            raise ValidationError({"overdue_for_days": _("Overdue reminders must be allowed at least one interval.")})
        after = self.escalate_after_days
        if not self.escalation:
            if after is not None:
                raise ValidationError(
                    {"escalate_after_days": _("Only an escalation is raised after a number of days.")}
                )
            return
        if after is None:
            raise ValidationError({"escalate_after_days": _("Say how many days overdue raise the escalation.")})
        if self.days_before or self.on_the_day:
            raise ValidationError(
                _(
                    "An escalation is raised only once the deadline has passed: leave the days before "
                    "empty and “on the day” unticked."
                )
            )
        if until is not None and until < after:
            raise ValidationError({"overdue_for_days": _("The escalation must be raised before its reminders stop.")})

    @property
    def is_weekly(self) -> bool:
        return self.subject in WEEKLY

    def week_day(self, today: datetime.date) -> datetime.date:
        """A weekly rule's day of the week `today` is in (that day, or the last one before it)."""
        return today - datetime.timedelta(days=(today.weekday() - WEEKLY[self.subject]) % 7)

    def offsets(self) -> list[int]:
        """Every day a reminder falls due, in days from the deadline: −7, −3, −1, 0, 3, 6, … (an
        escalation: N, then every so many days after N). A weekly rule has no fixed days."""
        if self.is_weekly:
            return []
        if self.escalate_after_days is not None:
            first, every = self.escalate_after_days, self.overdue_every_days
            if first > self.overdue_for_days:
                return []
            return list(range(first, self.overdue_for_days + 1, every)) if every else [first]
        days = {-d for d in self.days_before}
        if self.on_the_day:
            days.add(0)
        if self.overdue_every_days:
            days.update(range(self.overdue_every_days, self.overdue_for_days + 1, self.overdue_every_days))
        return sorted(days)

    def offset_due(self, deadline: datetime.date, today: datetime.date) -> int | None:
        """The reminder due on `today` for `deadline`: the latest offset whose day has come. A day
        the sweep did not run is caught up by the next (its offset is still the latest), and an
        offset overtaken by a later one is not sent late (no "due in 3 days" on the due day).
        None before the first offset and after the last day of overdue reminders.

        A weekly rule's offset is its week's day, counted from the deadline: one reminder a week,
        for a subject overdue by `escalate_after_days` (at least 1) on that day, caught up later
        in the week, never twice."""
        if self.is_weekly:
            elapsed = (self.week_day(today) - deadline).days
            if not (max(self.escalate_after_days or 1, 1) <= elapsed <= self.overdue_for_days):
                return None
            return elapsed
        elapsed = (today - deadline).days
        if elapsed > self.overdue_for_days:
            return None
        passed = [o for o in self.offsets() if o <= elapsed]
        return passed[-1] if passed else None

    def deadlines_due(self, today: datetime.date) -> tuple[datetime.date, datetime.date]:
        """The deadlines that may have a reminder due today (first, last): from the last day of
        overdue reminders to the first day before. An escalation's last day is the day its
        reminders stop, so that an escalation whose day had no sweep is still raised."""
        day = datetime.timedelta(days=1)
        if self.is_weekly:
            start = self.week_day(today)
            return start - self.overdue_for_days * day, start - max(self.escalate_after_days or 1, 1) * day
        offsets = self.offsets()
        if not offsets:
            return today, today - day  # a rule with no day at all: nothing is due
        latest = max(offsets[-1], 0)
        if self.escalate_after_days is not None:
            latest = max(latest, self.overdue_for_days)
        return today - latest * day, today - min(offsets[0], 0) * day


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """What one person received in one sweep: a digest of their reminders and notices (its lines)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The bell: a person's unread count, from this index alone.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_list"),
        ]

    def __str__(self):
        return self.title


class Reminder(models.Model):
    """One line of a digest, sent once. A reminder: its key (rule, subject, deadline, offset,
    recipient), unique. An event notice (no rule, no deadline, no offset): its key (subject — the
    event, "hazard_event:12" — and recipient), unique too. The sweep inserts it with ON CONFLICT
    DO NOTHING in the transaction that writes the digest, so it is written once however often
    sweeps run."""

    audit_append_only = True  # one row per line sent, never changed

    rule = models.ForeignKey(
        ReminderRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # The subject as the rule's source names it: "hazard:12", "report:<period>:<unit>", …; for a
    # notice, its event: "hazard_event:12", "submission_event:7".
    subject = models.CharField(_("subject"), max_length=64)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    offset = models.SmallIntegerField(_("days from the deadline"), null=True, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=KINDS)
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=300)
    position = models.PositiveIntegerField(_("position"), default=0)  # an office may have 30,000+ lines in a digest
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["notification", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject", "deadline", "offset", "recipient"], name="one_reminder_per_key"
            ),
            # A notice's key: the rule, deadline and offset are NULL, which the index above tells apart.
            models.UniqueConstraint(
                fields=["subject", "recipient"], condition=Q(rule__isnull=True), name="one_notice_per_key"
            ),
            models.CheckConstraint(
                condition=Q(rule__isnull=True, deadline__isnull=True, offset__isnull=True)
                | Q(rule__isnull=False, deadline__isnull=False, offset__isnull=False),
                name="reminder_or_notice",
            ),
        ]

    def __str__(self):
        return self.text


class Mute(models.Model):
    """A person who does not want reminders or notices of one kind (never an escalation's)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notification_mutes"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=KINDS)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("muted kind")
        verbose_name_plural = _("muted kinds")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_mute_per_user_kind")]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()}"


class EmailOutbox(models.Model):
    """An e-mail to send: written with its notification, sent after the commit by a sender that
    claims it with SELECT … FOR UPDATE SKIP LOCKED; pending → sent, or failed after MAX_ATTEMPTS."""

    audit_exempt = "operational: an e-mail's delivery state; the notification it carries keeps history"

    MAX_ATTEMPTS = 5

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.OneToOneField(
        Notification, verbose_name=_("notification"), on_delete=models.CASCADE, related_name="email"
    )
    to = models.EmailField(_("to"))
    subject = models.CharField(_("e-mail subject"), max_length=200)
    body = models.TextField(_("text"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["id"]
        indexes = [models.Index(fields=["id"], condition=Q(state="pending"), name="outbox_pending")]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=["pending", "sent", "failed"]), name="outbox_state_known"),
            models.CheckConstraint(condition=~Q(state="sent") | Q(sent_at__isnull=False), name="outbox_sent_has_time"),
        ]

    def __str__(self):
        return f"{self.to} · {self.subject}"


class EventCursor(models.Model):
    """How far the sweep has read one source of event rows (notifications.events): every id up
    to `last_id` has been read, but those in `pending`, ranges [first, last, since] of ids that
    were not there when the sweep read past them (a transaction that took its id earlier and had
    not committed yet, or one rolled back), read again until they appear or `since` is too old.
    Moved only after the notices of what was read are committed, and only from the state it was
    read in (`version`): a sweep that lost a race leaves the winner's, and what it read twice
    adds nothing (the notices' unique key)."""

    audit_exempt = "operational: how far the sweep has read the event rows, not a record"

    source = models.CharField(_("event source"), max_length=30, unique=True)
    last_id = models.BigIntegerField(_("last id read"), default=0)
    pending = models.JSONField(_("ids waited for"), default=list, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("event cursor")
        verbose_name_plural = _("event cursors")

    def __str__(self):
        return f"{self.source} · {self.last_id}"

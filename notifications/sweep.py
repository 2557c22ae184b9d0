"""The sweep: every reminder whose day has come, written once, one digest per person.

Found by window, not by equality: for each subject a source finds (notifications.sources), the
rule gives the latest offset whose day has come (ReminderRule.offset_due). Its key (rule,
subject, deadline, offset, recipient) is inserted with ON CONFLICT DO NOTHING in the transaction
that writes the person's digest: a key already there (an earlier sweep, or one running at the
same time, which the unique index makes wait for the other's commit) adds nothing, and a person
whose every key was there gets no digest. A sweep that dies half-way leaves the digests it
committed; the next one writes the rest. E-mail is queued in the same transaction (EmailOutbox)
and sent after the commit (notifications.outbox).

The reading (plan: sources, keys already written, mutes, what each person may open) is apart from
the writing, so that the dry run (notifications.preview) reads exactly what a sweep would."""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign.lib.deadlines import deadline_today
from districts.models import Membership, OrgUnit, User
from districts.scoping import Subtree
from notifications.models import EmailOutbox, Mute, Notification, Recipient, Reminder, ReminderRule, Subject
from notifications.scope import openable
from notifications.sources import OFFICE_ROLES, SOURCES, Due

logger = logging.getLogger(__name__)
KIND_ORDER = {kind: i for i, kind in enumerate(Subject.values)}


@dataclasses.dataclass
class SweepResult:
    due: int = 0  # (subject, offset) pairs whose day has come
    people: int = 0  # digests written
    reminders: int = 0  # reminders written (lines of the digests)
    emails: int = 0  # e-mails queued
    hidden: int = 0  # reminders not sent because the person could not open their subject

    def as_report(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Entry:
    rule: ReminderRule
    due: Due
    offset: int

    @property
    def key(self):
        return (self.rule.pk, self.due.subject, self.due.deadline, self.offset)


@dataclasses.dataclass
class Plan:
    """What a sweep on `today` would write, read and nothing written: each person's new entries
    (not sent before, not muted, openable), in the order their digest lists them."""

    today: datetime.date
    result: SweepResult
    people: list[tuple[User, list[Entry]]]


def plan(*, today: datetime.date) -> Plan:
    """The sweep's reading of the sources, keys, mutes and scopes for `today`: what a sweep that
    day would send. The sweep writes it; the dry run (notifications.preview) only lists it."""
    result = SweepResult()
    entries = []
    for rule in ReminderRule.objects.filter(enabled=True).order_by("pk"):
        for due in SOURCES[rule.subject](rule, today):
            offset = rule.offset_due(due.deadline, today)
            if offset is not None:
                entries.append(Entry(rule, due, offset))
    result.due = len(entries)
    people: list[tuple[User, list[Entry]]] = []
    by_person = _recipients(entries, today)
    if not by_person:
        return Plan(today, result, people)
    sent = _already_sent(entries)
    muted = set(Mute.objects.filter(user_id__in=by_person).values_list("user_id", "kind"))
    users = User.objects.filter(pk__in=by_person, is_active=True).in_bulk()
    for user_id in sorted(by_person):
        user = users.get(user_id)
        if user is None:
            continue
        wanted = [
            e
            for e in by_person[user_id]
            if (*e.key, user_id) not in sent and (e.rule.escalation or (user_id, e.rule.subject) not in muted)
        ]
        if not wanted:
            continue
        kept = {id(d) for d in openable(user, [e.due for e in wanted])}
        result.hidden += sum(1 for e in wanted if id(e.due) not in kept)
        wanted = [e for e in wanted if id(e.due) in kept]
        if wanted:
            people.append((user, sorted(wanted, key=_digest_order)))
    return Plan(today, result, people)


def sweep(*, today: datetime.date | None = None) -> SweepResult:
    """Write every reminder due on `today` (the deadline time zone's today) not written yet."""
    planned = plan(today=today or deadline_today())
    result = planned.result
    email_on = bool(settings.REMINDER_EMAIL)
    for user, entries in planned.people:
        written, emailed = _write_digest(user, entries, planned.today, email_on=email_on)
        if written:
            result.people += 1
            result.reminders += written
            result.emails += emailed
    if result.emails:
        transaction.on_commit(_send_after_commit)
    return result


def _digest_order(entry: Entry):
    return (KIND_ORDER[entry.rule.subject], entry.due.deadline, entry.due.subject)


def _recipients(entries: list[Entry], today: datetime.date) -> dict[int, list[Entry]]:
    """Person → the entries they receive: the members, with a named role, of the units each
    entry's rule sends to (units not dissolved, people active), and the office of the subject's
    district. Two queries whatever the number of entries."""
    unit_ids = {
        unit_id
        for e in entries
        for kind, pairs in e.due.units.items()
        if kind in e.rule.recipients
        for unit_id, _roles in pairs
    }
    offices = []
    if any(Recipient.OFFICE in e.rule.recipients for e in entries):
        offices = list(
            OrgUnit.objects.filter(kind=OrgUnit.Kind.OFFICE)
            .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))
            .select_related("parent")
        )
        unit_ids.update(o.pk for o in offices)
    members = defaultdict(list)
    rows = (
        Membership.objects.filter(unit_id__in=unit_ids, user__is_active=True)
        .filter(Q(unit__dissolved_on__isnull=True) | Q(unit__dissolved_on__gt=today))
        .values_list("unit_id", "user_id", "role")
    )
    for unit_id, user_id, role in rows:
        members[unit_id].append((user_id, role))
    by_person: dict[int, dict] = defaultdict(dict)
    for e in entries:
        targets = [pair for kind, pairs in e.due.units.items() if kind in e.rule.recipients for pair in pairs]
        if Recipient.OFFICE in e.rule.recipients and e.due.district_unit is not None:
            unit = e.due.district_unit
            targets += [(o.pk, OFFICE_ROLES) for o in offices if o.parent and Subtree.of(o.parent).contains(unit)]
        for unit_id, roles in targets:
            for user_id, role in members.get(unit_id, ()):
                if role in roles:
                    by_person[user_id][e.key] = e  # one line per subject, whoever they are on its side
    return {user_id: list(found.values()) for user_id, found in by_person.items()}


def _already_sent(entries: list[Entry]) -> set:
    """The keys written before: those people are skipped without a write (the insert's ON
    CONFLICT still decides, should a sweep running beside this one write them meanwhile)."""
    if not entries:
        return set()
    subjects = sorted({e.due.subject for e in entries})
    rules = sorted({e.rule.pk for e in entries})
    earliest = min(e.due.deadline for e in entries)
    found = set()
    for start in range(0, len(subjects), 2000):
        # By the unique key's index: its rule, then its subject.
        rows = Reminder.objects.filter(
            rule_id__in=rules, subject__in=subjects[start : start + 2000], deadline__gte=earliest
        )
        found.update(rows.values_list("rule_id", "subject", "deadline", "offset", "recipient_id"))
    return found


def _write_digest(user: User, entries: list[Entry], today: datetime.date, *, email_on: bool) -> tuple[int, int]:
    """One person's digest of this sweep (`entries` in the plan's order): the notification, its
    reminders (those whose key is new), and its e-mail, in one transaction. Returns (reminders
    written, e-mails queued)."""
    # The platform's language: a digest is written once, for whoever reads it later (Chinese).
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Reminders of %(date)s") % {"date": today.isoformat()}
        lines = [e.due.line(today) for e in entries]
    with transaction.atomic():
        note = Notification.objects.create(recipient=user, title=title)
        inserted = _insert(note, user, entries, lines)
        if not inserted:
            # Every key was written by a sweep beside this one: no digest, no e-mail.
            transaction.set_rollback(True)
            return 0, 0
        emailed = 0
        emailed_entries = [i for i in inserted if entries[i].rule.email]
        if email_on and user.email and emailed_entries:
            with translation.override(settings.LANGUAGE_CODE):
                body = _email_body(user, [(entries[i], lines[i]) for i in emailed_entries])
            EmailOutbox.objects.create(notification=note, to=user.email, subject=title, body=body)
            emailed = 1
    return len(inserted), emailed


def _insert(note: Notification, user: User, entries: list[Entry], lines: list[str]) -> list[int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the positions of the reminders written now."""
    table = Reminder._meta.db_table
    columns = ["rule_id", "subject", "deadline", "offset", "recipient_id", "notification_id", "kind", "text", "url"]
    columns += ["position", "created_at"]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    key = ", ".join(connection.ops.quote_name(c) for c in ("rule_id", "subject", "deadline", "offset", "recipient_id"))
    now = timezone.now()
    written = []
    with connection.cursor() as cursor:
        for start in range(0, len(entries), 500):
            chunk = list(enumerate(entries))[start : start + 500]
            values, params = [], []
            for position, e in chunk:
                values.append("(" + ", ".join(["%s"] * len(columns)) + ")")
                params += [e.rule.pk, e.due.subject, e.due.deadline, e.offset, user.pk, note.pk, e.rule.subject]
                params += [lines[position][:300], e.due.url[:300], position, now]
            cursor.execute(
                f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES {', '.join(values)} "  # noqa: S608
                f"ON CONFLICT ({key}) DO NOTHING RETURNING {connection.ops.quote_name('position')}",
                params,
            )
            written += [row[0] for row in cursor.fetchall()]
    return sorted(written)


def _email_body(user: User, pairs: list[tuple[Entry, str]]) -> str:
    base = settings.SITE_URL.rstrip("/")
    parts = [_("Hello %(name)s, these are due:") % {"name": getattr(user, "full_name", "") or user.get_username()}]
    current = None
    for entry, line in pairs:
        if entry.rule.subject != current:
            current = entry.rule.subject
            parts += ["", f"【{Subject(current).label}】"]
        parts.append(f"- {line}\n  {base}{entry.due.url}")
    parts += ["", _("Your notifications: %(url)s") % {"url": f"{base}/notifications/"}]
    return "\n".join(parts)


def _send_after_commit() -> None:
    from notifications.outbox import outbox_send

    try:
        outbox_send()
    except Exception:
        # The rows stay pending: the next sweep's run sends them.
        logger.exception("reminder e-mails could not be sent now")

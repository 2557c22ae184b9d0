"""The sweep: every reminder whose day has come, written once, one digest per person.

Found by window, not by equality: for each subject a source finds (notifications.sources), the
rule gives the latest offset whose day has come (ReminderRule.offset_due). Its key (rule,
subject, deadline, offset, recipient) is inserted with ON CONFLICT DO NOTHING in the transaction
that writes the person's digest: a key already there (an earlier sweep, or one running at the
same time, which the unique index makes wait for the other's commit) adds nothing, and a person
whose every key was there gets no digest. Run as a job (notifications.job_kinds), the whole
sweep commits with the job's end: a worker killed half-way leaves no digest, and the next sweep
writes them all (notifications/tests/test_faults.py). E-mail is queued in the same transaction
(EmailOutbox) and sent after the commit (notifications.outbox).

The same sweep reads the records' new event rows (notifications.events): their notices are
lines of the same digests (one notification per person per sweep, reminders and notices
together), keyed by their event and recipient; the event cursors move once the digests are
committed.

The reading (plan: sources, event rows, keys already written, mutes, what each person may open)
is apart from the writing, so that the dry run (notifications.preview) reads exactly what a sweep
would."""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections import defaultdict
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign.lib.batch import collection_paused
from campaign.lib.deadlines import deadline_today
from campaign.lib.sql import any_of
from districts.models import Membership, OrgUnit, User
from districts.scoping import Subtree
from notifications import events
from notifications.models import KIND_LABELS, EmailOutbox, Mute, Notification, Recipient, Reminder, ReminderRule
from notifications.scope import openable
from notifications.sources import LEADER_ROLES, OFFICE_ROLES, SOURCES, Due

logger = logging.getLogger(__name__)
KIND_ORDER = {kind: i for i, kind in enumerate(KIND_LABELS)}
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclasses.dataclass
class SweepResult:
    due: int = 0  # (subject, offset) pairs whose day has come
    events: int = 0  # events read that are told (notifications.events)
    people: int = 0  # digests written
    reminders: int = 0  # reminders written (lines of the digests)
    notices: int = 0  # event notices written (lines of the same digests)
    emails: int = 0  # e-mails queued
    hidden: int = 0  # lines not sent because the person could not open their subject

    def as_report(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Entry:
    """A line that may be sent: a reminder (its rule and the offset due), or an event notice (no
    rule: its kind is its own, all its units receive it, by e-mail too, and it may be muted)."""

    rule: ReminderRule | None
    due: Due
    offset: int | None = None

    @property
    def key(self):
        return (self.rule.pk if self.rule else None, self.due.subject, self.due.deadline, self.offset)

    @property
    def kind(self) -> str:
        return self.rule.subject if self.rule else self.due.kind

    @property
    def recipients(self) -> list[str]:
        return self.rule.recipients if self.rule else list(self.due.units)

    @property
    def email(self) -> bool:
        return self.rule.email if self.rule else True

    @property
    def escalation(self) -> bool:
        return bool(self.rule and self.rule.escalation)


@dataclasses.dataclass
class Plan:
    """What a sweep on `today` would write, read and nothing written: each person's new entries
    (not sent before, not muted, openable), in the order their digest lists them, and the event
    cursors' reads (notifications.events), to move once the digests are written."""

    today: datetime.date
    result: SweepResult
    people: list[tuple[User, list[Entry]]]
    reads: object = None


def plan(*, today: datetime.date) -> Plan:
    """The sweep's reading of the sources, the new event rows, keys, mutes and scopes for `today`:
    what a sweep that day would send. The sweep writes it; the dry run (notifications.preview)
    only lists it (and moves no cursor)."""
    result = SweepResult()
    entries = []
    for rule in ReminderRule.objects.filter(enabled=True).order_by("pk"):
        for due in SOURCES[rule.subject](rule, today):
            offset = rule.offset_due(due.deadline, today)
            if offset is not None:
                entries.append(Entry(rule, due, offset))
    result.due = len(entries)
    notices, reads = events.read_events()
    result.events = len(notices)
    entries += [Entry(None, due) for due in notices]
    people: list[tuple[User, list[Entry]]] = []
    by_person = _recipients(entries, today)
    if not by_person:
        return Plan(today, result, people, reads)
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
            if (*e.key, user_id) not in sent and (e.escalation or (user_id, e.kind) not in muted)
        ]
        if not wanted:
            continue
        kept = {id(d) for d in openable(user, [e.due for e in wanted])}
        result.hidden += sum(1 for e in wanted if id(e.due) not in kept)
        wanted = [e for e in wanted if id(e.due) in kept]
        if wanted:
            people.append((user, sorted(wanted, key=_digest_order)))
    return Plan(today, result, people, reads)


def sweep(*, today: datetime.date | None = None) -> SweepResult:
    """Write every reminder due on `today` (the deadline time zone's today) not written yet, and
    the notices of the events written since the last sweep; then move the event cursors."""
    with collection_paused():
        planned = plan(today=today or deadline_today())
        result = planned.result
        email_on = bool(settings.REMINDER_EMAIL)
        for user, entries in planned.people:
            reminders, notices, emailed = _write_digest(user, entries, planned.today, email_on=email_on)
            if reminders or notices:
                result.people += 1
                result.reminders += reminders
                result.notices += notices
                result.emails += emailed
    # Only now: a sweep that died before this line leaves the cursors where they were, and the
    # next one reads those events again (their notices written already add nothing).
    events.advance(planned.reads)
    if result.emails:
        transaction.on_commit(_send_after_commit)
    return result


# The district's bodies a rule may send to: the kinds of unit they are, and the roles there
# that receive. Leaders sit in the leading group or on the district itself.
DISTRICT_BODIES = {
    Recipient.OFFICE: ({OrgUnit.Kind.OFFICE}, OFFICE_ROLES),
    Recipient.LEADING_GROUP: ({OrgUnit.Kind.LEADING_GROUP, OrgUnit.Kind.DISTRICT}, LEADER_ROLES),
}


def _digest_order(e: Entry):
    """A digest's order: by kind (notices first), then deadline, time and subject."""
    return (KIND_ORDER[e.kind], e.due.deadline or datetime.date.min, e.due.at or EPOCH, e.due.subject)


def _recipients(entries: list[Entry], today: datetime.date) -> dict[int, list[Entry]]:
    """Person → the entries they receive: the members, with a named role, of the units each
    entry's rule sends to (units not dissolved, people active), and the office or leading group
    of the subject's district; a notice's units, but not the person who took the step it tells.
    Two queries whatever the number of entries."""
    unit_ids = {
        unit_id
        for e in entries
        for kind, pairs in e.due.units.items()
        if kind in e.recipients
        for unit_id, _roles in pairs
    }
    bodies = {kind: [] for kind in DISTRICT_BODIES if any(kind in e.recipients for e in entries)}
    if bodies:
        kinds = set().union(*(DISTRICT_BODIES[kind][0] for kind in bodies))
        found = (
            OrgUnit.objects.filter(kind__in=kinds)
            .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))
            .select_related("parent")
        )
        for body in found:
            # The district a body serves: itself, or the district it hangs off.
            district = body if body.kind == OrgUnit.Kind.DISTRICT else body.parent
            if district is None:
                continue
            for kind in bodies:
                if body.kind in DISTRICT_BODIES[kind][0]:
                    bodies[kind].append((body.pk, Subtree.of(district)))
                    unit_ids.add(body.pk)
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
        targets = [pair for kind, pairs in e.due.units.items() if kind in e.recipients for pair in pairs]
        unit = e.due.district_unit
        for kind, found_bodies in bodies.items():
            if kind in e.recipients and unit is not None:
                roles = DISTRICT_BODIES[kind][1]
                targets += [(pk, roles) for pk, district in found_bodies if district.contains(unit)]
        for unit_id, roles in targets:
            for user_id, role in members.get(unit_id, ()):
                if role in roles and user_id != e.due.actor_id:
                    by_person[user_id][e.key] = e  # one line per subject, whoever they are on its side
    return {user_id: list(found.values()) for user_id, found in by_person.items()}


def _already_sent(entries: list[Entry]) -> set:
    """The keys written before: those people are skipped without a write (the insert's ON
    CONFLICT still decides, should a sweep running beside this one write them meanwhile)."""
    found = set()
    reminders = [e for e in entries if e.rule is not None]
    if reminders:
        # By the unique key's index: its rule, then its subject.
        rows = Reminder.objects.filter(
            rule_id__in=sorted({e.rule.pk for e in reminders}),
            subject__in=any_of(sorted({e.due.subject for e in reminders}), "text"),
            deadline__gte=min(e.due.deadline for e in reminders),
        )
        found.update(rows.values_list(*KEY))
    notices = sorted({e.due.subject for e in entries if e.rule is None})
    if notices:
        # By the notices' unique key's index (subject, recipient, where there is no rule).
        rows = Reminder.objects.filter(rule__isnull=True, subject__in=any_of(notices, "text"))
        found.update(rows.values_list(*KEY))
    return found


def _write_digest(user: User, entries: list[Entry], today: datetime.date, *, email_on: bool) -> tuple[int, int, int]:
    """One person's digest of this sweep (`entries` in the plan's order): the notification, its
    lines (those whose key is new), and its e-mail, in one transaction. Returns (reminders
    written, notices written, e-mails queued)."""
    # The platform's language: a digest is written once, for whoever reads it later (Chinese).
    with translation.override(settings.LANGUAGE_CODE):
        title = _title(entries, today)
        lines = [e.due.line(today) for e in entries]
    with transaction.atomic():
        note = Notification.objects.create(recipient=user, title=title)
        inserted = _insert(note, user, entries, lines)
        if not inserted:
            # Every key was written by a sweep beside this one: no digest, no e-mail.
            transaction.set_rollback(True)
            return 0, 0, 0
        emailed = 0
        emailed_entries = [i for i in inserted if entries[i].email]
        if email_on and user.email and emailed_entries:
            with translation.override(settings.LANGUAGE_CODE):
                body = _email_body(user, note, [(entries[i], lines[i]) for i in emailed_entries])
            EmailOutbox.objects.create(notification=note, to=user.email, subject=title, body=body)
            emailed = 1
    notices = sum(1 for i in inserted if entries[i].rule is None)
    return len(inserted) - notices, notices, emailed


def _title(entries: list[Entry], today: datetime.date) -> str:
    date = {"date": today.isoformat()}
    notices, reminders = any(e.rule is None for e in entries), any(e.rule is not None for e in entries)
    if notices and reminders:
        return _("Notices and reminders of %(date)s") % date
    if notices:
        return _("Notices of %(date)s") % date
    return _("Reminders of %(date)s") % date


KEY = ("rule_id", "subject", "deadline", "offset", "recipient_id")
COLUMNS = [*KEY, "notification_id", "kind", "text", "url", "position", "created_at"]
# Their PostgreSQL types, for the arrays they are inserted from (_insert_rows).
COLUMN_TYPES = (
    *("bigint", "text", "date", "smallint", "bigint"),
    *("bigint", "text", "text", "text", "integer", "timestamptz"),
)


def _insert(note: Notification, user: User, entries: list[Entry], lines: list[str]) -> list[int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the positions of the lines written now. The
    reminders on their key's index, the notices on theirs (subject, recipient, without a rule)."""
    q = connection.ops.quote_name
    reminders = [(p, e) for p, e in enumerate(entries) if e.rule is not None]
    notices = [(p, e) for p, e in enumerate(entries) if e.rule is None]
    written = _insert_rows(note, user, reminders, lines, "(" + ", ".join(q(c) for c in KEY) + ")")
    written += _insert_rows(
        note, user, notices, lines, f"({q('subject')}, {q('recipient_id')}) WHERE {q('rule_id')} IS NULL"
    )
    return sorted(written)


def _insert_rows(
    note: Notification, user: User, rows: list[tuple[int, Entry]], lines: list[str], conflict: str
) -> list[int]:
    """The rows as one statement on PostgreSQL: a column an array (`unnest`), so a digest of any
    length costs one query and binds eleven parameters; elsewhere (SQLite) by VALUES, 500 rows at
    a time."""
    if not rows:
        return []
    q = connection.ops.quote_name
    quoted = ", ".join(q(c) for c in COLUMNS)
    now = timezone.now()
    values = [
        [*e.key, user.pk, note.pk, e.kind, lines[position][:300], e.due.url[:300], position, now]
        for position, e in rows
    ]
    insert = f"INSERT INTO {q(Reminder._meta.db_table)} ({quoted}) "
    returning = f" ON CONFLICT {conflict} DO NOTHING RETURNING {q('position')}"
    written = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{t}[]" for t in COLUMN_TYPES)
            columns = [list(column) for column in zip(*values, strict=True)]
            cursor.execute(f"{insert}SELECT * FROM unnest({arrays}){returning}", columns)  # noqa: S608 (our names)
            return [row[0] for row in cursor.fetchall()]
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            placeholders = ", ".join("(" + ", ".join(["%s"] * len(COLUMNS)) + ")" for _ in chunk)
            cursor.execute(f"{insert}VALUES {placeholders}{returning}", [v for row in chunk for v in row])
            written += [row[0] for row in cursor.fetchall()]
    return written


# An e-mail lists this many lines of each kind; the rest are counted, with a link to the digest's
# own page of that kind (an office's digest may hold tens of thousands: megabytes no mail server
# takes and nobody reads).
EMAIL_LINES_PER_KIND = 20


def _email_body(user: User, note: Notification, pairs: list[tuple[Entry, str]]) -> str:
    base = settings.SITE_URL.rstrip("/")
    name = {"name": getattr(user, "full_name", "") or user.get_username()}
    if any(entry.rule is None for entry, _line in pairs):
        parts = [_("Hello %(name)s, these need your attention:") % name]
    else:
        parts = [_("Hello %(name)s, these are due:") % name]
    page = reverse("notification_detail", args=[note.pk])
    by_kind: dict[str, list[tuple[Entry, str]]] = {}
    for entry, line in pairs:
        by_kind.setdefault(entry.kind, []).append((entry, line))
    for kind, found in by_kind.items():
        parts += ["", f"【{KIND_LABELS[kind]}】"]
        parts += [f"- {line}\n  {base}{entry.due.url}" for entry, line in found[:EMAIL_LINES_PER_KIND]]
        if len(found) > EMAIL_LINES_PER_KIND:
            more = {"n": len(found) - EMAIL_LINES_PER_KIND, "url": f"{base}{page}?{urlencode({'kind': kind})}"}
            parts.append(_("… and %(n)s more: %(url)s") % more)
    parts += ["", _("Your notifications: %(url)s") % {"url": f"{base}{reverse('notification_list')}"}]
    return "\n".join(parts)


def _send_after_commit() -> None:
    from notifications.outbox import outbox_send

    try:
        outbox_send()
    except Exception:
        # The rows stay pending: the next sweep's run sends them.
        logger.exception("reminder e-mails could not be sent now")

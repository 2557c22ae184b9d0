"""Event notices: what has just happened to a record, told once to the people who act next.
Read from the records' own event rows, never from signals, so that a bulk write (bulk_create,
an import) is told as a service call is:

    a report returned            SubmissionEvent "return"  → the filing unit's filers, with the reason
    a hazard assigned            HazardEvent "assign"      → the responsible unit
    a rectification reported     HazardEvent "submit"      → the verifying side (the verification reminder's)
    a rectification returned     HazardEvent "return"      → the responsible unit, with the reason

Each kind of event row is read after its cursor (EventCursor): the ids above `last_id`, in id
order (BATCH a sweep at most), and the ids it waits for. An id is taken when the row is
inserted, not when its transaction commits: a transaction that took id 41 and commits after
another took and committed 42 leaves 41 missing when a sweep reads 42. Such a gap is kept
(`pending`) and read again by every sweep until its rows appear, for PENDING_FOR: a transaction
rolled back leaves its ids missing for ever. A notice's key is its event and recipient, unique:
an event read twice (by a sweep that died before moving the cursor, by two sweeps at once) is
told once. The cursor moves after the sweep's digests are committed (advance()).

On first install (a source without a cursor) the cursor starts at the newest event, and that
sweep tells nothing of it: what happened before is history, and telling it now would flood
every person with stale news. Events written between the migration and the first sweep (the
beat's five minutes at most) are part of that history."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hazards.models import Action, HazardEvent
from hazards.workflow import SIDE_ROLES, Side
from notifications.models import EventCursor, Notice, Recipient
from notifications.sources import Due, hazard_units
from reporting.models import FILER_ROLES, SubmissionEvent

BATCH = 5000  # new event rows read a sweep, per source: the rest by the next sweep
PENDING_FOR = datetime.timedelta(hours=6)  # longer than any transaction that writes events
MAX_PENDING = 500  # gaps waited for, per source: beyond, the oldest are given up


def _hazard_notice(event: HazardEvent) -> Due | None:
    hazard = event.hazard
    if hazard.responsible_unit_id is None:
        return None  # nobody's to act on (a row written by hand)
    number, title = hazard.number, hazard.title
    unit = hazard.responsible_unit.name
    deadline = event.deadline or hazard.deadline
    deadline = deadline.isoformat() if deadline else ""
    reason = event.note.strip()
    if event.action == Action.ASSIGN:
        kind, to = Notice.HAZARD_ASSIGNED, Recipient.RESPONSIBLE

        def line(today):
            return _("%(number)s %(title)s · assigned to %(unit)s for rectification, deadline %(deadline)s") % {
                "number": number,
                "title": title,
                "unit": unit,
                "deadline": deadline,
            }

    elif event.action == Action.SUBMIT:
        kind, to = Notice.RECTIFICATION_SUBMITTED, Recipient.ISSUING

        def line(today):
            return _("%(number)s %(title)s · reported rectified by %(unit)s, awaiting verification") % {
                "number": number,
                "title": title,
                "unit": unit,
            }

    else:
        kind, to = Notice.RECTIFICATION_RETURNED, Recipient.RESPONSIBLE

        def line(today):
            return _("%(number)s %(title)s · rectification returned, deadline %(deadline)s: %(reason)s") % {
                "number": number,
                "title": title,
                "deadline": deadline,
                "reason": reason,
            }

    # The verifying side is the verification reminder's (the issuing unit's verifiers, the
    # supervising unit of a listed hazard); the responsible unit its rectifiers.
    units = hazard_units(hazard, SIDE_ROLES[Side.VERIFIER])
    if to not in units:
        return None
    return Due(
        subject=f"hazard_event:{event.pk}",
        deadline=None,
        line=line,
        url=reverse("hazard_detail", args=[hazard.pk]),
        units={to: units[to]},
        opens=("hazard", hazard.pk),
        kind=kind,
        at=event.at,
        actor_id=event.by_id,
    )


def _submission_notice(event: SubmissionEvent) -> Due:
    submission = event.submission
    report, period, unit = submission.period.report_type.name, submission.period.label, submission.unit.name
    reason = event.comment.strip()

    def line(today):
        return _("%(report)s, %(period)s · %(unit)s: returned by the office: %(reason)s") % {
            "report": report,
            "period": period,
            "unit": unit,
            "reason": reason,
        }

    return Due(
        subject=f"submission_event:{event.pk}",
        deadline=None,
        line=line,
        url=reverse("submission_detail", args=[submission.pk]),
        units={Recipient.FILERS: [(submission.unit_id, FILER_ROLES)]},
        opens=("submission", submission.pk),
        kind=Notice.REPORT_RETURNED,
        at=event.at,
        actor_id=event.by_id,
    )


@dataclass(frozen=True)
class EventSource:
    key: str  # the cursor's name
    model: type
    actions: tuple[str, ...]  # the events told; every other row is read past
    related: tuple[str, ...]  # what a notice's line and recipients need, in the one query
    notice: Callable[[object], Due | None]


SOURCES = [
    EventSource(
        "hazard_events",
        HazardEvent,
        (Action.ASSIGN, Action.SUBMIT, Action.RETURN),
        ("hazard__responsible_unit", "hazard__listing"),
        _hazard_notice,
    ),
    EventSource(
        "submission_events",
        SubmissionEvent,
        (SubmissionEvent.Action.RETURN,),
        ("submission__unit", "submission__period__report_type"),
        _submission_notice,
    ),
]


@dataclass(frozen=True)
class Read:
    """Where one source's cursor goes once the notices of what was read are committed, if it is
    still where it was read (`version`)."""

    source: str
    version: int | None  # None: the source has no cursor yet
    last_id: int
    pending: list


def read_events(*, now: datetime.datetime | None = None) -> tuple[list[Due], list[Read]]:
    """The notices of the event rows not read yet, and the cursors' moves (advance() them once
    the notices are committed). Three queries a source (the cursor, the ids, the events told)."""
    now = now or timezone.now()
    dues, reads = [], []
    for source in SOURCES:
        cursor = EventCursor.objects.filter(source=source.key).first()
        if cursor is None:
            # None yet (a first sweep): it starts at the newest event, once advanced.
            newest = source.model.objects.aggregate(n=Max("pk"))["n"] or 0
            reads.append(Read(source.key, None, newest, []))
            continue
        rows, last_id, pending = _scan(source, cursor, now)
        told = [pk for pk, action in rows if action in source.actions]
        if told:
            events = source.model.objects.filter(pk__in=told).select_related(*source.related).order_by("pk")
            dues += [due for event in events if (due := source.notice(event)) is not None]
        if (last_id, pending) != (cursor.last_id, cursor.pending):
            reads.append(Read(source.key, cursor.version, last_id, pending))
    return dues, reads


def advance(reads: list[Read]) -> None:
    """Move the cursors: a conditional UPDATE each, from the version read. A sweep that ran beside
    this one and moved a cursor first keeps its move; the rows this one read past are read again
    by the next sweep, and their notices, already written, add nothing."""
    now = timezone.now()
    for read in reads:
        if read.version is None:  # the source's first cursor
            EventCursor.objects.get_or_create(source=read.source, defaults={"last_id": read.last_id})
            continue
        EventCursor.objects.filter(source=read.source, version=read.version).update(
            last_id=read.last_id, pending=read.pending, version=F("version") + 1, updated_at=now
        )


def _scan(source: EventSource, cursor: EventCursor, now: datetime.datetime) -> tuple[list, int, list]:
    """The (id, action) of the rows after the cursor and of those it waits for, the new last id,
    and the gaps still waited for: [first id, last id, since (epoch seconds)]."""
    rows = source.model.objects.order_by("pk").values_list("pk", "action")
    oldest = (now - PENDING_FOR).timestamp()
    waited = [gap for gap in cursor.pending if gap[2] >= oldest]
    found = []
    if waited:
        gaps = Q()
        for first, last, _since in waited:
            gaps |= Q(pk__gte=first, pk__lte=last)
        found = list(rows.filter(gaps))
    new = list(rows.filter(pk__gt=cursor.last_id)[:BATCH])
    seen = sorted(pk for pk, _action in found)
    pending = []
    for first, last, since in waited:
        pending += [[a, b, since] for a, b in _holes(first, last, [pk for pk in seen if first <= pk <= last])]
    last_id, stamp = cursor.last_id, int(now.timestamp())
    for pk, _action in new:
        if pk > last_id + 1:
            pending.append([last_id + 1, pk - 1, stamp])
        last_id = pk
    return found + new, last_id, pending[-MAX_PENDING:]


def _holes(first: int, last: int, seen: list[int]) -> list[tuple[int, int]]:
    """The ranges of [first, last] without an id of `seen` (sorted)."""
    holes, start = [], first
    for pk in seen:
        if pk > start:
            holes.append((start, pk - 1))
        start = pk + 1
    if start <= last:
        holes.append((start, last))
    return holes

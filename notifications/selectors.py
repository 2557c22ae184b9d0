"""Reads of the notification centre: always a person's own notifications."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from notifications.models import KIND_LABELS, KINDS, Mute, Notification, Reminder

# The list shows at most this many lines of each kind of a notification; the rest are on its own page.
FIRST_LINES = 5


def unread_count(user) -> int:
    """The bell: one COUNT over the partial index of unread notifications."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user, *, kind: str = "", unread: bool = False):
    """`user`'s notifications, newest first; filtered by a kind of line and unread. Their lines
    and counts: `with_first_lines`, for one page of them (not a join of every line here: the
    paginator's COUNT would read all of the office's lines of every digest)."""
    rows = Notification.objects.filter(recipient=user)
    if kind:
        rows = rows.filter(pk__in=Reminder.objects.filter(recipient=user, kind=kind).values("notification"))
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


@dataclass
class LineGroup:
    """A notification's first lines of one kind, and how many it holds."""

    kind: str
    label: str
    count: int
    lines: list

    @property
    def more(self) -> int:
        return max(self.count - len(self.lines), 0)


def with_first_lines(notifications: list[Notification]) -> list[Notification]:
    """Sets `groups` on each notification, its first FIRST_LINES lines of each kind in the
    digest's order with each kind's count, and `line_count`, their sum. One query whatever the
    number of lines (an office's digest holds tens of thousands): the lines numbered and counted
    per (notification, kind) by window functions, and only the first few of each read."""
    for note in notifications:
        note.groups, note.line_count = [], 0
    if not notifications:
        return notifications
    by_pk = {note.pk: note for note in notifications}
    per_kind = {"partition_by": [F("notification_id"), F("kind")]}
    lines = (
        Reminder.objects.filter(notification__in=by_pk)
        .annotate(
            row=Window(RowNumber(), order_by=[F("position"), F("id")], **per_kind),
            kind_count=Window(Count("id"), **per_kind),
        )
        .filter(row__lte=FIRST_LINES)
        .order_by("notification_id", "position", "id")
    )
    groups: dict[tuple[int, str], LineGroup] = {}
    for line in lines:
        group = groups.get((line.notification_id, line.kind))
        if group is None:
            group = LineGroup(line.kind, KIND_LABELS.get(line.kind, line.kind), line.kind_count, [])
            groups[line.notification_id, line.kind] = group
            note = by_pk[line.notification_id]
            note.groups.append(group)
            note.line_count += group.count
        group.lines.append(line)
    return notifications


def notification_for(user, pk: int) -> Notification:
    return Notification.objects.get(recipient=user, pk=pk)


def notification_kinds(notification: Notification) -> list[tuple[str, str]]:
    """The kinds of line `notification` holds, (value, label) in the order a digest groups them."""
    present = set(notification.reminders.order_by().values_list("kind", flat=True).distinct())
    return [(value, label) for value, label in KINDS if value in present]


def notification_lines(notification: Notification, *, kind: str = ""):
    """`notification`'s lines in the digest's order, of one kind if given."""
    lines = notification.reminders.all()
    if kind:
        lines = lines.filter(kind=kind)
    return lines.order_by("position", "id")


def muted_kinds(user) -> set[str]:
    return set(Mute.objects.filter(user=user).values_list("kind", flat=True))

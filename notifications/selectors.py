"""Reads of the notification centre: always a person's own notifications."""

from __future__ import annotations

from django.db.models import Count, Prefetch

from notifications.models import KINDS, Mute, Notification, Reminder


def unread_count(user) -> int:
    """The bell: one COUNT over the partial index of unread notifications."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user, *, kind: str = "", unread: bool = False):
    """`user`'s notifications, newest first, with their lines; filtered by a kind of line and unread."""
    rows = Notification.objects.filter(recipient=user)
    if kind:
        rows = rows.filter(pk__in=Reminder.objects.filter(recipient=user, kind=kind).values("notification"))
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return (
        rows.annotate(line_count=Count("reminders"))
        .order_by("-created_at", "-id")
        .prefetch_related(Prefetch("reminders", queryset=Reminder.objects.order_by("position", "id")))
    )


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

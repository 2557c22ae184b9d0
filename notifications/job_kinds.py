"""The reminder sweep as a job: beat starts one every few minutes (notifications.tasks), the job
framework runs it (claim, time limits, stall detection), and its page and the job list show each
run's report, duration and failure."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy

from districts.models import Role
from districts.scoping import memberships_of
from jobs.registry import JobKind, register
from notifications.sweep import sweep

KIND = "reminders"


def _run(job, prepared, progress) -> dict:
    progress.start(1)
    return sweep().as_report()


def _visible_to(user) -> Q:
    # The system administrators watch the sweeps.
    admin = user.is_superuser or any(m.role == Role.SYSTEM_ADMIN for m in memberships_of(user))
    return Q() if admin else Q(pk__in=[])


LABEL = gettext_lazy("Reminder sweep")
REMINDERS = register(JobKind(name=KIND, label=LABEL, run=_run, visible_to=_visible_to))

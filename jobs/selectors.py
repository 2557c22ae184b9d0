"""Reads of jobs for their pages: the runs of a kind that beat starts, as its job page shows them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from jobs.models import Job


@dataclass(frozen=True)
class ScheduledRuns:
    last: Job | None  # the latest run beat started (started_by is empty), whatever its state
    recent: list[Job]  # the latest runs, newest first
    failures: list[Job]  # the failed runs of the last `days` days, newest first (at most `recent`'s length)
    failed_count: int  # how many runs failed in those days
    days: int


def scheduled_runs(kind: str, *, user, recent: int = 10, days: int = 7) -> ScheduledRuns:
    """The runs beat started of `kind`, as `user` may see them (Job.objects.visible_to): the last
    one, the latest `recent`, and the failures of the last `days` days. Two queries (three past `recent` failures)."""
    runs = Job.objects.visible_to(user).filter(kind=kind, started_by__isnull=True).order_by("-created_at", "-pk")
    latest = list(runs[:recent])
    since = timezone.now() - datetime.timedelta(days=days)
    failed = runs.filter(state=Job.State.FAILED, created_at__gte=since)
    failures = list(failed[:recent])
    count = len(failures) if len(failures) < recent else failed.count()
    return ScheduledRuns(
        last=latest[0] if latest else None, recent=latest, failures=failures, failed_count=count, days=days
    )

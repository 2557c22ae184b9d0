"""The reminder sweep as a job: beat starts one every few minutes (notifications.tasks), the job
framework runs it (claim, time limits, stall detection), and its page shows each run's report,
and the schedule's last run, its duration and recent failures. The dry run ("what would be sent
tomorrow") is a job too: it reads as much as a sweep does, too long for a request at volume."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.lib.deadlines import deadline_today
from districts.models import Role
from districts.scoping import memberships_of
from jobs.registry import JobKind, register
from jobs.selectors import scheduled_runs
from notifications.models import Subject
from notifications.preview import ROWS_SHOWN, preview
from notifications.schedule import BEAT_SCHEDULE
from notifications.sweep import sweep

KIND = "reminders"
PREVIEW_KIND = "reminders_preview"


def watches_sweeps(user) -> bool:
    """The system administrators watch the sweeps and ask for dry runs."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(m.role == Role.SYSTEM_ADMIN for m in memberships_of(user))


def _visible_to(user) -> Q:
    return Q() if watches_sweeps(user) else Q(pk__in=[])


def _run(job, prepared, progress) -> dict:
    progress.start(1)
    return sweep().as_report()


def schedule_text() -> str:
    entry = BEAT_SCHEDULE["reminders-sweep"]
    cron = entry["schedule"]
    fields = " ".join(
        str(getattr(cron, f"_orig_{name}"))
        for name in ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
    )
    return _(
        "Beat starts a sweep on the schedule %(cron)s (minute hour day month weekday); "
        "a start not run within %(expires)s s is dropped."
    ) % {
        "cron": fields,
        "expires": entry["options"]["expires"],
    }


def _page(request, job):
    return render(
        request,
        "notifications/sweep_job.html",
        {
            "job": job,
            "report": job.report or {},
            "running": job.is_active,
            "label": LABEL,
            "runs": scheduled_runs(KIND, user=request.user),
            "schedule": schedule_text(),
        },
    )


def _run_preview(job, prepared, progress) -> dict:
    progress.start(1)
    return preview(today=datetime.date.fromisoformat(job.params["day"]))


def _preview_page(request, job):
    report = job.report or {}
    labels = dict(Subject.choices)
    kinds = [(labels.get(kind, kind), n) for kind, n in sorted(report.get("kinds", {}).items())]
    return render(
        request,
        "notifications/preview_job.html",
        {
            "job": job,
            "report": report,
            "running": job.is_active,
            "label": PREVIEW_LABEL,
            "day": job.params.get("day", ""),
            "kinds": kinds,
            "rows": [
                {**row, "kind_label": labels.get(row["kind"], row["kind"]), "days": abs(row["offset"])}
                for row in report.get("rows", [])
            ],
            "rows_shown": ROWS_SHOWN,
        },
    )


def tomorrow() -> datetime.date:
    return deadline_today() + datetime.timedelta(days=1)


LABEL = gettext_lazy("Reminder sweep")
REMINDERS = register(JobKind(name=KIND, label=LABEL, run=_run, visible_to=_visible_to, page=_page))
PREVIEW_LABEL = gettext_lazy("Reminders that would be sent")
PREVIEW = register(
    JobKind(name=PREVIEW_KIND, label=PREVIEW_LABEL, run=_run_preview, visible_to=_visible_to, page=_preview_page)
)

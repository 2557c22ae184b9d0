"""Long work as a job the user watches (STYLE.md, "Jobs"): one model for every kind.

The app knows no domain: a kind is a name in the registry (jobs.registry), what a job was asked to
do is its `params`, the org unit it concerns a plain id (`unit_id`) that the kind interprets."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The heartbeat runs every minute; three missed beats mean the worker is down.
HEARTBEAT_STALE_AFTER = datetime.timedelta(minutes=3)


class JobQuerySet(models.QuerySet):
    def visible_to(self, user) -> JobQuerySet:
        """The jobs `user` may see: those they started, and those their kinds show them
        (JobKind.visible_to). Everyone else is told the job does not exist."""
        from jobs.registry import kinds

        if not user.is_authenticated:
            return self.none()
        condition = Q(started_by=user)
        for kind in kinds():
            if kind.visible_to is not None:
                condition |= Q(kind=kind.name) & kind.visible_to(user)
        return self.filter(condition)


class Job(models.Model):
    """One piece of long work: queued → running → done or failed. The page polls it."""

    audit_exempt = "operational: a job's progress; the records a job writes are audited as writes"

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    # What the job was asked to do, as its kind reads it (an import: its upload and whether a preview).
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # The org unit the job concerns, for kinds that show their jobs to a unit's people.
    unit_id = models.PositiveBigIntegerField(_("org unit"), null=True, blank=True, db_index=True)
    total = models.PositiveIntegerField(_("steps"), default=0)
    processed = models.PositiveIntegerField(_("steps done"), default=0)
    # The worker's last sign of life (claim, progress): a running job silent for long was cut off.
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    result = models.FileField(_("result file"), upload_to="jobs/%Y/%m/", blank=True)
    report = models.JSONField(_("report"), null=True, blank=True)
    # Written at the claim: only the run holding it may record the outcome.
    run = models.CharField(_("run"), max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"], name="job_state_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed"]), name="job_state_known"
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(state__in=["done", "failed"]),
                name="job_finished_only_when_ended",
            ),
        ]

    def __str__(self):
        return f"{self.kind} · {self.get_state_display()}"

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.processed / self.total)) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def duration(self) -> datetime.timedelta | None:
        """How long the run took, from its claim to its outcome (None until both are known)."""
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class JobHeartbeat(models.Model):
    """When the Celery worker last ran the scheduled heartbeat: tells admins that jobs run."""

    audit_exempt = "operational: when a worker last ran"

    name = models.CharField(max_length=50, unique=True)
    last_seen = models.DateTimeField()
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("job heartbeat")
        verbose_name_plural = _("job heartbeats")

    def __str__(self):
        return self.name

    @property
    def alive(self) -> bool:
        return timezone.now() - self.last_seen < HEARTBEAT_STALE_AFTER

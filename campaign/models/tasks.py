"""The plan's key tasks per sector (重点任务): a lead unit, co-units, a due date, milestones, and
progress updates with evidence. Overdue is computed from the due date, never stored."""

from __future__ import annotations

import datetime
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaign.lib.deadlines import deadline_today
from campaign.models.plan import Campaign
from districts.models import OrgUnit, Sector
from districts.scoping import Scope, ScopedQuerySet, Subtree

# A task is led, and shared, by a street, a department or the creation office: the units that
# carry out the plan's work (communities work through their street).
TASK_UNIT_KINDS = frozenset({OrgUnit.Kind.STREET, OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.OFFICE})
# "Due soon": due today or within this many days.
DUE_SOON_DAYS = 7


def overdue_q(today: datetime.date | None = None) -> Q:
    """Not completed and past its due date (the due day itself is still in time)."""
    return Q(completed_on__isnull=True, due_on__lt=today or deadline_today())


def due_soon_q(today: datetime.date | None = None) -> Q:
    """Not completed and due today or within DUE_SOON_DAYS days."""
    today = today or deadline_today()
    return Q(completed_on__isnull=True, due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))


def in_progress_q(today: datetime.date | None = None) -> Q:
    """Not completed and not yet past its due date (due soon included)."""
    return Q(completed_on__isnull=True, due_on__gte=today or deadline_today())


class KeyTaskQuerySet(ScopedQuerySet):
    unit_lookup = "lead_unit__"
    sector_lookup = "sector"

    def in_scope(self, scope: Scope):
        """Tasks a unit in scope leads or shares (as a co-unit), and the tasks of a sector led there."""
        if scope.everything:
            return self
        shared = self.filter(scope.units_only().q("co_units__", None)).values("pk")
        return self.filter(scope.q(self.unit_lookup, self.sector_lookup) | Q(pk__in=shared))

    def overdue(self, today: datetime.date | None = None):
        return self.filter(overdue_q(today))

    def due_soon(self, today: datetime.date | None = None):
        return self.filter(due_soon_q(today))

    def done(self):
        return self.filter(completed_on__isnull=False)

    def overdue_at(self, day: datetime.date):
        """overdue_q as it stood at the end of `day` (the rollups' stock of a past period):
        due before `day` and not completed by then."""
        return self.filter(due_on__lt=day).filter(Q(completed_on__isnull=True) | Q(completed_on__gt=day))


class KeyTask(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="tasks")
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="key_tasks")
    code = models.CharField(_("task number"), max_length=30, help_text=_("The number the plan gives it, e.g. 3.2."))
    title = models.CharField(_("task"), max_length=300)
    description = models.TextField(_("what is to be done"), blank=True)
    lead_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="led_tasks"
    )
    co_units = models.ManyToManyField(OrgUnit, verbose_name=_("co-units"), blank=True, related_name="shared_tasks")
    due_on = models.DateField(_("due date"))
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, editable=False, validators=[MaxValueValidator(100)]
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = KeyTaskQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[co_units])

    class Meta:
        verbose_name = _("key task")
        verbose_name_plural = _("key tasks")
        ordering = ["campaign", "sector__order", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="one_key_task_per_number"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="key_task_progress_at_most_100"),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(progress=100), name="key_task_completed_at_100"
            ),
        ]
        indexes = [models.Index(fields=["due_on"])]

    def __str__(self):
        return f"{self.code} {self.title}"

    def unique_error_message(self, model_class, unique_check):
        if tuple(unique_check) == ("campaign", "code"):
            return ValidationError(
                _("The campaign already has a task numbered %(code)s."), code="unique", params={"code": self.code}
            )
        return super().unique_error_message(model_class, unique_check)

    def clean(self):
        errors = {}
        if self.lead_unit_id and self.lead_unit.kind not in TASK_UNIT_KINDS:
            errors["lead_unit"] = _("A task is led by a street, a department or the creation office.")
        elif self.lead_unit_id and self.campaign_id and not Subtree.of(self.campaign.district).contains(self.lead_unit):
            errors["lead_unit"] = _("The lead unit must belong to the campaign's district.")
        if self.due_on and self.campaign_id and not (self.campaign.starts_on <= self.due_on <= self.campaign.ends_on):
            errors["due_on"] = _("The due date must fall within the campaign (%(start)s to %(end)s).") % {
                "start": self.campaign.starts_on.isoformat(),
                "end": self.campaign.ends_on.isoformat(),
            }
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.completed_on is None and self.due_on < (today or deadline_today())

    def is_due_soon(self, today: datetime.date | None = None) -> bool:
        today = today or deadline_today()
        return self.completed_on is None and today <= self.due_on <= today + datetime.timedelta(days=DUE_SOON_DAYS)

    def status(self, today: datetime.date | None = None) -> str:
        """What the lists show: done, overdue, due soon, or in progress."""
        if self.completed_on is not None:
            return "done"
        if self.is_overdue(today):
            return "overdue"
        return "due_soon" if self.is_due_soon(today) else "in_progress"


class Milestone(models.Model):
    task = models.ForeignKey(KeyTask, verbose_name=_("key task"), on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["task", "due_on", "id"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.due_on and self.task_id and self.due_on > self.task.due_on:
            raise ValidationError(
                {
                    "due_on": _("A milestone falls due on or before its task (%(date)s).")
                    % {"date": self.task.due_on.isoformat()}
                }
            )
        if self.due_on and self.task_id and self.due_on < self.task.campaign.starts_on:
            raise ValidationError(
                {
                    "due_on": _("A milestone falls due within the campaign, from %(date)s.")
                    % {"date": self.task.campaign.starts_on.isoformat()}
                }
            )


class TaskProgress(models.Model):
    """One progress update: the percent reached, what was done, the evidence."""

    audit_append_only = True  # an update is a statement made on a day; a later one supersedes it

    task = models.ForeignKey(KeyTask, verbose_name=_("key task"), on_delete=models.CASCADE, related_name="updates")
    percent = models.PositiveSmallIntegerField(_("progress (%)"), validators=[MaxValueValidator(100)])
    note = models.TextField(_("what was done"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="task_progress_at_most_100"),
        ]

    def __str__(self):
        return f"{self.percent}% · {self.at:%Y-%m-%d}"


def evidence_path(instance, filename: str) -> str:
    # Never the uploader's name on disk: it is kept in original_name and given back on download.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"tasks/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class TaskEvidence(models.Model):
    audit_append_only = True

    update = models.ForeignKey(
        TaskProgress, verbose_name=_("progress update"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path)
    original_name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20)
    mime = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

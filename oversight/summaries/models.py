"""Annual summaries (年度创建工作总结): the district's (or a street's) report of a year's creation
work, printed as a PDF with its tables as an xlsx workbook beside it.

A summary is one unit's year: its narrative parts (主要做法和成效, 存在问题, 下一步计划), drafted
from the year's figures and edited as drafts, and the versions made of it. A version is made by
a job (oversight.summaries.documents): it reads the year's figures from the rollups the
dashboards read, freezes them as a snapshot (JSON, with its sha256) beside the narrative as it
stood, renders the PDF and the workbook from that snapshot alone, and keeps both with their
sha256. Versions are never changed and never removed: an earlier one stays listed and served."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from districts.models import OrgUnit, Role

# Who makes a unit's summary: the creation office and the district's administrators (the
# district's and every street's), a street's staff (their street's). Leaders read the district's.
MAKER_ROLES = frozenset({Role.REVIEWER, Role.SYSTEM_ADMIN, Role.STREET_STAFF})
READER_ROLES = frozenset({*MAKER_ROLES, Role.LEADER})
UNIT_KINDS = (OrgUnit.Kind.DISTRICT, OrgUnit.Kind.STREET)
NARRATIVE = ("practices", "problems", "plans")


class AnnualSummary(models.Model):
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind__in": UNIT_KINDS},
    )
    year = models.PositiveSmallIntegerField(_("year"))
    practices = models.TextField(_("Main work and results"), blank=True)
    problems = models.TextField(_("Problems"), blank=True)
    plans = models.TextField(_("Plans for next year"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual summary")
        verbose_name_plural = _("annual summaries")
        ordering = ["-year", "unit__tree_id", "unit__lft"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="one_summary_per_unit_year")]

    def __str__(self):
        return f"{self.unit} {self.year}"

    @property
    def narrative(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in NARRATIVE}


class SummaryVersion(models.Model):
    """One making of a summary: the figures and narrative it printed, its PDF and workbook."""

    audit_append_only = True  # written once, whole, by the job that made it

    summary = models.ForeignKey(
        AnnualSummary, verbose_name=_("annual summary"), on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    language = models.CharField(_("language"), max_length=10)
    narrative = models.JSONField(_("narrative"))
    snapshot = models.JSONField(_("figures snapshot"))
    snapshot_sha256 = models.CharField(_("sha256 of the snapshot"), max_length=64)
    figures_built_at = models.DateTimeField(_("figures as of"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="summaries/%Y/")
    pdf_sha256 = models.CharField(_("sha256 of the PDF"), max_length=64)
    pdf_pages = models.PositiveSmallIntegerField(_("pages"))
    xlsx = models.FileField(_("workbook"), upload_to="summaries/%Y/")
    xlsx_sha256 = models.CharField(_("sha256 of the workbook"), max_length=64)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("made by"), on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(_("made at"))
    job_id = models.PositiveBigIntegerField(_("job"), null=True, blank=True)
    seconds = models.DecimalField(_("seconds to make"), max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("annual summary version")
        verbose_name_plural = _("annual summary versions")
        ordering = ["summary", "-version"]
        constraints = [models.UniqueConstraint(fields=["summary", "version"], name="one_summary_version_number")]

    def __str__(self):
        return f"{self.summary} v{self.version}"

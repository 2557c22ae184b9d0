"""Bulletins (通报): the creation office's numbered documents ranking the streets and departments
over a period. A bulletin is written and approved as a draft; its publication freezes the
ranking of its period as a snapshot (JSON, with its sha256) in a BulletinVersion, numbers it
(下创建办〔2026〕3号: per office and year, from a counter row locked at publication) and renders
its PDF in a job. A withdrawal (with its reason) or a corrected re-issue keeps every version:
the page and the PDF of a version read its snapshot only, so they never change with the data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from districts.models import OrgUnit, Role
from districts.scoping import scope_for


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Who writes, approves and publishes: the creation office's reviewers. Who acknowledges: the
# staff of a recipient street or department. Leaders read.
OFFICE_ROLES = frozenset({Role.REVIEWER})
READER_ROLES = frozenset({Role.REVIEWER, Role.LEADER, Role.SYSTEM_ADMIN})
RECIPIENT_ROLES = frozenset({Role.STREET_STAFF, Role.DEPARTMENT_STAFF})
RECIPIENT_KINDS = (OrgUnit.Kind.STREET, OrgUnit.Kind.DEPARTMENT)


class BulletinQuerySet(models.QuerySet):
    def visible_to(self, user) -> BulletinQuerySet:
        """The office, leaders and admins of a district: all its bulletins (leaders and admins: once
        published); a street or department: those published (at least once) and sent to it."""
        office = scope_for(user, OFFICE_ROLES)
        readers = scope_for(user, READER_ROLES - OFFICE_ROLES)
        q = Q(pk__in=[])
        if not office.is_empty:
            q |= office.q("office__", None)
        if not readers.is_empty:
            q |= readers.q("office__", None) & Q(versions__isnull=False)
        units = [m.unit_id for m in _memberships(user) if m.role in RECIPIENT_ROLES]
        if units:
            q |= Q(recipients__in=units, versions__isnull=False)
        if user.is_superuser:
            q = Q()
        return self.filter(pk__in=self.model.objects.filter(q).values("pk"))


def _memberships(user):
    from districts.scoping import memberships_of

    return memberships_of(user) if user.is_authenticated and user.is_active else []


class BulletinSeries(models.Model):
    """How an office numbers its bulletins: the prefix of 下创建办〔2026〕3号. Made with the prefix
    derived from the office's name at its first publication; the administrators may change it."""

    office = models.OneToOneField(
        OrgUnit, verbose_name=_("issuing office"), on_delete=models.PROTECT, related_name="+"
    )
    prefix = models.CharField(
        _("number prefix"),
        max_length=20,
        help_text=_("What the bulletin's number starts with, e.g. 下创建办 for 下创建办〔2026〕3号."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bulletin numbering")
        verbose_name_plural = _("bulletin numbering")

    def __str__(self):
        return self.prefix

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.office_id and self.office.kind != OrgUnit.Kind.OFFICE:
            raise ValidationError({"office": _("Bulletins are numbered by a creation office.")})
        if self.prefix and any(c in self.prefix for c in "〔〕[]"):
            raise ValidationError({"prefix": _("The prefix is the office's short name only, without the year.")})


class BulletinCounter(models.Model):
    """The last number an office gave a bulletin in a year: locked (SELECT … FOR UPDATE) by each
    publication, so two at once get two numbers."""

    audit_exempt = "a counter; every number given is kept by its bulletin version and its history"

    office = models.ForeignKey(OrgUnit, verbose_name=_("issuing office"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("bulletin counter")
        verbose_name_plural = _("bulletin counters")
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="one_bulletin_counter_per_office_year")]

    def __str__(self):
        return f"{self.office_id}/{self.year}: {self.last}"


class Bulletin(models.Model):
    campaign = models.ForeignKey(
        "campaign.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(
        OrgUnit,
        verbose_name=_("issuing office"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": OrgUnit.Kind.OFFICE},
    )
    status = models.CharField(_("status"), max_length=20, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    overview = models.TextField(_("Overall situation"), blank=True)
    good_practices = models.TextField(_("Good practices"), blank=True)
    problems = models.TextField(_("Problems found"), blank=True)
    requirements = models.TextField(_("Next steps required"), blank=True)
    recipients = models.ManyToManyField(OrgUnit, verbose_name=_("sent to"), related_name="+", blank=True)
    # Given at the first publication and kept by every later version (a re-issue keeps its number).
    year = models.PositiveSmallIntegerField(_("year of the number"), null=True, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for the withdrawal"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = BulletinQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[recipients])

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "number"], name="one_bulletin_number_per_office_year"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="bulletin_period"),
            models.CheckConstraint(
                condition=Q(year__isnull=True, number__isnull=True) | Q(year__isnull=False, number__isnull=False),
                name="bulletin_number_with_year",
            ),
        ]

    def __str__(self):
        return self.title

    def current_version(self) -> BulletinVersion | None:
        return self.versions.order_by("-version").first()


class BulletinVersion(models.Model):
    """One publication of a bulletin: what it said, its number, and the ranking of its period as
    it was then (the snapshot, with its sha256); its PDF, rendered from them by a job, with its
    sha256. Never changed once written, but for its PDF arriving and its withdrawal."""

    bulletin = models.ForeignKey(
        Bulletin, verbose_name=_("bulletin"), on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    document_number = models.CharField(_("document number"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    sections = models.JSONField(_("sections"))
    snapshot = models.JSONField(_("ranking snapshot"))
    snapshot_sha256 = models.CharField(_("sha256 of the snapshot"), max_length=64)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.FileField(_("PDF"), upload_to="bulletins/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("sha256 of the PDF"), max_length=64, blank=True)
    pdf_pages = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for the withdrawal"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bulletin version")
        verbose_name_plural = _("bulletin versions")
        ordering = ["bulletin", "version"]
        constraints = [models.UniqueConstraint(fields=["bulletin", "version"], name="one_bulletin_version_number")]

    def __str__(self):
        return f"{self.document_number} v{self.version}"


class Acknowledgement(models.Model):
    """A recipient unit's receipt (签收) of one published version of a bulletin."""

    audit_append_only = True

    version = models.ForeignKey(
        BulletinVersion, verbose_name=_("bulletin version"), on_delete=models.PROTECT, related_name="acknowledgements"
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("acknowledged at"))

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [models.UniqueConstraint(fields=["version", "unit"], name="one_acknowledgement_per_unit")]

    def __str__(self):
        return f"{self.version} · {self.unit_id}"

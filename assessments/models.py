"""Assessments (督查评估): scoring templates as versioned trees of items with typed deduction
rules, assessment rounds of a template version, and each unit's run in a round with its
self-assessment (自评) and the office's review (复核), item by item.

A template is frozen once a run uses it; editing a frozen template makes a new version
(`based_on` the old one), so every run keeps the items and rules it was scored by.
A finding may raise a hazard; the finding is rectified when that hazard is closed, read from
the hazard itself (hazards never import this app).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaign.models import Campaign
from districts.models import OrgUnit, Sector, Site
from districts.scoping import ScopedQuerySet
from hazards.models import Hazard
from hazards.models import Status as HazardStatus
from reporting.models import Submission
from risks.models import RiskPoint

POINTS = {"max_digits": 7, "decimal_places": 2}


# ---------------------------------------------------------------- templates


class Template(models.Model):
    """One version of a scoring template (评分细则)."""

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source document"), max_length=300, blank=True)
    # A loaded version: the digest of the file's tree it was loaded from (load_national_rubric),
    # so that loading the same file again changes nothing.
    source_digest = models.CharField(_("digest of the file loaded"), max_length=64, blank=True, editable=False)
    # The version this one was made from by editing it after it was used.
    based_on = models.ForeignKey(
        "self", verbose_name=_("based on"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set when the first run uses it; a frozen version is never changed again.
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scoring template")
        verbose_name_plural = _("scoring templates")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="template_code_version_unique"),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class ItemKind(models.TextChoices):
    BASIC = "basic", _("Basic item")  # 基本项
    KEY = "key", _("Key item")  # 关键项
    BONUS = "bonus", _("Bonus item")  # 鼓励项: points on top of the 100, kept apart


class Item(models.Model):
    """An item of a template's tree: an aspect (一级), an indicator, or a scored line."""

    template = models.ForeignKey(Template, verbose_name=_("template"), on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent item"), on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    code = models.CharField(_("code"), max_length=20)  # "1", "1.2", "1.2.3"
    order = models.PositiveIntegerField(_("order"), default=0)  # depth-first order within the template
    name = models.CharField(_("name"), max_length=300)
    content = models.TextField(_("content"), blank=True)  # 考核内容 / 评分标准 as the rubric writes it
    max_points = models.DecimalField(_("maximum points"), **POINTS, validators=[MinValueValidator(0)])
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices, default=ItemKind.BASIC)
    evidence_hint = models.TextField(_("evidence to provide"), blank=True)  # 佐证材料
    # OrgUnit.Kind values the item applies to; empty: every kind.
    unit_kinds = models.JSONField(_("applies to unit kinds"), default=list, blank=True)
    # Sectors the item applies to; none: every sector.
    sectors = models.ManyToManyField(Sector, verbose_name=_("applies to sectors"), blank=True, related_name="+")
    # The rubric file marks what it could not verify against the published text (待核实).
    unverified = models.BooleanField(_("to be verified"), default=False)

    history = HistoricalRecords(m2m_fields=[sectors])

    class Meta:
        verbose_name = _("template item")
        verbose_name_plural = _("template items")
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="item_code_unique_in_template"),
            models.CheckConstraint(condition=Q(max_points__gte=0), name="item_max_points_not_negative"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class RuleKind(models.TextChoices):
    PER_FINDING = "per_finding", _("Per finding, with a cap")  # 每发现一处扣0.5分，2分扣完为止
    PER_MISSING = "per_missing", _("Per missing item")  # 每缺一项扣0.2分
    THRESHOLD = "threshold", _("Threshold on a measured value")  # 老旧管网改造率≤80%的，扣1分
    TIERED = "tiered", _("Tiered by range")
    PER_INCIDENT = "per_incident", _("Per incident, less if resolved")
    VETO = "veto", _("Veto")  # 取消评选资格, whatever the points
    EXEMPTION = "exemption", _("Exemption")  # 免检、满分


class Rule(models.Model):
    """A typed deduction rule of an item, with its parameters (assessments.rules reads them)."""

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="rules")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    # The rule's own numbers, by kind (assessments.rules validates them):
    #   per_finding  {"points": "0.5", "cap": "2"}                 cap optional (the item's maximum)
    #   per_missing  {"points": "0.2", "of": 5}                    of: how many are required (optional)
    #   threshold    {"op": "<=", "value": "80", "points": "1", "unit": "%"}
    #   tiered       {"tiers": [{"from": "0", "to": "60", "points": "2"}, …]}  from ≤ v < to
    #   per_incident {"points": "1", "resolved_points": "0.5", "cap": "3"}
    #   veto         {"condition": "…"}                            any occurrence disqualifies
    #   exemption    {"condition": "…"}                            full marks when it applies
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    text = models.TextField(_("as written"), blank=True)  # the rubric's own sentence

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deduction rule")
        verbose_name_plural = _("deduction rules")
        ordering = ["item", "order", "pk"]

    def __str__(self):
        return self.text or self.get_kind_display()


# ---------------------------------------------------------------- rounds and runs


class Round(models.Model):
    """An assessment round (一轮督查评估): one template version, a period, a team, the units assessed."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(Template, verbose_name=_("template"), on_delete=models.PROTECT, related_name="rounds")
    name = models.CharField(_("name"), max_length=200)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    team = models.ForeignKey(
        OrgUnit,
        verbose_name=_("inspection team"),
        on_delete=models.PROTECT,
        related_name="assessment_rounds",
        limit_choices_to={"kind": OrgUnit.Kind.TEAM},
    )
    self_assessment = models.BooleanField(_("units assess themselves first"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="round_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.name


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")


class RunQuerySet(ScopedQuerySet):
    unit_lookup = "unit__"
    sector_lookup = None

    def in_scope(self, scope):
        # A run belongs to a unit and to no sector: a department leading a sector sees its own
        # assessment, not every street's (i13-runs).
        return super().in_scope(scope.units_only())


class Run(models.Model):
    """One unit's assessment in a round: its self-assessment and the office's review."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="runs")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("assessed unit"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.DRAFT)
    # The result of the review, fixed when it is reviewed (assessments.scoring); null before.
    raw_points = models.DecimalField(_("points"), **POINTS, null=True, blank=True)
    applicable_max = models.DecimalField(_("applicable maximum"), **POINTS, null=True, blank=True)
    score = models.DecimalField(_("score (of 100)"), max_digits=7, decimal_places=2, null=True, blank=True)
    bonus_points = models.DecimalField(_("bonus points"), **POINTS, null=True, blank=True)
    vetoed = models.BooleanField(_("disqualified (veto)"), default=False)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The unit sends its self-assessment once; after that its side is read-only (i13-runs).
    self_submitted_at = models.DateTimeField(_("self-assessment submitted at"), null=True, blank=True)

    objects = RunQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["round", "unit__lft"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="run_one_per_unit_in_round"),
        ]

    def __str__(self):
        return f"{self.round} · {self.unit}"


class RunEvent(models.Model):
    """One step of a run's workflow."""

    audit_append_only = True

    run = models.ForeignKey(Run, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=12, choices=RunStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=RunStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("assessment step")
        verbose_name_plural = _("assessment steps")
        ordering = ["run", "at", "pk"]

    def __str__(self):
        return f"{self.run} {self.action}"


class Side(models.TextChoices):
    SELF = "self", _("Self-assessment")  # 自评, by the unit
    REVIEW = "review", _("Review")  # 复核, by the team / the office


class AnswerState(models.TextChoices):
    SCORED = "scored", _("Scored")
    NOT_APPLICABLE = "na", _("Not applicable")  # leaves the denominator; needs a reason
    EXEMPT = "exempt", _("Exempt")  # 免检: full marks


class Answer(models.Model):
    """What one side says of one scored item in a run; its points are computed (assessments.scoring)."""

    run = models.ForeignKey(Run, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="answers")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=AnswerState.choices, default=AnswerState.SCORED)
    na_reason = models.TextField(_("why not applicable"), blank=True)
    # The rule inputs a finding count does not give.
    missing = models.PositiveIntegerField(_("items missing"), default=0)
    measured = models.DecimalField(_("measured value"), max_digits=12, decimal_places=4, null=True, blank=True)
    incidents = models.PositiveIntegerField(_("incidents"), default=0)
    incidents_resolved = models.PositiveIntegerField(_("incidents resolved"), default=0)
    veto = models.BooleanField(_("veto applies"), default=False)
    bonus_claimed = models.DecimalField(_("bonus points claimed"), **POINTS, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    points = models.DecimalField(_("points"), **POINTS, null=True, blank=True)  # computed, stored for lists
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("last saved by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        constraints = [
            models.UniqueConstraint(fields=["run", "side", "item"], name="answer_one_per_item_and_side"),
            models.CheckConstraint(
                condition=~Q(state=AnswerState.NOT_APPLICABLE) | ~Q(na_reason=""), name="answer_na_needs_reason"
            ),
            models.CheckConstraint(
                condition=Q(incidents_resolved__lte=models.F("incidents")), name="answer_resolved_within_incidents"
            ),
        ]

    def __str__(self):
        return f"{self.run} {self.item.code} ({self.side})"


class Finding(models.Model):
    """A problem found (发现问题) under an item: counted by per-finding rules; it may raise a hazard."""

    answer = models.ForeignKey(Answer, verbose_name=_("item score"), on_delete=models.CASCADE, related_name="findings")
    description = models.TextField(_("what was found"))
    unit = models.ForeignKey(OrgUnit, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    location = models.CharField(_("exact location"), max_length=200, blank=True)
    hazard = models.OneToOneField(
        Hazard,
        verbose_name=_("hazard raised"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="finding",
    )
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("found by"), on_delete=models.PROTECT, related_name="+"
    )
    found_at = models.DateTimeField(_("found at"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["answer", "found_at", "pk"]

    def __str__(self):
        return self.description[:60]

    @property
    def rectified(self) -> bool:
        """Rectified once the hazard it raised is closed (read from the hazard, never copied)."""
        return self.hazard_id is not None and self.hazard.status == HazardStatus.CLOSED


def _finding_photo_path(instance, filename):
    return f"assessments/findings/{instance.finding_id}/{filename}"


class FindingPhoto(models.Model):
    audit_append_only = True  # a photo is added, never changed

    finding = models.ForeignKey(Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=_finding_photo_path)
    thumbnail = models.FileField(_("thumbnail"), upload_to=_finding_photo_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding photo")
        verbose_name_plural = _("finding photos")

    def __str__(self):
        return self.image.name


class Evidence(models.Model):
    """A link from an item score to a record already in the platform: a report, a risk, a hazard."""

    answer = models.ForeignKey(Answer, verbose_name=_("item score"), on_delete=models.CASCADE, related_name="evidence")
    submission = models.ForeignKey(
        Submission, verbose_name=_("report"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    risk = models.ForeignKey(
        RiskPoint, verbose_name=_("risk point"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence link")
        verbose_name_plural = _("evidence links")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(submission__isnull=False, risk__isnull=True, hazard__isnull=True)
                    | Q(submission__isnull=True, risk__isnull=False, hazard__isnull=True)
                    | Q(submission__isnull=True, risk__isnull=True, hazard__isnull=False)
                ),
                name="evidence_links_exactly_one_record",
            ),
        ]

    def __str__(self):
        return str(self.submission or self.risk or self.hazard)

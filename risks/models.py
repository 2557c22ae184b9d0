"""The risk register (风险辨识评估、分级管控).

Assessment methods are data: a method has numbered versions, each with its
factor values and its bands. An assessment keeps the version it was made
with, so editing a method (which makes a new version) never regrades the past.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from campaign.lib.deadlines import day_end, deadline_today
from districts.models import OrgUnit, Sector, Site
from districts.scoping import ScopedQuerySet


class Level(models.TextChoices):
    """The four risk levels and their colours (四色)."""

    MAJOR = "major", _("Major (red)")
    SIGNIFICANT = "significant", _("Significant (orange)")
    GENERAL = "general", _("General (yellow)")
    LOW = "low", _("Low (blue)")


# Highest first: the order bands are matched in, and lists sorted by.
LEVEL_ORDER = [Level.MAJOR, Level.SIGNIFICANT, Level.GENERAL, Level.LOW]
LEVEL_COLOURS = {
    Level.MAJOR: "#e60012",
    Level.SIGNIFICANT: "#f39800",
    Level.GENERAL: "#ffe100",
    Level.LOW: "#0068b7",
}


class AccidentType(models.TextChoices):
    """GB 6441-1986's twenty types of accident."""

    STRUCK_BY_OBJECT = "struck_by_object", _("Struck by object")
    VEHICLE = "vehicle", _("Vehicle injury")
    MACHINERY = "machinery", _("Machinery injury")
    LIFTING = "lifting", _("Lifting injury")
    ELECTRIC_SHOCK = "electric_shock", _("Electric shock")
    DROWNING = "drowning", _("Drowning")
    SCALD = "scald", _("Scalds and burns")
    FIRE = "fire", _("Fire")
    FALL_FROM_HEIGHT = "fall_from_height", _("Fall from height")
    COLLAPSE = "collapse", _("Collapse")
    ROOF_FALL = "roof_fall", _("Roof and rib fall")
    WATER_INRUSH = "water_inrush", _("Water inrush")
    BLASTING = "blasting", _("Blasting")
    EXPLOSIVES = "explosives", _("Explosives explosion")
    GAS_EXPLOSION = "gas_explosion", _("Firedamp explosion")
    BOILER_EXPLOSION = "boiler_explosion", _("Boiler explosion")
    VESSEL_EXPLOSION = "vessel_explosion", _("Pressure vessel explosion")
    OTHER_EXPLOSION = "other_explosion", _("Other explosion")
    POISONING = "poisoning", _("Poisoning and asphyxiation")
    OTHER = "other", _("Other injury")


class AssessmentMethod(models.Model):
    class Kind(models.TextChoices):
        LEC = "lec", _("LEC (D = L × E × C)")
        MATRIX = "matrix", _("Risk matrix (R = L × S)")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment method")
        verbose_name_plural = _("assessment methods")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def current(self) -> "MethodVersion":
        return self.versions.order_by("-number").first()


def _validate_factors(value):
    if not isinstance(value, dict) or not value:
        raise ValidationError(_("Factors are a mapping of factor name to its allowed values."))
    for name, options in value.items():
        if not isinstance(options, list) or not options:
            raise ValidationError(_("Factor %(name)s has no allowed values.") % {"name": name})
        for option in options:
            if not isinstance(option, dict) or "value" not in option:
                raise ValidationError(_("Each allowed value of %(name)s needs a value.") % {"name": name})


def _validate_bands(value):
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Bands are a list, highest level first."))
    levels = [band.get("level") for band in value]
    if sorted(levels, key=str) != sorted(Level.values, key=str):
        raise ValidationError(_("Bands must give each of the four levels exactly once."))
    if levels != [str(level) for level in LEVEL_ORDER]:
        raise ValidationError(_("Bands go from the highest level down."))
    floors = [Decimal(str(band["above"])) for band in value[:-1]]
    if floors != sorted(floors, reverse=True):
        raise ValidationError(_("Each band's lower bound must be below the one above it."))


class MethodVersion(models.Model):
    """One immutable version of a method: its allowed factor values and its bands.

    factors: {"L": [{"value": 0.1, "label": "实际不可能"}, …], "E": […], "C": […]}
    bands, highest level first: [{"level": "major", "above": 320, "inclusive": false}, …,
    {"level": "low"}] — a score is in the first band it reaches: above the bound,
    or equal to it when the bound is inclusive; the last band takes the rest.
    """

    audit_append_only = True  # a version never changes: an edit adds one

    method = models.ForeignKey(
        AssessmentMethod, verbose_name=_("method"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    factors = models.JSONField(_("factors"), validators=[_validate_factors])
    bands = models.JSONField(_("bands"), validators=[_validate_bands])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = _("method version")
        verbose_name_plural = _("method versions")
        constraints = [models.UniqueConstraint(fields=["method", "number"], name="one_method_version_number")]
        ordering = ["method", "-number"]

    def __str__(self):
        return f"{self.method} v{self.number}"

    def allowed(self, factor: str) -> list[Decimal]:
        return [Decimal(str(option["value"])) for option in self.factors[factor]]

    def score(self, inputs: dict) -> Decimal:
        """The product of the inputs; each must be one of its factor's allowed values."""
        if set(inputs) != set(self.factors):
            raise ValidationError(
                _("This method needs the factors %(names)s.") % {"names": "、".join(self.factors)}, code="factors"
            )
        product = Decimal(1)
        for name in self.factors:
            value = Decimal(str(inputs[name]))
            if value not in self.allowed(name):
                raise ValidationError(
                    _("%(value)s is not an allowed value of %(name)s: choose one of %(allowed)s.")
                    % {"value": inputs[name], "name": name, "allowed": "、".join(f"{v:g}" for v in self.allowed(name))},
                    code="value",
                )
            product *= value
        # 1 × 10 × 7 is 70, not 70.000 or 7E+1.
        return Decimal(f"{product.quantize(Decimal('0.001')):f}".rstrip("0").rstrip("."))

    def level_of(self, score: Decimal) -> str:
        for band in self.bands[:-1]:
            bound = Decimal(str(band["above"]))
            if score > bound or (band.get("inclusive") and score == bound):
                return band["level"]
        return self.bands[-1]["level"]


class ControlRule(models.Model):
    """Graded control (分级管控): who controls a risk of each level, and how often it is reviewed."""

    class ControlLevel(models.TextChoices):
        # In the words of the register (区级, 街道（部门）级 …), not those of the org tree's kinds.
        DISTRICT = "district", pgettext_lazy("control level", "District level")
        STREET_OR_DEPARTMENT = "street_or_department", pgettext_lazy("control level", "Street or department level")
        COMMUNITY_OR_SITE = "community_or_site", pgettext_lazy("control level", "Community or site level")
        SITE = "site", pgettext_lazy("control level", "Controlled by the site itself")

    level = models.CharField(_("risk level"), max_length=20, choices=Level.choices, unique=True)
    control_level = models.CharField(_("controlled at"), max_length=30, choices=ControlLevel.choices)
    review_every_days = models.PositiveIntegerField(_("review every (days)"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("control rule")
        verbose_name_plural = _("control rules")

    def __str__(self):
        return f"{self.get_level_display()} → {self.get_control_level_display()}"


# A review falls due this many days ahead: the home page lists it, the list filters by it.
REVIEW_DUE_WITHIN_DAYS = 30


def review_overdue_q(today: datetime.date | None = None) -> Q:
    """A risk under control whose next review day has ended (in the deadline time zone).
    A retired risk is never overdue; one with no review date set is not either."""
    return Q(status=RiskPoint.Status.ACTIVE, next_review_on__lt=today or deadline_today())


def review_due_q(today: datetime.date | None = None) -> Q:
    """A risk under control whose next review falls today or within REVIEW_DUE_WITHIN_DAYS."""
    today = today or deadline_today()
    return Q(
        status=RiskPoint.Status.ACTIVE,
        next_review_on__gte=today,
        next_review_on__lte=today + datetime.timedelta(days=REVIEW_DUE_WITHIN_DAYS),
    )


class ControlPolicy(models.Model):
    """What happens to a risk whose responsible unit sits below the level that must control it
    (a 重大 risk owned by a community): refused, or saved and flagged. One row, kept by the
    system administrator in the back office; until it is first saved, risks are refused."""

    class OnMismatch(models.TextChoices):
        REFUSE = "refuse", _("Refuse the risk")
        WARN = "warn", _("Save it and show a warning")

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    on_mismatch = models.CharField(
        _("a responsible unit below the required control level"),
        max_length=10,
        choices=OnMismatch.choices,
        default=OnMismatch.REFUSE,
        help_text=_(
            "Graded control: a major risk is controlled at district level, a significant one at street or "
            "department level, a general one at community or site level (the control rules)."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("graded control policy")
        verbose_name_plural = _("graded control policy")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="one_control_policy")]

    def __str__(self):
        return str(_("Graded control policy"))


# The control level each kind of unit holds, as a rank: 0 district … 3 the site itself.
CONTROL_RANK = {
    ControlRule.ControlLevel.DISTRICT: 0,
    ControlRule.ControlLevel.STREET_OR_DEPARTMENT: 1,
    ControlRule.ControlLevel.COMMUNITY_OR_SITE: 2,
    ControlRule.ControlLevel.SITE: 3,
}
UNIT_CONTROL_LEVEL = {
    OrgUnit.Kind.CITY: ControlRule.ControlLevel.DISTRICT,
    OrgUnit.Kind.DISTRICT: ControlRule.ControlLevel.DISTRICT,
    OrgUnit.Kind.OFFICE: ControlRule.ControlLevel.DISTRICT,
    OrgUnit.Kind.LEADING_GROUP: ControlRule.ControlLevel.DISTRICT,
    OrgUnit.Kind.STREET: ControlRule.ControlLevel.STREET_OR_DEPARTMENT,
    OrgUnit.Kind.DEPARTMENT: ControlRule.ControlLevel.STREET_OR_DEPARTMENT,
    OrgUnit.Kind.TEAM: ControlRule.ControlLevel.STREET_OR_DEPARTMENT,
    OrgUnit.Kind.COMMUNITY: ControlRule.ControlLevel.COMMUNITY_OR_SITE,
    OrgUnit.Kind.GRID: ControlRule.ControlLevel.COMMUNITY_OR_SITE,
}


def below_control_level(unit_kind: str, control_level: str | None) -> bool:
    """Whether a unit of this kind sits below the level that must control the risk."""
    if not control_level or unit_kind not in UNIT_CONTROL_LEVEL:
        return False
    return CONTROL_RANK[UNIT_CONTROL_LEVEL[unit_kind]] > CONTROL_RANK[control_level]


# Three or more hazards logged on a risk within this many days (and since its current
# assessment) mark it for re-assessment (需重新评估).
REASSESS_WINDOW_DAYS = 90
REASSESS_HAZARDS = 3
# A cancelled hazard record (an invalid report) is no evidence about the risk. The hazards
# are read through the reverse relation RiskPoint.hazards: the register does not import them.
HAZARD_CANCELLED = "cancelled"


class RiskQuerySet(ScopedQuerySet):
    unit_lookup = "unit__"
    sector_lookup = "sector"

    def review_overdue(self, today: datetime.date | None = None):
        return self.filter(review_overdue_q(today))

    def not_review_overdue(self, today: datetime.date | None = None):
        return self.exclude(review_overdue_q(today))

    def with_control(self, now=None):
        """Each risk with `control_level_value` (from its level's control rule) and
        `recent_hazards` (what marks it for re-assessment), both read in the same query."""
        hazard_model = RiskPoint._meta.get_field("hazards").related_model
        since = (now or timezone.now()) - datetime.timedelta(days=REASSESS_WINDOW_DAYS)
        recent = (
            hazard_model.objects.filter(risk=OuterRef("pk"), found_at__gte=since)
            .exclude(status=HAZARD_CANCELLED)
            .filter(
                found_at__gt=Coalesce(
                    OuterRef("current_assessment__assessed_at"),
                    Value(since - datetime.timedelta(microseconds=1), output_field=models.DateTimeField()),
                )
            )
            .order_by()
            .values("risk")
            .annotate(n=Count("pk"))
            .values("n")
        )
        rule = ControlRule.objects.filter(level=OuterRef("current_assessment__level")).values("control_level")[:1]
        return self.annotate(
            control_level_value=Subquery(rule),
            recent_hazards=Coalesce(Subquery(recent, output_field=models.IntegerField()), 0),
        )

    def needing_reassessment(self):
        return self.filter(recent_hazards__gte=REASSESS_HAZARDS)

    # -- as of the end of a past day (the rollups' stocks), from the risk's own timestamps as they
    # stand: a risk is on the register from when it was added; a retired one until its last change
    # (the retirement); it is graded by its current assessment and reviewed by its current next
    # review date. On today these give what the register and review_overdue() give.

    def on_register_at(self, day: datetime.date):
        end = day_end(day)
        return self.filter(created_at__lt=end).filter(
            Q(status=RiskPoint.Status.ACTIVE) | Q(status=RiskPoint.Status.RETIRED, updated_at__gte=end)
        )

    def review_overdue_at(self, day: datetime.date):
        """review_overdue_q as it stood at the end of `day`."""
        return self.on_register_at(day).filter(next_review_on__lt=day)


class RiskPoint(models.Model):
    """A risk point (风险点) on the register."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Under control")
        RETIRED = "retired", _("Retired")

    # R<unit code>-<n>, given when the risk is added (risks.services.risk_code_next):
    # a spreadsheet row finds its risk again by it.
    code = models.CharField(_("risk code"), max_length=40, unique=True, null=True, blank=True)
    name = models.CharField(_("risk point"), max_length=200)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("place"), on_delete=models.PROTECT, related_name="risks")
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, null=True, blank=True, related_name="risks"
    )
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="risks")
    accident_type = models.CharField(_("accident type"), max_length=30, choices=AccidentType.choices)
    description = models.TextField(_("description"), blank=True)
    hazard_factors = models.TextField(_("hazard factors"), blank=True)
    engineering_measures = models.TextField(_("engineering measures"), blank=True)
    management_measures = models.TextField(_("management measures"), blank=True)
    training_measures = models.TextField(_("training measures"), blank=True)
    protection_measures = models.TextField(_("personal protection"), blank=True)
    emergency_measures = models.TextField(_("emergency measures"), blank=True)
    responsible_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="responsible_risks"
    )
    responsible_person = models.CharField(_("responsible person"), max_length=50)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # The assessment that grades the risk now: the latest residual one, else the latest.
    current_assessment = models.ForeignKey(
        "Assessment",
        verbose_name=_("current assessment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    next_review_on = models.DateField(_("next review due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RiskQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk point")
        verbose_name_plural = _("risk points")
        ordering = ["unit__code", "name", "id"]
        indexes = [models.Index(fields=["unit", "sector"]), models.Index(fields=["next_review_on"])]

    def __str__(self):
        return self.name

    def clean(self):
        if self.unit_id and self.unit.kind not in OrgUnit.PLACE_KINDS:
            raise ValidationError({"unit": _("A risk sits in the district, a street, a community or a grid.")})
        if self.site_id and self.unit_id and not self.site.unit.is_descendant_of(self.unit, include_self=True):
            raise ValidationError({"site": _("The site is not in this place.")})

    @property
    def level(self) -> str | None:
        return self.current_assessment.level if self.current_assessment_id else None

    def is_review_overdue_on(self, today: datetime.date | None = None) -> bool:
        """review_overdue_q, for one risk already loaded."""
        today = today or deadline_today()
        return self.status == self.Status.ACTIVE and self.next_review_on is not None and self.next_review_on < today

    @property
    def is_review_overdue(self) -> bool:
        return self.is_review_overdue_on()

    # -- graded control (分级管控); the annotations come from RiskQuerySet.with_control()

    @property
    def control_level(self) -> str | None:
        """The level that must control the risk, by its level's control rule."""
        if hasattr(self, "control_level_value"):
            return self.control_level_value
        if not self.level:
            return None
        return ControlRule.objects.filter(level=self.level).values_list("control_level", flat=True).first()

    def get_control_level_display(self) -> str:
        level = self.control_level
        return str(ControlRule.ControlLevel(level).label) if level else ""

    @property
    def below_control_level(self) -> bool:
        """Its responsible unit sits below the level that must control it."""
        return bool(self.responsible_unit_id) and below_control_level(self.responsible_unit.kind, self.control_level)

    @property
    def needs_reassessment(self) -> bool:
        recent = getattr(self, "recent_hazards", None)
        if recent is None:
            recent = RiskPoint.objects.with_control().filter(pk=self.pk).values_list("recent_hazards", flat=True)[0]
        return recent >= REASSESS_HAZARDS


class Assessment(models.Model):
    audit_append_only = True  # a new grade is a new row

    class Stage(models.TextChoices):
        INHERENT = "inherent", _("Inherent (before controls)")
        RESIDUAL = "residual", _("Residual (with controls)")

    risk = models.ForeignKey(
        RiskPoint, verbose_name=_("risk point"), on_delete=models.CASCADE, related_name="assessments"
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    method_version = models.ForeignKey(MethodVersion, verbose_name=_("method"), on_delete=models.PROTECT)
    inputs = models.JSONField(_("inputs"))
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=3)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    note = models.TextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assessed by"), on_delete=models.PROTECT)
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-assessed_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(score__gte=0), name="assessment_score_not_negative")]

    def __str__(self):
        return f"{self.risk} · {self.get_stage_display()} · {self.get_level_display()}"


class Review(models.Model):
    """A periodic review (复核) of a risk point's controls."""

    audit_append_only = True

    risk = models.ForeignKey(RiskPoint, verbose_name=_("risk point"), on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT)
    note = models.TextField(_("findings"), blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-reviewed_on", "-id"]

    def __str__(self):
        return f"{self.risk} · {self.reviewed_on}"

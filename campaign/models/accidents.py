"""The accident register (生产安全事故) and the yearly values per unit (GDP, deaths) that the
campaign's targets are measured with, the baseline year's kept the same way."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaign.accident_roles import accident_writer_scope, yearly_value_writer_scope
from campaign.lib.deadlines import deadline_today
from districts.models import OrgUnit, Sector, Site
from districts.scoping import ScopedQuerySet, scope_for
from risks.models import AccidentType


class AccidentGrade(models.TextChoices):
    """《生产安全事故报告和调查处理条例》 第三条."""

    GENERAL = "general", _("General accident")
    LARGER = "larger", _("Larger accident")
    MAJOR = "major", _("Major accident")
    EXTRAORDINARY = "extraordinary", _("Extraordinarily serious accident")


# (grade, deaths, serious injuries, direct loss in 10,000 yuan): an accident reaching ANY of a
# grade's figures is of that grade or above. Article 3: 3 / 10 / 30 deaths, 10 / 50 / 100
# serious injuries, 10 / 50 / 100 million yuan of direct loss ("以上" includes the figure).
GRADE_THRESHOLDS: tuple[tuple[str, int, int, Decimal], ...] = (
    (AccidentGrade.EXTRAORDINARY, 30, 100, Decimal("10000")),
    (AccidentGrade.MAJOR, 10, 50, Decimal("5000")),
    (AccidentGrade.LARGER, 3, 10, Decimal("1000")),
)
# 重特大事故: what the target "no serious accident" counts.
SERIOUS_GRADES = frozenset({AccidentGrade.MAJOR, AccidentGrade.EXTRAORDINARY})


def grade_for(*, deaths: int, serious_injuries: int, direct_loss: Decimal | None) -> str:
    loss = direct_loss or Decimal(0)
    for grade, min_deaths, min_injuries, min_loss in GRADE_THRESHOLDS:
        if deaths >= min_deaths or serious_injuries >= min_injuries or loss >= min_loss:
            return grade
    return AccidentGrade.GENERAL


class InvestigationStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    INVESTIGATING = "investigating", _("Under investigation")
    CLOSED = "closed", _("Investigation closed")


# Bounds a figure typed or imported must keep to: a typo of a few digits is refused, not
# taken as the worst accident in the country's history.
MAX_PEOPLE = 10_000
EARLIEST_DAY = datetime.date(2000, 1, 1)
# Units yearly values are kept for: the district and its streets.
YEARLY_VALUE_KINDS = (OrgUnit.Kind.DISTRICT, OrgUnit.Kind.STREET)


class AccidentQuerySet(ScopedQuerySet):
    unit_lookup = "unit__"
    sector_lookup = "sector"

    def visible_to(self, user):
        """What the user's scope shows, and what they keep (campaign.accident_roles): the
        emergency-management bureau sees every sector's accidents in its district."""
        scope, keeps = scope_for(user), accident_writer_scope(user)
        if scope.everything or keeps.everything:
            return self
        return self.filter(scope.q(self.unit_lookup, self.sector_lookup) | keeps.q(self.unit_lookup, None))

    def writable_by(self, user):
        return self.in_scope(accident_writer_scope(user))

    def serious(self):
        return self.filter(grade__in=SERIOUS_GRADES)

    def in_year(self, year: int):
        return self.filter(occurred_on__year=year)


class Accident(models.Model):
    """One production-safety accident. Its grade is computed from the figures (grade_for),
    set by the service whenever they change; nobody types it."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("place"), on_delete=models.PROTECT, related_name="accidents")
    location = models.CharField(_("exact location"), max_length=200, blank=True)
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, null=True, blank=True, related_name="accidents"
    )
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="accidents")
    occurred_on = models.DateField(_("date of the accident"))
    accident_type = models.CharField(_("accident type"), max_length=30, choices=AccidentType.choices)
    summary = models.CharField(_("summary"), max_length=300)
    deaths = models.PositiveIntegerField(_("deaths"), default=0, validators=[MaxValueValidator(MAX_PEOPLE)])
    serious_injuries = models.PositiveIntegerField(
        _("serious injuries"), default=0, validators=[MaxValueValidator(MAX_PEOPLE)]
    )
    direct_loss = models.DecimalField(
        _("direct economic loss (10,000 yuan)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    grade = models.CharField(_("accident grade"), max_length=20, choices=AccidentGrade.choices, editable=False)
    investigation_status = models.CharField(
        _("investigation"), max_length=20, choices=InvestigationStatus.choices, default=InvestigationStatus.REPORTED
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AccidentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("accident")
        verbose_name_plural = _("accidents")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["occurred_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(direct_loss__gte=0), name="accident_loss_not_negative"),
        ]

    def __str__(self):
        return f"{self.occurred_on:%Y-%m-%d} {self.summary}"

    def compute_grade(self) -> str:
        return grade_for(deaths=self.deaths, serious_injuries=self.serious_injuries, direct_loss=self.direct_loss)

    @property
    def is_serious(self) -> bool:
        return self.grade in SERIOUS_GRADES

    def clean(self):
        errors = {}
        if self.unit_id and self.unit.kind not in OrgUnit.PLACE_KINDS:
            errors["unit"] = _("An accident happens in the district, a street, a community or a grid.")
        elif self.site_id and self.unit_id and not self.site.unit.is_descendant_of(self.unit, include_self=True):
            errors["site"] = _("The site is not in this place.")
        if self.occurred_on is not None:
            if self.occurred_on > deadline_today():
                errors["occurred_on"] = _("An accident cannot be dated in the future.")
            elif self.occurred_on < EARLIEST_DAY:
                errors["occurred_on"] = _("The register starts in %(year)s.") % {"year": EARLIEST_DAY.year}
        if errors:
            raise ValidationError(errors)


class YearlyValueQuerySet(ScopedQuerySet):
    unit_lookup = "unit__"

    def writable_by(self, user):
        return self.in_scope(yearly_value_writer_scope(user))


class YearlyValue(models.Model):
    """A unit's figures for one year: GDP (100 million yuan) with its source, and — where the
    register is not the source (the baseline year, before the platform) — the deaths, with theirs.
    A missing value stays missing (null): it is shown as 数据缺失, never as 0."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="yearly_values")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    gdp = models.DecimalField(
        _("GDP (100 million yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    gdp_source = models.CharField(_("source of the GDP figure"), max_length=200, blank=True)
    deaths_override = models.PositiveIntegerField(
        _("deaths (when not from the register)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_PEOPLE)],
        help_text=_("Leave empty to count the deaths in the accident register."),
    )
    deaths_source = models.CharField(_("source of the deaths figure"), max_length=200, blank=True)

    objects = YearlyValueQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("yearly value")
        verbose_name_plural = _("yearly values")
        ordering = ["unit", "year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_yearly_value_per_unit_and_year"),
            models.CheckConstraint(condition=Q(gdp__isnull=True) | ~Q(gdp_source=""), name="gdp_has_a_source"),
            models.CheckConstraint(
                condition=Q(deaths_override__isnull=True) | ~Q(deaths_source=""), name="deaths_override_has_a_source"
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.year}"

    def clean(self):
        # The constraints' own words ("constraint … is violated") would tell a user nothing.
        errors = {}
        if self.unit_id and self.unit.kind not in YEARLY_VALUE_KINDS:
            errors["unit"] = _("Yearly values are kept for the district and its streets.")
        self.gdp_source = (self.gdp_source or "").strip()
        self.deaths_source = (self.deaths_source or "").strip()
        if self.gdp is not None and not self.gdp_source:
            errors["gdp_source"] = _("Give the source of the GDP figure (e.g. the statistical yearbook).")
        if self.deaths_override is not None and not self.deaths_source:
            errors["deaths_source"] = _(
                "Give the source of the deaths figure, or leave the figure empty to count the register."
            )
        if errors:
            raise ValidationError(errors)

"""The campaign itself: its period, baseline and targets."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from districts.models import OrgUnit


class CampaignQuerySet(models.QuerySet):
    def running_on(self, day):
        return self.filter(starts_on__lte=day, ends_on__gte=day)

    def current(self):
        """The campaign running today, the most recently started first; else the latest one."""
        today = timezone.localdate()
        return self.running_on(today).order_by("-starts_on").first() or self.order_by("-ends_on").first()


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    district = models.ForeignKey(
        OrgUnit,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="campaigns",
        limit_choices_to={"kind": OrgUnit.Kind.DISTRICT},
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"))
    document = models.CharField(_("plan document"), max_length=200, blank=True)

    objects = CampaignQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_ends_after_start"),
        ]

    def __str__(self):
        return self.name

    def is_running(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.starts_on <= day <= self.ends_on


def campaign_of_year(district, year: int) -> "Campaign | None":
    """The district's campaign covering most days of `year` (an annual summary's: its targets),
    the later started on a tie; None when none covers a day of it. One query."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    campaigns = Campaign.objects.filter(district=district, starts_on__lte=last, ends_on__gte=first)

    def days(campaign: Campaign) -> tuple:
        covered = (min(last, campaign.ends_on) - max(first, campaign.starts_on)).days + 1
        return (covered, campaign.starts_on, campaign.pk)

    return max(campaigns, key=days, default=None)


class Target(models.Model):
    """A campaign target (总体目标), measured against the baseline year."""

    class Indicator(models.TextChoices):
        DEATHS = "deaths", _("Deaths in production-safety accidents")
        DEATHS_PER_GDP = "deaths_per_gdp", _("Deaths per 100 million yuan of GDP")
        SERIOUS_ACCIDENTS = "serious_accidents", _("Serious and extraordinarily serious accidents")

    class Kind(models.TextChoices):
        REDUCTION = "reduction", _("Reduce by at least (%) against the baseline year")
        CEILING = "ceiling", _("At most (absolute)")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices)
    kind = models.CharField(_("kind of target"), max_length=20, choices=Kind.choices)
    value = models.DecimalField(_("value"), max_digits=8, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "indicator"], name="one_target_per_indicator"),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_value_not_negative"),
        ]

    def __str__(self):
        return _("%(indicator)s: %(target)s") % {"indicator": self.get_indicator_display(), "target": self.describe()}

    def describe(self) -> str:
        value = f"{self.value.normalize():f}"  # 40.00 → 40, 2.50 → 2.5
        if self.kind == self.Kind.REDUCTION:
            return _("−%(value)s%% against %(year)s") % {"value": value, "year": self.campaign.baseline_year}
        if self.value == 0:
            return str(_("none"))
        return _("at most %(value)s") % {"value": value}

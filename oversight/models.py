"""Rollups: the campaign's figures, counted once from the records and read by the dashboards.

One row per unit × sector (or none: all sectors) × period × metric (× variant: a report type,
a risk level). A unit's row counts everything in its subtree (itself included), so a dashboard
reads the district's or a street's figure as one row, never millions of records.
Rows are derived data: rebuilt from the records at any time, so they carry no history.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaign.models import Campaign
from districts.models import OrgUnit, Sector


class Granularity(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Metric(models.TextChoices):
    # Flows: what happened within the period.
    HAZARDS_FOUND = "hazards_found", _("Hazards found")
    HAZARDS_CLOSED = "hazards_closed", _("Hazards closed")
    HAZARDS_CLOSED_ON_TIME = "hazards_closed_on_time", _("Hazards closed on time")
    # Stocks: the state at the period's end (today for the running period).
    HAZARDS_OPEN = "hazards_open", _("Open hazards")
    HAZARDS_OVERDUE = "hazards_overdue", _("Overdue hazards")
    HAZARDS_FOUND_TO_DATE = "hazards_found_to_date", _("Hazards found to date")
    HAZARDS_CLOSED_TO_DATE = "hazards_closed_to_date", _("Hazards closed to date")
    # closed to date ÷ found to date (cancelled records in neither); null when none was found.
    HAZARD_CLOSURE_RATE = "hazard_closure_rate", _("Hazard closure rate")
    MAJOR_HAZARDS_LISTED_OPEN = "major_hazards_listed_open", _("Listed major hazards open")
    RISKS = "risks", _("Risk points")  # variant: the risk level (risks.models.Level: major, significant, general, low)
    RISK_REVIEWS_OVERDUE = "risk_reviews_overdue", _("Risk reviews overdue")
    # Reports (no sector); variant: the report type's code, "" for all types.
    REPORTS_EXPECTED = "reports_expected", _("Reports expected")
    REPORTS_FILED = "reports_filed", _("Reports filed")
    REPORTS_ON_TIME = "reports_on_time", _("Reports filed on time")
    # Key tasks.
    TASKS_DUE = "tasks_due", _("Key tasks due")
    TASKS_DONE = "tasks_done", _("Key tasks done")
    TASKS_OVERDUE = "tasks_overdue", _("Key tasks overdue")
    # Accidents (flow).
    ACCIDENTS = "accidents", _("Accidents")
    ACCIDENT_DEATHS = "accident_deaths", _("Accident deaths")
    SERIOUS_ACCIDENTS = "serious_accidents", _("Serious accidents")


class Rollup(models.Model):
    audit_exempt = "derived figures, rebuilt from the records at any time"

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    granularity = models.CharField(_("period kind"), max_length=10, choices=Granularity.choices)
    period_start = models.DateField(_("period start"))
    metric = models.CharField(_("metric"), max_length=40, choices=Metric.choices)
    variant = models.CharField(_("variant"), max_length=40, blank=True, default="")
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = _("rollup figure")
        verbose_name_plural = _("rollup figures")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "sector", "granularity", "period_start", "metric", "variant"],
                name="one_rollup_per_key",
            ),
            models.UniqueConstraint(
                fields=["unit", "granularity", "period_start", "metric", "variant"],
                condition=Q(sector__isnull=True),
                name="one_rollup_per_key_all_sectors",
            ),
        ]
        indexes = [models.Index(fields=["granularity", "period_start", "metric", "unit"])]

    def __str__(self):
        return f"{self.unit_id}/{self.sector_id}/{self.granularity}/{self.period_start}/{self.metric}={self.value}"


# The most dates one kind of record is counted by (oversight.figures.DATES: a hazard's eight).
DAY_SLOTS = 8
# The columns of a Counted row read from the records (oversight.figures.family_rows), in order.
COUNTED_COLUMNS = ("record", "unit_id", "sector_id", "variant", "weight", *(f"day_{i}" for i in range(DAY_SLOTS)))


class Counted(models.Model):
    """What the rollups of a district hold of one record: its place, sector, variant (a risk's
    level) and weight (an accident's deaths), and the day of each of its dates (the dates of its
    kind in oversight.figures.DATES, in their order; none where it has not that date), as read
    when it was last counted. The district's rollups are the sum of its rows: an incremental
    rebuild takes a changed record's row out and its fresh one in, so only what changed is
    counted, never the rest of its place. Rows are derived data: a full rebuild reads them all
    again from the records."""

    audit_exempt = "derived from the records, read again from them at every full rebuild"

    # No database constraints: a full rebuild writes a million rows, and checks of their units
    # would cost as much again; a unit or district that goes makes the next rebuild a full one.
    district = models.ForeignKey(
        OrgUnit, verbose_name=_("district"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    family = models.CharField(_("kind of record"), max_length=10)
    record = models.BigIntegerField(_("record"))
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    variant = models.CharField(_("variant"), max_length=40, null=True, blank=True)
    weight = models.IntegerField(_("weight"), default=1)
    day_0 = models.DateField(null=True, blank=True)
    day_1 = models.DateField(null=True, blank=True)
    day_2 = models.DateField(null=True, blank=True)
    day_3 = models.DateField(null=True, blank=True)
    day_4 = models.DateField(null=True, blank=True)
    day_5 = models.DateField(null=True, blank=True)
    day_6 = models.DateField(null=True, blank=True)
    day_7 = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("counted record")
        verbose_name_plural = _("counted records")
        constraints = [models.UniqueConstraint(fields=["district", "family", "record"], name="one_count_per_record")]

    def __str__(self):
        return f"{self.district_id}/{self.family}/{self.record}"


class RollupState(models.Model):
    """How far the rollups of a district have read the records: when they were last built, and
    the last event/history row of each source taken in. The incremental rebuild reads only what
    came after; the nightly one starts from nothing."""

    audit_exempt = "bookkeeping of the derived figures"

    district = models.OneToOneField(OrgUnit, verbose_name=_("district"), on_delete=models.CASCADE, related_name="+")
    built_at = models.DateTimeField(_("figures as of"), null=True, blank=True)
    full_built_at = models.DateTimeField(_("last full rebuild"), null=True, blank=True)
    watermarks = models.JSONField(_("last rows read"), default=dict, blank=True)
    # The shape of the Counted rows the rollups are the sum of (oversight.rollups.COUNTED_SHAPE);
    # 0: built before there were any.
    counted_shape = models.PositiveSmallIntegerField(_("shape of the counted records"), default=0)
    # The campaign's target progress of the district and each street, measured when the rollups
    # were built (oversight.targets): the dashboards read it with built_at. None: not yet measured.
    targets = models.JSONField(_("target progress"), null=True, blank=True)

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup states")

    def __str__(self):
        return f"{self.district} @ {self.built_at}"


# The weights a campaign's ranking starts with (oversight.ranking says how they combine): the
# plan gives none. Every rate counts alike, an adopted item's points count as they are, and an
# overdue hazard costs nothing until the office says otherwise.
DEFAULT_WEIGHTS = {
    "filing": Decimal("1"),
    "on_time": Decimal("1"),
    "closure": Decimal("1"),
    "assessment": Decimal("1"),
    "adoption": Decimal("1"),
    "overdue": Decimal("0"),
}
WEIGHT_FIELD = {"max_digits": 6, "decimal_places": 2, "validators": [MinValueValidator(0), MaxValueValidator(1000)]}


class RankingWeights(models.Model):
    """How a campaign's ranking (通报排名) weighs each figure; no row: DEFAULT_WEIGHTS."""

    campaign = models.OneToOneField(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="ranking_weights"
    )
    filing = models.DecimalField(_("weight of the filing rate (报送率)"), default=Decimal("1"), **WEIGHT_FIELD)
    on_time = models.DecimalField(_("weight of the on-time rate (及时率)"), default=Decimal("1"), **WEIGHT_FIELD)
    closure = models.DecimalField(_("weight of the closure rate (整改率)"), default=Decimal("1"), **WEIGHT_FIELD)
    assessment = models.DecimalField(_("weight of the assessment score"), default=Decimal("1"), **WEIGHT_FIELD)
    adoption = models.DecimalField(_("weight of each adoption point"), default=Decimal("1"), **WEIGHT_FIELD)
    overdue = models.DecimalField(_("points off per overdue hazard"), default=Decimal("0"), **WEIGHT_FIELD)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ranking weights")
        verbose_name_plural = _("ranking weights")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    filing__gte=0, on_time__gte=0, closure__gte=0, assessment__gte=0, adoption__gte=0, overdue__gte=0
                ),
                name="ranking_weights_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.campaign}"

    def as_dict(self) -> dict[str, Decimal]:
        return {name: getattr(self, name) for name in DEFAULT_WEIGHTS}


# The bulletins' models live in their own module (oversight/bulletins/models.py).
from oversight.bulletins.models import (  # noqa: E402, F401
    Acknowledgement,
    Bulletin,
    BulletinCounter,
    BulletinSeries,
    BulletinStatus,
    BulletinVersion,
)

# The annual summaries' models live in their own module (oversight/summaries/models.py).
from oversight.summaries.models import AnnualSummary, SummaryVersion  # noqa: E402, F401

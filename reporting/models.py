"""Periodic reports (信息报送): report types as data, the periods a campaign
generates for each, and the submissions streets and departments file.

A report type says how often it falls due (its period kind), when (its due
rule) and who files it (the kinds of unit). Periods are generated from the
type for a campaign (reporting.periods). A submission moves draft → submitted
→ accepted, or → returned → submitted again; every move is one service call
(reporting.services) that writes a SubmissionEvent.

Timeliness is judged at the end of the due day in Asia/Shanghai: a report
first submitted at 23:59:59 on the due date is on time, one a second after
midnight is late.
"""

import datetime
import enum
import uuid
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaign.lib.deadlines import DEADLINE_TZ
from campaign.lib.transitions import Transition, TransitionTable
from campaign.models import Campaign
from districts.models import OrgUnit, Role
from districts.scoping import Scope, ScopedQuerySet, scope_for


def deadline_of(due_on: datetime.date) -> datetime.datetime:
    """The first instant that is late: midnight at the end of the due day, Shanghai time."""
    return datetime.datetime.combine(due_on + datetime.timedelta(days=1), datetime.time.min, tzinfo=DEADLINE_TZ)


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    HALF_YEAR = "half_year", _("Half-yearly")
    YEAR = "year", _("Yearly")
    ONCE = "once", _("Once")


class DueRule(models.TextChoices):
    PERIOD_END = "period_end", _("Last day of the period, plus grace days")
    AFTER_START = "after_start", _("Days after the campaign starts")
    FIXED_DATE = "fixed_date", _("A fixed date")


# Who files a report type unless told otherwise: every street and every district department.
DEFAULT_FILER_KINDS = [OrgUnit.Kind.STREET.value, OrgUnit.Kind.DEPARTMENT.value]
FILER_KIND_CHOICES = {OrgUnit.Kind.STREET, OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.DEPARTMENT}


def default_filer_kinds():
    return list(DEFAULT_FILER_KINDS)


def validate_filer_kinds(value):
    if not isinstance(value, list) or not value or any(k not in FILER_KIND_CHOICES for k in value):
        raise ValidationError(
            _("Choose the kinds of unit that file, from: %(kinds)s.")
            % {"kinds": "、".join(str(OrgUnit.Kind(k).label) for k in sorted(FILER_KIND_CHOICES))}
        )


class ReportType(models.Model):
    """A kind of report every filer owes on a calendar (月度工作信息, 季度进展, …)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    name_en = models.CharField(_("English name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    due_rule = models.CharField(_("due rule"), max_length=12, choices=DueRule.choices, default=DueRule.PERIOD_END)
    grace_days = models.PositiveSmallIntegerField(
        _("days"),
        default=0,
        help_text=_("Grace days after the period's last day, or days after the campaign starts."),
    )
    fixed_due_on = models.DateField(_("fixed due date"), null=True, blank=True)
    allows_several = models.BooleanField(
        _("several per period"),
        default=False,
        help_text=_("A unit may file more than one in a period; it counts once."),
    )
    adoptable = models.BooleanField(
        _("may be adopted"),
        default=False,
        help_text=_("The creation office may mark reports of this type adopted at district, city or province level."),
    )
    filer_kinds = models.JSONField(
        _("filed by"),
        default=default_filer_kinds,
        validators=[validate_filer_kinds],
        help_text=_("The kinds of unit in the campaign's district that must file."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report type")
        verbose_name_plural = _("report types")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(due_rule="fixed_date") | Q(fixed_due_on__isnull=False),
                name="reporttype_fixed_rule_has_date",
            ),
            models.CheckConstraint(
                condition=Q(period_kind="once") | Q(due_rule="period_end"),
                name="reporttype_recurring_due_at_period_end",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name

    def clean(self):
        if self.due_rule == DueRule.FIXED_DATE and not self.fixed_due_on:
            raise ValidationError({"fixed_due_on": _("A fixed due rule needs its date.")})
        if self.period_kind != PeriodKind.ONCE and self.due_rule != DueRule.PERIOD_END:
            raise ValidationError({"due_rule": _("A recurring report falls due at the end of each period.")})


class PeriodQuerySet(models.QuerySet):
    def due_by(self, day: datetime.date):
        """Periods whose due day is over on `day`: a missing report there is missing, not yet due."""
        return self.filter(due_on__lt=day)


class Period(models.Model):
    """One period of one report type in one campaign: what it covers and when it is due."""

    audit_exempt = "generated from the report types, which keep history"

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+")
    report_type = models.ForeignKey(
        ReportType, verbose_name=_("report type"), on_delete=models.PROTECT, related_name="periods"
    )
    # 2019-02, 2019-Q1, 2019-H1, 2019, once: stable, so that regenerating finds the period again.
    key = models.CharField(_("key"), max_length=10)
    starts_on = models.DateField(_("covers from"))
    ends_on = models.DateField(_("covers until"))
    due_on = models.DateField(_("due on"))

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["campaign", "report_type__order", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "report_type", "key"], name="one_period_per_key"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="period_ends_after_start"),
        ]
        indexes = [models.Index(fields=["campaign", "report_type", "starts_on"])]

    def __str__(self):
        return f"{self.report_type} · {self.label}"

    @cached_property
    def label(self) -> str:
        """2019年2月 / Feb 2019, 2019年第1季度 / 2019 Q1, … in the interface language."""
        year = self.key[:4]
        kind = self.report_type.period_kind
        if kind == PeriodKind.MONTH:
            month = self.starts_on.month
            return _("%(month)s %(year)s") % {"year": year, "month": MONTH_NAMES[month - 1]}
        if kind == PeriodKind.QUARTER:
            return _("%(year)s Q%(quarter)s") % {"year": year, "quarter": self.key[-1]}
        if kind == PeriodKind.HALF_YEAR:
            half = _("%(year)s first half") if self.key.endswith("H1") else _("%(year)s second half")
            return half % {"year": year}
        if kind == PeriodKind.YEAR:
            return _("Year %(year)s") % {"year": year}
        return str(_("Once"))

    @property
    def short_label(self) -> str:
        """The column head of the calendar: 2月 / Feb, Q1, H1, 2019."""
        kind = self.report_type.period_kind
        if kind == PeriodKind.MONTH:
            return str(MONTH_SHORT[self.starts_on.month - 1])
        if kind in (PeriodKind.QUARTER, PeriodKind.HALF_YEAR):
            return self.key[-2:]
        if kind == PeriodKind.YEAR:
            return self.key
        return str(_("Once"))

    @cached_property
    def deadline(self) -> datetime.datetime:
        return deadline_of(self.due_on)

    def is_late(self, at: datetime.datetime) -> bool:
        return at >= self.deadline


MONTH_NAMES = [
    _("January"),
    _("February"),
    _("March"),
    _("April"),
    _("May"),
    _("June"),
    _("July"),
    _("August"),
    _("September"),
    _("October"),
    _("November"),
    _("December"),
]
MONTH_SHORT = [
    _("Jan"),
    _("Feb"),
    _("Mar"),
    _("Apr"),
    _("May"),
    _("Jun"),
    _("Jul"),
    _("Aug"),
    _("Sep"),
    _("Oct"),
    _("Nov"),
    _("Dec"),
]


# Who files a unit's reports (for the unit of their membership and below), and who reviews them.
FILER_ROLES = frozenset({Role.STREET_STAFF, Role.DEPARTMENT_STAFF, Role.COMMUNITY_STAFF})
REVIEWER_ROLES = frozenset({Role.REVIEWER})


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


# A report counts as filed while it is with the office or accepted; a returned one is back with the unit.
FILED_STATUSES = (Status.SUBMITTED, Status.ACCEPTED)
# What the filing unit may still change.
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)


class SubmissionQuerySet(ScopedQuerySet):
    unit_lookup = "unit__"
    sector_lookup = None

    def in_scope(self, scope: Scope):
        # Reports belong to no sector: a lead department's district-wide view of its
        # sector does not reach other units' reports. Only subtrees count.
        return super().in_scope(scope.units_only())

    def visible_to(self, user):
        """Submitted work to everyone whose scope covers the unit; drafts only to the unit's own filers."""
        filers = scope_for(user, FILER_ROLES)
        own_drafts = Q() if filers.everything else filers.units_only().q(self.unit_lookup, None)
        return self.in_scope(scope_for(user)).filter(~Q(status=Status.DRAFT) | own_drafts)

    def filed(self):
        return self.filter(status__in=FILED_STATUSES)


class Submission(models.Model):
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="submissions")
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="submissions")
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Timeliness is judged by the first submission: a report returned for changes
    # and sent again is as timely as it was first sent.
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(first_submitted_at__isnull=False, submitted_at__isnull=False),
                name="submission_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "unit"]),
            models.Index(fields=["status", "-submitted_at"], name="submission_inbox"),
        ]

    def __str__(self):
        return self.title or str(_("(untitled)"))

    @property
    def is_editable(self) -> bool:
        return TABLE.allowed(EDIT, self.status)

    @property
    def is_late(self) -> bool | None:
        """Late when first submitted after the due day; None while it is a draft."""
        if self.first_submitted_at is None:
            return None
        return self.period.is_late(self.first_submitted_at)


def attachment_path(instance, filename: str) -> str:
    # Never the uploader's name on disk: it is kept in original_name and given back on download.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"reporting/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20)
    mime = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class SubmissionEvent(models.Model):
    """One step of a submission's workflow: who moved it, when, from where to where, and why."""

    audit_append_only = True  # one row per step

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        RESUBMIT = "resubmit", _("Resubmitted")
        RETURN = "return", _("Returned with comments")
        ACCEPT = "accept", _("Accepted")
        REOPEN = "reopen", _("Reopened")

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=10, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------- the workflow


class Side(enum.StrEnum):
    FILER = "filer"  # the unit's own staff: write, submit, resubmit
    REVIEWER = "reviewer"  # the creation office: accept, return, reopen


SIDE_ROLES = {Side.FILER: FILER_ROLES, Side.REVIEWER: REVIEWER_ROLES}
# Changing the text and the attachments: no event of its own, the history keeps every version.
EDIT = "edit"
_A = SubmissionEvent.Action
_VERBS = {EDIT: _("changed")}


def _illegal(action: str, state: str) -> str:
    verb = _VERBS[action] if action in _VERBS else _A(action).label
    return gettext("A report that is %(status)s cannot be %(action)s.") % {
        "status": Status(state).label.lower(),
        "action": str(verb).lower(),
    }


# The workflow, whole, in the order the report's page offers the actions (campaign.lib.transitions).
TABLE = TransitionTable(
    {
        EDIT: Transition(EDITABLE_STATUSES, None, Side.FILER),
        _A.SUBMIT: Transition({Status.DRAFT}, Status.SUBMITTED, Side.FILER),
        _A.RESUBMIT: Transition({Status.RETURNED}, Status.SUBMITTED, Side.FILER),
        _A.ACCEPT: Transition({Status.SUBMITTED}, Status.ACCEPTED, Side.REVIEWER),
        _A.RETURN: Transition({Status.SUBMITTED}, Status.RETURNED, Side.REVIEWER),
        # Reopening takes an accepted report back under review: the office alone, and with a reason.
        _A.REOPEN: Transition({Status.ACCEPTED}, Status.SUBMITTED, Side.REVIEWER),
    },
    illegal=_illegal,
    refusals={
        Side.FILER: _("Only the staff of the unit that owes a report write and submit it."),
        Side.REVIEWER: _("Only the creation office reviews reports."),
    },
)


# ---------------------------------------------------------------- adoption (采用)


class AdoptionLevel(models.TextChoices):
    """Where a report item was taken up (采用): the bulletins score each level."""

    DISTRICT = "district", _("Adopted at district level")
    CITY = "city", _("Adopted at city level")
    PROVINCE = "province", _("Adopted at province level")


# The plan gives adoption no points: these are the platform's defaults, a campaign sets its own
# (AdoptionPoints). A higher level is worth more.
DEFAULT_ADOPTION_POINTS = {
    AdoptionLevel.DISTRICT: Decimal("1"),
    AdoptionLevel.CITY: Decimal("2"),
    AdoptionLevel.PROVINCE: Decimal("3"),
}
POINTS_FIELD = {"max_digits": 6, "decimal_places": 2}


class AdoptionPoints(models.Model):
    """What an adoption at one level is worth in one campaign. No row: the default."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+")
    level = models.CharField(_("adoption level"), max_length=10, choices=AdoptionLevel.choices)
    points = models.DecimalField(
        _("points"), **POINTS_FIELD, validators=[MinValueValidator(0), MaxValueValidator(1000)]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("adoption points")
        verbose_name_plural = _("adoption points")
        ordering = ["campaign", "level"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "level"], name="adoption_points_one_per_level"),
            models.CheckConstraint(condition=Q(points__gte=0), name="adoption_points_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_level_display()}: {self.points}"


class AdoptionQuerySet(ScopedQuerySet):
    unit_lookup = "submission__unit__"
    sector_lookup = None

    def in_scope(self, scope: Scope):
        return super().in_scope(scope.units_only())

    def standing(self):
        """The adoptions not withdrawn: what counts."""
        return self.filter(withdrawn_at__isnull=True)


class Adoption(models.Model):
    """A report item taken up at one level (区级/市级/省级采用), with the points it was worth
    then: a campaign's points changed later do not change it. Withdrawn, it stays on record
    and counts no more; the level may then be adopted again."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("report"), on_delete=models.PROTECT, related_name="adoptions"
    )
    level = models.CharField(_("adoption level"), max_length=10, choices=AdoptionLevel.choices)
    points = models.DecimalField(_("points"), **POINTS_FIELD)
    note = models.CharField(_("note"), max_length=200, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("adopted by"), on_delete=models.PROTECT, related_name="+"
    )
    adopted_at = models.DateTimeField(_("adopted at"))
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdraw_reason = models.CharField(_("reason for withdrawal"), max_length=200, blank=True)

    objects = AdoptionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        ordering = ["submission", "adopted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "level"],
                condition=Q(withdrawn_at__isnull=True),
                name="adoption_one_standing_per_level",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdraw_reason=""),
                name="adoption_withdrawn_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["level", "submission"])]

    def __str__(self):
        return f"{self.get_level_display()} · {self.submission}"

    @property
    def is_standing(self) -> bool:
        return self.withdrawn_at is None

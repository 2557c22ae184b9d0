"""Hazard rectification (隐患排查治理).

A hazard is logged where it is found, assigned to a responsible unit with a
deadline, rectified with photos after, and verified and closed (销号) — or
returned. Major hazards (重大事故隐患) are listed for supervision (挂牌督办)
with a five-fold plan (五落实) before rectification starts.

The allowed moves between states are one table (hazards.workflow); every move
is a service call (hazards.services) that writes one HazardEvent. Overdue is
never stored: it is computed from the deadline (HazardQuerySet.with_overdue).
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaign.lib.deadlines import DEADLINE_TZ, day_end, deadline_today  # (imported from here too)
from campaign.lib.sql import InSubquery
from districts.models import OrgUnit, Sector, Site
from districts.scoping import Scope, ScopedQuerySet
from risks.models import RiskPoint


class Grade(models.TextChoices):
    GENERAL = "general", _("General")
    MAJOR = "major", _("Major")


class Source(models.TextChoices):
    SELF_CHECK = "self_check", _("Self-check by the site")
    PATROL = "patrol", _("Grid patrol")
    INSPECTION = "inspection", _("Inspection")
    SUPERVISION = "supervision", _("Supervision and assessment")
    PUBLIC_REPORT = "public_report", _("Public report")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    RECTIFYING = "rectifying", _("Rectifying")
    AWAITING_VERIFICATION = "awaiting_verification", _("Awaiting verification")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (Status.REPORTED, Status.RECTIFYING, Status.AWAITING_VERIFICATION)
ASSIGNED_STATUSES = (Status.RECTIFYING, Status.AWAITING_VERIFICATION, Status.CLOSED)


def overdue_q(today: datetime.date | None = None) -> Q:
    """Under rectification past the end of its deadline day (Asia/Shanghai). Awaiting
    verification is not overdue: the unit has done its part, the verifier has not."""
    return Q(status=Status.RECTIFYING, deadline__lt=today or deadline_today())


def _units_only(scope: Scope) -> Scope:
    # Kept for the workflow module's import; the rule is Scope.units_only.
    return scope.units_only()


class HazardQuerySet(ScopedQuerySet):
    unit_lookup = "unit__"
    sector_lookup = "sector"

    def in_scope(self, scope: Scope):
        """Hazards at a place in scope (or of a sector led there), and hazards a unit in
        scope must rectify or supervises: those are its work even outside its area."""
        if scope.everything:
            return self
        units = scope.units_only()
        # Each branch a condition on the hazard's own columns (its place, its responsible
        # unit, its id among those a unit in scope supervises), so that each is an index scan
        # and the three combine in a BitmapOr; a join to the listing and the org tree would
        # make PostgreSQL test every hazard of the ledger.
        supervised = SupervisionListing.objects.filter(units.q("supervising_unit__", None)).values("hazard_id")
        return self.filter(
            scope.q(self.unit_lookup, self.sector_lookup)
            | units.q("responsible_unit__", None)
            | Q(InSubquery("pk", supervised))
        )

    def with_overdue(self, today: datetime.date | None = None):
        return self.annotate(is_overdue=ExpressionWrapper(overdue_q(today), output_field=models.BooleanField()))

    def overdue(self, today: datetime.date | None = None):
        return self.filter(overdue_q(today))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    # -- as of the end of a past day (the rollups' stocks): read from the hazard's own timestamps
    # as they stand. A cancelled record (an invalid report) counts nowhere, on any day. The past
    # is the present's timestamps: an approved extension moves the deadline for the days before it
    # too, and a rectification sent back counts from when it is rectified again. On today these
    # give what open() and overdue() give.

    def counted(self):
        """Every hazard but cancelled records."""
        return self.exclude(status=Status.CANCELLED)

    def found_by(self, day: datetime.date):
        return self.counted().filter(found_at__lt=day_end(day))

    def closed_by(self, day: datetime.date):
        return self.filter(status=Status.CLOSED, closed_at__lt=day_end(day))

    def open_at(self, day: datetime.date):
        """Found by the end of `day` and not closed by then."""
        end = day_end(day)
        return self.found_by(day).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))

    def overdue_at(self, day: datetime.date):
        """overdue_q as it stood at the end of `day`: assigned by then with a deadline before
        `day`, and neither rectified nor closed by then."""
        end = day_end(day)
        return self.annotate(assigned_or_found=Coalesce("assigned_at", "found_at")).filter(
            Q(rectified_at__isnull=True) | Q(rectified_at__gte=end),
            Q(closed_at__isnull=True) | Q(closed_at__gte=end),
            status__in=ASSIGNED_STATUSES,
            deadline__lt=day,
            assigned_or_found__lt=end,
        )

    def listed_open_at(self, day: datetime.date):
        """Listed for supervision by `day` and open at its end."""
        return self.open_at(day).filter(listing__listed_on__lte=day)

    def closed_on_time(self):
        """Closed, and rectified by the end of its deadline day (in the deadline time zone)."""
        return self.annotate(rectified_on=TruncDate("rectified_at", tzinfo=DEADLINE_TZ)).filter(
            status=Status.CLOSED, rectified_on__lte=F("deadline")
        )


class Hazard(models.Model):
    """A hazard (隐患) on the ledger."""

    # YH<district code>-<year>-<n>, given when the hazard is logged (hazards.numbers).
    number = models.CharField(_("hazard number"), max_length=40, unique=True, editable=False)
    title = models.CharField(_("hazard"), max_length=200)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("place"), on_delete=models.PROTECT, related_name="hazards")
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, null=True, blank=True, related_name="hazards"
    )
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="hazards")
    # The risk point (风险点) the hazard was found at, if it is on the register: three hazards
    # on one risk within 90 days mark it for re-assessment (risks.models.RiskQuerySet.with_control).
    risk = models.ForeignKey(
        RiskPoint,
        verbose_name=_("risk point"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        help_text=_("The risk point on the register this hazard belongs to, if any: one of the same place's risks."),
    )
    location = models.CharField(_("exact location"), max_length=200, blank=True)
    description = models.TextField(_("hazard description"))
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, default=Grade.GENERAL)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    found_at = models.DateTimeField(_("found at"), default=timezone.now)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.REPORTED)

    # Set when it is assigned for rectification.
    issuing_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("assigned by unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_hazards",
    )
    responsible_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_hazards",
    )
    responsible_person = models.CharField(_("responsible person"), max_length=50, blank=True)
    responsible_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    measures = models.TextField(_("rectification requirements"), blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)

    # Set when the unit reports it rectified, and when it is closed.
    rectification = models.TextField(_("what was done"), blank=True)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HazardQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["unit", "sector"]),
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["responsible_unit", "status"]),
            # The few major hazards, for the "major" queue: without it a unit with none reads
            # every hazard it sees to count none.
            models.Index(fields=["status"], condition=Q(grade=Grade.MAJOR), name="hazard_major_by_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=ASSIGNED_STATUSES) | Q(responsible_unit__isnull=False, deadline__isnull=False),
                name="hazard_assigned_has_unit_and_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=(Status.AWAITING_VERIFICATION, Status.CLOSED)) | Q(rectified_at__isnull=False),
                name="hazard_rectified_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.CLOSED) | Q(closed_at__isnull=False), name="hazard_closed_has_time"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def clean(self):
        if self.unit_id and self.unit.kind not in OrgUnit.PLACE_KINDS:
            raise ValidationError({"unit": _("A hazard sits in the district, a street, a community or a grid.")})
        if self.site_id and self.unit_id and not self.site.unit.is_descendant_of(self.unit, include_self=True):
            raise ValidationError({"site": _("The site is not in this place.")})
        if self.risk_id and self.unit_id:
            risk = self.risk
            if risk.unit_id != self.unit_id or (risk.site_id and risk.site_id != self.site_id):
                raise ValidationError(
                    {
                        "risk": _("The risk point “%(risk)s” is at %(place)s: choose one of this place's risks.")
                        % {"risk": risk.name, "place": risk.site or risk.unit}
                    }
                )

    @property
    def is_major(self) -> bool:
        return self.grade == Grade.MAJOR

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue(self, today: datetime.date | None = None) -> bool:
        """The same rule as overdue_q, for one hazard in hand."""
        if hasattr(self, "is_overdue") and today is None:
            return self.is_overdue
        return bool(self.status == Status.RECTIFYING and self.deadline and self.deadline < (today or deadline_today()))


class HazardCounter(models.Model):
    """The last number given in a district and year. Its row is locked while a number is
    taken, so hazards logged at once never share one."""

    audit_exempt = "number allocation: a counter, not a record"

    district = models.ForeignKey(OrgUnit, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("hazard number counter")
        verbose_name_plural = _("hazard number counters")
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="one_hazard_counter_per_year")]

    def __str__(self):
        return f"{self.district} {self.year}: {self.last}"


class SupervisionListing(models.Model):
    """A major hazard listed for supervision (挂牌督办), with its five-fold plan (五落实).
    The supervising unit is the listing authority: only it closes the hazard."""

    hazard = models.OneToOneField(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="listing")
    supervising_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("supervising unit"), on_delete=models.PROTECT, related_name="supervised_hazards"
    )
    document_number = models.CharField(_("listing document number"), max_length=60)
    listed_on = models.DateField(_("listed on"))
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("listed by"), on_delete=models.PROTECT, related_name="+"
    )
    # The five-fold plan: measures, funds, responsible people, time limit, contingency plan.
    plan_measures = models.TextField(_("rectification measures"))
    plan_funds = models.DecimalField(_("funds (10,000 yuan)"), max_digits=12, decimal_places=2)
    plan_responsible = models.CharField(_("responsible people"), max_length=200)
    plan_time_limit = models.DateField(_("time limit"))
    plan_contingency = models.TextField(_("contingency plan"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supervision listing")
        verbose_name_plural = _("supervision listings")
        constraints = [models.CheckConstraint(condition=Q(plan_funds__gte=0), name="listing_funds_not_negative")]

    def __str__(self):
        return f"{self.hazard.number} · {self.document_number}"


class Action(models.TextChoices):
    """What can happen to a hazard; hazards.workflow says from which states, and who may."""

    REPORT = "report", _("Logged")
    EDIT = "edit", _("Details changed")
    LIST = "list", _("Listed for supervision")
    ASSIGN = "assign", _("Assigned for rectification")
    REQUEST_EXTENSION = "request_extension", _("Extension requested")
    APPROVE_EXTENSION = "approve_extension", _("Extension approved")
    REFUSE_EXTENSION = "refuse_extension", _("Extension refused")
    SUBMIT = "submit", _("Rectification reported")
    RETURN = "return", _("Returned for rectification")
    CLOSE = "close", _("Verified and closed")
    CANCEL = "cancel", _("Cancelled")


class HazardEvent(models.Model):
    """One step on a hazard's timeline: who, when, from which state to which, and why."""

    audit_append_only = True  # the timeline: one row per step

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=30, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=30, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("hazard event")
        verbose_name_plural = _("hazard events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["hazard", "at"]),
            # What was logged since a moment: the rollups read again the events of the last
            # minutes before their last rebuild (one committed late may carry an earlier id).
            models.Index(fields=["at"]),
        ]

    def __str__(self):
        return f"{self.hazard.number} · {self.get_action_display()}"


class ExtensionRequest(models.Model):
    """A request for a later deadline (延期申请), decided by the side that assigned the hazard."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    current_deadline = models.DateField(_("deadline before"))
    requested_deadline = models.DateField(_("deadline asked for"))
    reason = models.TextField(_("reason"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"], condition=Q(decision="pending"), name="one_pending_extension_per_hazard"
            ),
            models.CheckConstraint(
                condition=Q(requested_deadline__gt=models.F("current_deadline")), name="extension_is_later"
            ),
        ]

    def __str__(self):
        return f"{self.hazard.number} → {self.requested_deadline}"


def _photo_path(instance, filename: str) -> str:
    # Names say nothing about the hazard: the files are served only through a scope-checked view.
    now = timezone.now()
    return f"hazards/{now:%Y/%m}/{uuid.uuid4().hex}.jpg"


def _thumb_path(instance, filename: str) -> str:
    now = timezone.now()
    return f"hazards/{now:%Y/%m}/{uuid.uuid4().hex}-t.jpg"


class HazardPhoto(models.Model):
    """A photo of the hazard as found (before) or as rectified (after), re-encoded without EXIF."""

    audit_append_only = True  # a photo is added, never changed

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before")
        AFTER = "after", _("After")

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(
        HazardEvent, verbose_name=_("step"), on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    image = models.FileField(_("photo"), upload_to=_photo_path)
    thumbnail = models.FileField(_("thumbnail"), upload_to=_thumb_path)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    # What the stored bytes were checked as (campaign.lib.uploads), and what they are served as.
    mime = models.CharField(_("content type"), max_length=100, default="image/jpeg")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")
        ordering = ["id"]
        indexes = [models.Index(fields=["hazard", "kind", "id"])]

    def __str__(self):
        return f"{self.hazard.number} · {self.get_kind_display()}"

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from campaign.lib.admin import HistoryAdmin, PlatformAdmin, PlatformInline, ReadOnlyMixin
from districts.admin import SetupAdminMixin
from reporting.models import Adoption, AdoptionPoints, Period, ReportType, Submission, SubmissionEvent
from reporting.services import adoption_points_set


@admin.register(ReportType)
class ReportTypeAdmin(SetupAdminMixin, HistoryAdmin):
    """Report types are data. Saving one brings every campaign's periods in line (reporting.signals)."""

    unit_path = None  # report types are the platform's
    list_display = ["name", "code", "period_kind", "due_rule", "grace_days", "fixed_due_on", "allows_several"]
    fields = [
        "code",
        "name",
        "name_en",
        "order",
        "period_kind",
        "due_rule",
        "grace_days",
        "fixed_due_on",
        "allows_several",
        "adoptable",
        "filer_kinds",
    ]


@admin.register(Period)
class PeriodAdmin(ReadOnlyMixin, PlatformAdmin):
    """Generated from the report types: read here, changed through the type."""

    unit_path = "campaign__district"
    list_display = ["report_type", "period", "starts_on", "ends_on", "due_on", "campaign"]
    list_filter = ["campaign", "report_type"]
    fields = ["campaign", "report_type", "period", "starts_on", "ends_on", "due_on"]
    readonly_fields = fields

    @admin.display(description=_("period"), ordering="key")
    def period(self, period):
        # The label (2019年2月, 一次性), not the key ("2019-02", "once").
        return period.label


class EventInline(PlatformInline):
    model = SubmissionEvent
    extra = 0
    fields = ["at", "action", "from_status", "to_status", "by", "comment"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyMixin, HistoryAdmin):
    """Read-only: reports are written and reviewed on the platform's own screens, through the services."""

    unit_path = "unit"
    list_display = ["title", "unit", "period", "status", "first_submitted_at"]
    list_filter = ["status", "period__report_type"]
    search_fields = ["title", "unit__name"]
    inlines = [EventInline]


@admin.register(AdoptionPoints)
class AdoptionPointsAdmin(HistoryAdmin):
    """What an adoption at each level is worth in a campaign: written through the service
    (the office's), and only for adoptions made after."""

    unit_path = "campaign__district"
    list_display = ["campaign", "level", "points"]
    list_filter = ["campaign"]
    fields = ["campaign", "level", "points"]

    def get_readonly_fields(self, request, obj=None):
        return ["campaign", "level"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        saved = adoption_points_set(by=request.user, campaign=obj.campaign, level=obj.level, points=obj.points)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Adoption)
class AdoptionAdmin(ReadOnlyMixin, HistoryAdmin):
    """Read-only: adoptions are made and withdrawn on the report's page, through the services."""

    unit_path = "submission__unit"
    list_display = ["submission", "level", "points", "adopted_at", "withdrawn_at"]
    list_filter = ["level"]
    search_fields = ["submission__title", "submission__unit__name"]

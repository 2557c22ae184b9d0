from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from campaign.lib.admin import HistoryAdmin, PlatformAdmin, PlatformInline, ReadOnlyMixin
from districts.admin import SetupAdminMixin
from risks.models import Assessment, AssessmentMethod, ControlPolicy, ControlRule, MethodVersion, RiskPoint
from risks.services import control_policy_update, method_revise


class MethodVersionInline(PlatformInline):
    model = MethodVersion
    extra = 0
    fields = ["number", "factors", "bands", "created_at", "created_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AssessmentMethod)
class AssessmentMethodAdmin(PlatformAdmin):
    unit_path = None  # methods are the platform's

    list_display = ["name", "code", "kind"]
    inlines = [MethodVersionInline]


@admin.register(MethodVersion)
class MethodVersionAdmin(PlatformAdmin):
    """A version is never edited: "add" makes the next version, starting from the current one."""

    unit_path = None
    list_display = ["method", "number", "created_at", "created_by"]
    list_filter = ["method"]
    fields = ["method", "factors", "bands"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        method = AssessmentMethod.objects.filter(pk=initial.get("method")).first()
        if method and method.current:
            initial.update(factors=method.current.factors, bands=method.current.bands)
        return initial

    def save_model(self, request, obj, form, change):
        revised = method_revise(method=obj.method, by=request.user, factors=obj.factors, bands=obj.bands)
        obj.pk, obj.number = revised.pk, revised.number


@admin.register(ControlRule)
class ControlRuleAdmin(SetupAdminMixin, HistoryAdmin):
    unit_path = None  # one rule per level, for the platform

    list_display = ["level", "control_level", "review_every_days"]


class AssessmentInline(PlatformInline):
    model = Assessment
    fk_name = "risk"
    extra = 0
    fields = ["stage", "method_version", "inputs", "score", "level", "assessed_by", "assessed_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RiskPoint)
class RiskPointAdmin(ReadOnlyMixin, HistoryAdmin):
    """Read-only: risks are kept on the risk register's screens, through risks.services
    (codes, scope and edit checks, assessments)."""

    unit_path = "unit"
    list_display = ["name", "unit", "sector", "accident_type", "status", "next_review_on"]
    list_filter = ["sector", "accident_type", "status"]
    search_fields = ["name", "unit__name", "site__name"]
    autocomplete_fields = ["unit", "site", "responsible_unit"]
    readonly_fields = ["current_assessment", "last_reviewed_on", "next_review_on"]
    inlines = [AssessmentInline]


@admin.register(ControlPolicy)
class ControlPolicyAdmin(HistoryAdmin):
    """One policy, kept by the system admin: the list opens it; saving goes through its service."""

    unit_path = None  # one rule for the platform
    fields = ["on_mismatch"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ControlPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if ControlPolicy.objects.exists():
            return redirect(reverse("admin:risks_controlpolicy_change", args=[1]))
        return redirect(reverse("admin:risks_controlpolicy_add"))

    def save_model(self, request, obj, form, change):
        saved = control_policy_update(by=request.user, on_mismatch=obj.on_mismatch)
        obj.pk = saved.pk

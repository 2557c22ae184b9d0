import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from mptt.admin import MPTTModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from campaign.lib.svg import polygon_geometry
from districts.models import Membership, OrgUnit, Sector, SectorLead, SecurityPolicy, Site, UnitBoundary, User
from districts.policy import current_policy, security_policy_update
from districts.second_factor import otp_reset


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    list_display = ["username", "full_name", "phone", "is_active", "last_login"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "phone", "email")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "full_name", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]
    list_filter = ["is_active", "memberships__role"]
    inlines = [MembershipInline]
    actions = ["reset_second_factor"]

    @admin.action(description=_("Reset the second factor (they set it up again at their next sign-in)"))
    def reset_second_factor(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                otp_reset(user=user, by=request.user, request=request)
            except PermissionDenied as exc:
                self.message_user(request, f"{user}: {exc}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, _("Second factor reset for %(n)d user(s).") % {"n": done}, messages.SUCCESS)


@admin.register(OrgUnit)
class OrgUnitAdmin(SimpleHistoryAdmin, MPTTModelAdmin):
    list_display = ["name", "code", "kind", "established_on", "dissolved_on"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["assigned_units"]
    mptt_level_indent = 16


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "name_en", "code"]
    ordering = ["order"]


@admin.register(SectorLead)
class SectorLeadAdmin(SimpleHistoryAdmin):
    list_display = ["district", "sector", "department"]
    list_filter = ["sector"]
    autocomplete_fields = ["district", "department"]


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
    list_display = ["name", "credit_code", "unit", "sector", "category", "is_major_hazard_source"]
    list_filter = ["sector", "category", "is_major_hazard_source"]
    search_fields = ["name", "credit_code", "address"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit", "sector"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "unit", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]


class UnitBoundaryForm(forms.ModelForm):
    """A boundary typed as JSON, or uploaded as a .geojson/.json file holding a geometry,
    a Feature, or a FeatureCollection (its first feature is taken)."""

    MAX_UPLOAD_BYTES = 5 * 1024 * 1024

    upload = forms.FileField(
        label=_("GeoJSON file"),
        required=False,
        help_text=_(
            "A .geojson or .json file: a Polygon or MultiPolygon in WGS 84 longitude/latitude. "
            "It replaces the geometry below."
        ),
    )

    class Meta:
        model = UnitBoundary
        fields = ["unit", "upload", "geometry"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["geometry"].required = False
        self.fields["unit"].queryset = OrgUnit.objects.filter(
            kind__in=[OrgUnit.Kind.STREET, OrgUnit.Kind.COMMUNITY]
        ).order_by("tree_id", "lft")

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if not upload:
            return None
        if not upload.name.lower().endswith((".geojson", ".json")):
            raise forms.ValidationError(_("Upload a .geojson or .json file."))
        if upload.size > self.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        try:
            return json.loads(upload.read().decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            raise forms.ValidationError(_("The file is not JSON.")) from None

    def clean(self):
        cleaned = super().clean()
        data = cleaned.get("upload") or cleaned.get("geometry")
        if "upload" in self.errors or "geometry" in self.errors:
            return cleaned
        if not data:
            raise forms.ValidationError(_("Upload a GeoJSON file or enter the geometry."))
        try:
            cleaned["geometry"] = polygon_geometry(data)
        except ValueError:
            field = "upload" if cleaned.get("upload") else "geometry"
            self.add_error(
                field,
                _("This is not a GeoJSON Polygon or MultiPolygon of [longitude, latitude] rings."),
            )
        return cleaned


@admin.register(UnitBoundary)
class UnitBoundaryAdmin(SimpleHistoryAdmin):
    form = UnitBoundaryForm
    list_display = ["unit", "unit_kind", "geometry_type", "updated_at"]
    list_filter = ["unit__kind"]
    search_fields = ["unit__name", "unit__code"]
    list_select_related = ["unit"]

    @admin.display(description=_("kind"), ordering="unit__kind")
    def unit_kind(self, obj):
        return obj.unit.get_kind_display()

    @admin.display(description=_("geometry"))
    def geometry_type(self, obj):
        return (obj.geometry or {}).get("type", "")


@admin.register(SecurityPolicy)
class SecurityPolicyAdmin(SimpleHistoryAdmin):
    """One policy: the list opens it; saving goes through its service."""

    fieldsets = (
        (_("Passwords"), {"fields": ("password_min_length", "password_expiry_days")}),
        (_("Lockout"), {"fields": ("lockout_failure_limit", "lockout_address_accounts", "lockout_cooloff_minutes")}),
        (_("Sessions"), {"fields": ("idle_minutes_privileged", "idle_minutes", "session_hours")}),
    )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SecurityPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if SecurityPolicy.objects.exists():
            return redirect(reverse("admin:districts_securitypolicy_change", args=[1]))
        return redirect(reverse("admin:districts_securitypolicy_add"))

    def get_changeform_initial_data(self, request):
        policy = current_policy()
        return {name: getattr(policy, name) for name in settings.SECURITY_POLICY_DEFAULTS}

    def save_model(self, request, obj, form, change):
        security_policy_update(policy=obj, by=request.user, request=request)

import json

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from mptt.admin import MPTTModelAdmin

from campaign.lib.admin import HistoryAdmin, PlatformAdmin, PlatformInline, ReadOnlyMixin
from campaign.lib.svg import polygon_geometry
from districts import authority, services
from districts.models import Membership, OrgUnit, Role, Sector, SectorLead, SecurityPolicy, Site, UnitBoundary, User
from districts.policy import current_policy, security_policy_update
from districts.second_factor import otp_reset

# Second-factor devices are kept through their services (enrolment, the security admin's
# reset on the users list), not edited in the back office: django-otp's own pages are off.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class SetupAdminMixin:
    """Set-up data with no screen of its own: written here by the system admin only
    (districts.authority.check_setup), whatever the groups say."""

    def save_model(self, request, obj, form, change):
        authority.check_setup(by=request.user)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        authority.check_setup(by=request.user)
        super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        authority.check_setup(by=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        authority.check_setup(by=request.user)
        super().delete_queryset(request, queryset)


class MembershipInline(ReadOnlyMixin, PlatformInline):
    """Read here; roles are granted and removed on the membership page, by the security admin."""

    model = Membership
    extra = 0
    fields = ["unit", "role", "created_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(User)
class UserAdmin(HistoryAdmin):
    """Accounts. No password is set here (districts.authority rule 6): a new account
    has none until the security admin's reset, and no form shows or sets one."""

    unit_path = "memberships__unit"
    list_display = ["username", "full_name", "phone", "is_active", "must_change_password", "last_login"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = (
        (None, {"fields": ("username",)}),
        (_("Personal info"), {"fields": ("full_name", "phone", "email")}),
        (
            _("Status"),
            {"fields": ("is_active", "must_change_password", "password_changed_at", "last_login", "date_joined")},
        ),
    )
    add_fieldsets = ((None, {"fields": ("username", "full_name", "phone", "email")}),)
    readonly_fields = ["must_change_password", "password_changed_at", "last_login", "date_joined"]
    list_filter = ["is_active", "memberships__role"]
    ordering = ["username"]
    inlines = [MembershipInline]
    actions = ["reset_password", "reset_second_factor", "deactivate", "activate"]

    def get_queryset(self, request):
        # An account with no role yet belongs to no district: every administrator sees it, to
        # give it its first role.
        unplaced = User.objects.filter(memberships__isnull=True).values("pk")
        return super().get_queryset(request) | User.objects.filter(pk__in=unplaced)

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_inline_instances(self, request, obj=None):
        # A new account has no roles yet; they are granted on the membership page.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def get_urls(self):
        # Where Django's user admin has its set-a-password form: refused, for everyone.
        refuse = self.admin_site.admin_view(self.password_form_refused)
        return [path("<id>/password/", refuse, name="districts_user_password_change"), *super().get_urls()]

    def password_form_refused(self, request, id):
        exc = PermissionDenied(
            _(
                "Nobody sets another person's password here: the security administrator resets it (a temporary "
                "password, changed at the next sign-in); an administrator's is reset on the server console."
            )
        )
        return self.refused(request, exc, self._changelist_url())

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.user_create(
                by=request.user, **{f: form.cleaned_data[f] for f in services.USER_EDITABLE_FIELDS}
            )
            obj.pk, obj.password = created.pk, created.password
            return
        stored = User.objects.get(pk=obj.pk)
        fields = {f: form.cleaned_data[f] for f in form.changed_data if f in services.USER_EDITABLE_FIELDS}
        if fields:
            services.user_update(by=request.user, user=stored, **fields)
        if "is_active" in form.changed_data:
            services.user_set_active(by=request.user, user=stored, active=form.cleaned_data["is_active"])

    def save_formset(self, request, form, formset, change):
        save_membership_formset(request, formset)

    def has_reset_password_permission(self, request):
        return authority.holds(request.user, Role.SECURITY_ADMIN)

    @admin.action(
        description=_("Reset the password (a temporary one, changed at the next sign-in)"),
        permissions=["reset_password"],
    )
    def reset_password(self, request, queryset):
        issued = []
        with transaction.atomic():
            for user in queryset.order_by("username"):
                issued.append((user, services.user_reset_password(by=request.user, user=user, request=request)))
        response = TemplateResponse(
            request,
            "admin/districts/user/temporary_passwords.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Temporary passwords"),
                "opts": self.model._meta,
                "issued": issued,
            },
        )
        # Shown once: NoStoreMiddleware keeps it out of the browser's and any proxy's cache.
        return response

    def has_reset_second_factor_permission(self, request):
        return authority.holds(request.user, Role.SECURITY_ADMIN)

    @admin.action(
        description=_("Reset the second factor (they set it up again at their next sign-in)"),
        permissions=["reset_second_factor"],
    )
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

    def _set_active(self, request, queryset, active):
        with transaction.atomic():
            for user in queryset:
                services.user_set_active(by=request.user, user=user, active=active)
        self.message_user(request, _("%(count)d accounts changed.") % {"count": len(queryset)}, messages.SUCCESS)

    @admin.action(description=_("Deactivate the selected accounts"), permissions=["change"])
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)

    @admin.action(description=_("Activate the selected accounts"), permissions=["change"])
    def activate(self, request, queryset):
        self._set_active(request, queryset, True)


def save_membership_formset(request, formset):
    """Memberships edited inline go through the services like any other."""
    if formset.model is not Membership:
        formset.save()
        return
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.initial_forms:
        if form in formset.deleted_forms:
            services.membership_delete(by=request.user, membership=form.instance, request=request)
            formset.deleted_objects.append(form.instance)
        elif form.has_changed():
            authority.check_membership_change(by=request.user, membership=form.instance)
    for form in formset.extra_forms:
        if form.has_changed() and form not in formset.deleted_forms:
            data = form.cleaned_data
            formset.new_objects.append(
                services.membership_create(
                    by=request.user, request=request, user=formset.instance, unit=data["unit"], role=data["role"]
                )
            )


@admin.register(OrgUnit)
class OrgUnitAdmin(HistoryAdmin, MPTTModelAdmin):
    """Units are added and changed through districts.services; a unit is dissolved, not deleted."""

    unit_path = ""
    # MPTT's own change list indents with inline styles, which the Content-Security-Policy
    # refuses: the plain change list, with the name indented by ideographic spaces.
    change_list_template = "admin/change_list.html"
    list_display = ["indented_name", "code", "kind", "established_on", "dissolved_on"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["assigned_units"]

    @admin.display(description=_("Name"))
    def indented_name(self, unit):
        return "\u3000" * unit.level + unit.name

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.orgunit_save(by=request.user, unit=obj)


@admin.register(Sector)
class SectorAdmin(ReadOnlyMixin, PlatformAdmin):
    """The seven sectors are the plan's: load_plan keeps them."""

    unit_path = None  # the plan's seven, for every district
    list_display = ["order", "name", "name_en", "code"]
    ordering = ["order"]


@admin.register(SectorLead)
class SectorLeadAdmin(ReadOnlyMixin, HistoryAdmin):
    """The sectors' lead departments are the plan's: load_plan keeps them."""

    unit_path = "district"
    list_display = ["district", "sector", "department"]
    list_filter = ["sector"]


@admin.register(Site)
class SiteAdmin(HistoryAdmin):
    """Sites are written through districts.services, with the same scope checks as the site screens."""

    unit_path = "unit"
    list_display = ["name", "credit_code", "unit", "sector", "category", "is_major_hazard_source"]
    list_filter = ["sector", "category", "is_major_hazard_source"]
    search_fields = ["name", "credit_code", "address"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit", "sector"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = {f: form.cleaned_data[f] for f in Site.EDITABLE_FIELDS if f in form.cleaned_data}
        if change:
            services.site_update(by=request.user, site=Site.objects.get(pk=obj.pk), **fields)
        else:
            obj.pk = services.site_create(by=request.user, **fields).pk


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    """Roles: granted and removed by the security admin through districts.services, never edited in place."""

    unit_path = "unit"
    list_display = ["user", "unit", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            authority.check_membership_change(by=request.user, membership=obj)
        created = services.membership_create(
            by=request.user, request=request, user=obj.user, unit=obj.unit, role=obj.role
        )
        obj.pk = created.pk

    def delete_model(self, request, obj):
        services.membership_delete(by=request.user, membership=obj, request=request)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for membership in queryset.select_related("user", "unit"):
                services.membership_delete(by=request.user, membership=membership, request=request)


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyMixin, PlatformAdmin):
    """The back office's own action log, for the audit admin to read."""

    unit_path = "user__memberships__unit"  # what the district's own administrators did
    list_display = ["action_time", "user", "content_type", "object_repr", "action_flag", "change_message"]
    list_filter = ["action_flag", "content_type"]
    search_fields = ["object_repr", "user__username", "change_message"]
    date_hierarchy = "action_time"
    list_select_related = ["user", "content_type"]


class LockoutRecordMixin:
    """django-axes' records, titled by who, where from and when: axes' own titles are English sentences."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, unquote(object_id))
        if record is not None:
            when = date_format(localtime(record.attempt_time), "Y-m-d H:i:s")
            extra_context = {**(extra_context or {}), "subtitle": f"{record.username} · {record.ip_address} · {when}"}
        return super().change_view(request, object_id, form_url, extra_context)


for _model, _admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
        admin.site.register(_model, type(_admin.__name__, (LockoutRecordMixin, _admin), {}))


# Groups are kept by districts.admin_groups alone, one per admin role.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


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
class UnitBoundaryAdmin(SetupAdminMixin, HistoryAdmin):
    unit_path = "unit"

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
class SecurityPolicyAdmin(HistoryAdmin):
    """One policy: the list opens it; saving goes through its service."""

    unit_path = None  # one sign-in policy for the platform
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

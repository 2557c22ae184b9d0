from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from mptt.admin import MPTTModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from districts.models import Membership, OrgUnit, Sector, SectorLead, Site, User


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

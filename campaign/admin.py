from django.contrib import admin

from campaign import task_admin  # noqa: F401 (registers the key tasks' admin)
from campaign.lib.admin import HistoryAdmin, PlatformInline, ReadOnlyMixin
from campaign.models import Accident, Campaign, Target, YearlyValue
from districts.admin import SetupAdminMixin


class TargetInline(PlatformInline):
    model = Target
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(SetupAdminMixin, HistoryAdmin):
    unit_path = "district"

    list_display = ["name", "district", "starts_on", "ends_on", "baseline_year"]
    inlines = [TargetInline]


@admin.register(Accident)
class AccidentAdmin(ReadOnlyMixin, HistoryAdmin):
    """Read-only: accidents are recorded on the register's screens and imports, through
    campaign.services.accidents (permission, the computed grade, history)."""

    unit_path = "unit"
    list_display = ["occurred_on", "summary", "unit", "sector", "grade", "deaths", "serious_injuries", "direct_loss"]
    list_filter = ["grade", "sector", "accident_type", "investigation_status"]
    search_fields = ["summary", "location", "unit__name", "site__name"]
    date_hierarchy = "occurred_on"


@admin.register(YearlyValue)
class YearlyValueAdmin(ReadOnlyMixin, HistoryAdmin):
    """Read-only: set on the yearly values page or by import, through yearly_value_set."""

    unit_path = "unit"
    list_display = ["unit", "year", "gdp", "gdp_source", "deaths_override", "deaths_source"]
    list_filter = ["year"]
    search_fields = ["unit__name", "unit__code"]

from django.contrib import admin

from campaign import task_admin  # noqa: F401 (registers the key tasks' admin)
from campaign.lib.admin import HistoryAdmin, PlatformInline
from campaign.models import Campaign, Target
from districts.admin import SetupAdminMixin


class TargetInline(PlatformInline):
    model = Target
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(SetupAdminMixin, HistoryAdmin):
    unit_path = "district"

    list_display = ["name", "district", "starts_on", "ends_on", "baseline_year"]
    inlines = [TargetInline]

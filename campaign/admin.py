from django.contrib import admin

from campaign.lib.admin import HistoryAdmin, PlatformAdmin, PlatformInline, ReadOnlyMixin
from campaign.models import Campaign, JobHeartbeat, Target
from districts.admin import SetupAdminMixin


class TargetInline(PlatformInline):
    model = Target
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(SetupAdminMixin, HistoryAdmin):
    unit_path = "district"

    list_display = ["name", "district", "starts_on", "ends_on", "baseline_year"]
    inlines = [TargetInline]


@admin.register(JobHeartbeat)
class JobHeartbeatAdmin(ReadOnlyMixin, PlatformAdmin):
    """Written by the worker's beat."""

    unit_path = None  # the platform's worker
    list_display = ["name", "last_seen", "worker"]

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from campaign.models import Campaign, JobHeartbeat, Target


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["name", "district", "starts_on", "ends_on", "baseline_year"]
    inlines = [TargetInline]


@admin.register(JobHeartbeat)
class JobHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_seen", "worker"]
    readonly_fields = ["name", "last_seen", "worker"]

from django.contrib import admin

from campaign.lib.admin import PlatformAdmin, ReadOnlyMixin
from jobs.models import JobHeartbeat


@admin.register(JobHeartbeat)
class JobHeartbeatAdmin(ReadOnlyMixin, PlatformAdmin):
    """Written by the worker's beat."""

    unit_path = None  # the platform's worker
    list_display = ["name", "last_seen", "worker"]

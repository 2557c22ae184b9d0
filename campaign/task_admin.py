"""The key tasks in the back office: read-only. Tasks are set out, and progress reported, on the
platform's own screens through campaign.services.tasks (scope, roles, evidence checks, history)."""

from django.contrib import admin

from campaign.lib.admin import HistoryAdmin, PlatformAdmin, PlatformInline, ReadOnlyMixin
from campaign.models.tasks import KeyTask, Milestone, TaskEvidence, TaskProgress


class MilestoneInline(ReadOnlyMixin, PlatformInline):
    model = Milestone
    extra = 0
    fields = ["title", "due_on", "done_on"]
    readonly_fields = fields


class TaskProgressInline(ReadOnlyMixin, PlatformInline):
    model = TaskProgress
    extra = 0
    fields = ["at", "percent", "note", "by"]
    readonly_fields = fields


@admin.register(KeyTask)
class KeyTaskAdmin(ReadOnlyMixin, HistoryAdmin):
    unit_path = "lead_unit"
    list_display = ["code", "title", "sector", "lead_unit", "due_on", "progress", "completed_on", "campaign"]
    list_filter = ["campaign", "sector"]
    search_fields = ["code", "title", "lead_unit__name"]
    inlines = [MilestoneInline, TaskProgressInline]


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyMixin, HistoryAdmin):
    unit_path = "task__lead_unit"
    list_display = ["title", "task", "due_on", "done_on"]
    search_fields = ["title", "task__code", "task__title"]


@admin.register(TaskProgress)
class TaskProgressAdmin(ReadOnlyMixin, PlatformAdmin):
    unit_path = "task__lead_unit"
    list_display = ["task", "percent", "at", "by"]
    search_fields = ["task__code", "task__title", "note"]


@admin.register(TaskEvidence)
class TaskEvidenceAdmin(ReadOnlyMixin, PlatformAdmin):
    """The record of a file; the file itself is served by the task's page to those who see it."""

    unit_path = "update__task__lead_unit"
    list_display = ["original_name", "update", "mime", "size", "uploaded_by", "uploaded_at"]
    exclude = ["file"]

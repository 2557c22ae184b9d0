from django.contrib import admin

from campaign.lib.admin import HistoryAdmin, PlatformAdmin, ReadOnlyMixin
from notifications import services
from notifications.models import EmailOutbox, ReminderRule


@admin.register(ReminderRule)
class ReminderRuleAdmin(HistoryAdmin):
    """The rules are data: the system administrator changes when and to whom reminders go.
    One rule per subject, shipped with the platform: changed, never added or deleted."""

    unit_path = None  # the platform's rules
    list_display = ["subject", "enabled", "days_before", "on_the_day", "overdue_every_days", "recipients", "email"]
    fields = ["subject", *services.RULE_FIELDS, "escalation"]
    readonly_fields = ["subject", "escalation"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        rule = ReminderRule.objects.get(pk=obj.pk)
        services.rule_update(
            rule=rule, by=request.user, **{name: form.cleaned_data[name] for name in services.RULE_FIELDS}
        )


@admin.register(EmailOutbox)
class EmailOutboxAdmin(ReadOnlyMixin, PlatformAdmin):
    """What the reminders sent by e-mail, and what failed (with the last error)."""

    unit_path = None
    list_display = ["to", "subject", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["state"]
    fields = ["to", "subject", "body", "state", "attempts", "last_error", "created_at", "sent_at"]
    readonly_fields = fields
    search_fields = ["to"]

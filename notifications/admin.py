from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.lib.admin import HistoryAdmin, PlatformAdmin, ReadOnlyMixin
from districts import authority
from districts.models import Role
from notifications import services
from notifications.models import EmailOutbox, Reminder, ReminderRule


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


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyMixin, PlatformAdmin):
    """The sent log: every reminder the sweeps wrote, to whom, of what kind and when; whether its
    digest was read and how its e-mail went. Written only by the sweep."""

    unit_path = "recipient__memberships__unit"  # the reminders of the administrator's units' people
    list_display = ["created_at", "recipient", "kind", "text", "deadline", "offset", "read", "email_state"]
    list_filter = ["kind", "created_at", "deadline"]
    date_hierarchy = "created_at"
    search_fields = ["recipient__username", "recipient__full_name", "subject", "text"]
    list_select_related = ["recipient", "notification__email"]
    fields = ["recipient", "kind", "text", "url", "subject", "deadline", "offset", "rule", "notification", "created_at"]
    readonly_fields = fields
    list_per_page = 50
    show_full_result_count = False  # the log grows by thousands a day: no second COUNT of the whole table

    @admin.display(description=gettext_lazy("read"), boolean=True)
    def read(self, obj):
        return obj.notification.read_at is not None

    @admin.display(description=gettext_lazy("e-mail"))
    def email_state(self, obj):
        try:
            email = obj.notification.email
        except EmailOutbox.DoesNotExist:
            return "—"
        url = reverse("admin:notifications_emailoutbox_change", args=[email.pk])
        return format_html('<a href="{}">{}</a>', url, email.get_state_display())


@admin.register(EmailOutbox)
class EmailOutboxAdmin(ReadOnlyMixin, PlatformAdmin):
    """What the reminders sent by e-mail, and what failed (with the last error); a failed e-mail
    is retried by the action, through notifications.services.outbox_retry."""

    unit_path = "notification__recipient__memberships__unit"
    list_display = ["to", "subject", "state", "attempts", "error", "created_at", "sent_at"]
    list_filter = ["state", "created_at"]
    date_hierarchy = "created_at"
    fields = ["to", "subject", "body", "state", "attempts", "last_error", "created_at", "sent_at", "sent_log"]
    readonly_fields = fields
    search_fields = ["to", "notification__recipient__username", "notification__recipient__full_name"]
    actions = ["retry"]
    show_full_result_count = False

    @admin.display(description=gettext_lazy("last error"))
    def error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.display(description=gettext_lazy("reminders"))
    def sent_log(self, obj):
        url = reverse("admin:notifications_reminder_changelist") + f"?notification__id__exact={obj.notification_id}"
        return format_html('<a href="{}">{}</a>', url, _("The reminders of this e-mail"))

    def has_retry_permission(self, request):
        return authority.holds(request.user, Role.SYSTEM_ADMIN)

    @admin.action(description=gettext_lazy("Retry the selected failed e-mails"), permissions=["retry"])
    def retry(self, request, queryset):
        selected = list(queryset)
        count = services.outbox_retry(rows=selected, by=request.user)
        self.message_user(
            request,
            _("%(count)s failed e-mails are queued again; the next send (within a few minutes) tries them.")
            % {"count": count},
            messages.SUCCESS,
        )
        if count < len(selected):
            self.message_user(
                request,
                _("%(count)s of the selected e-mails had not failed and were left as they are.")
                % {"count": len(selected) - count},
                messages.WARNING,
            )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default = True
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from campaign.demo import demo_loaded

        # Connected after reporting's and oversight's receivers (INSTALLED_APPS lists them first):
        # the demo's reports, hazards and tasks are there when the sweep reads them.
        demo_loaded.connect(_demo_loaded, dispatch_uid="notifications_demo")


def _demo_loaded(sender, *, campaign, today, **kwargs):
    from notifications.outbox import outbox_send
    from notifications.sweep import sweep

    # The demo's people find their reminders waiting: the sweep beat would run, run once now.
    sweep(today=today)
    outbox_send()

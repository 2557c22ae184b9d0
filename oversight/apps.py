from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    default = True
    name = "oversight"
    verbose_name = _("Oversight")

    def ready(self):
        from campaign.demo import demo_loaded

        # Connected after reporting's receiver (INSTALLED_APPS lists reporting first, and apps are
        # made ready in that order), so the demo's reports are there to be counted.
        demo_loaded.connect(_demo_loaded, dispatch_uid="oversight_demo")


def _demo_loaded(sender, *, campaign, today, **kwargs):
    from oversight.rollups import rebuild

    rebuild(campaign.district, full=True)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        from campaign.demo import demo_loaded
        from campaign.lib import todo
        from reporting import demo, signals  # noqa: F401 (signals connects its receivers)
        from reporting import todo as reporting_todo

        demo_loaded.connect(_demo_loaded, dispatch_uid="reporting_demo")
        todo.register("reporting", order=10, tasks=reporting_todo.tasks, overview=reporting_todo.overview)


def _demo_loaded(sender, *, campaign, today, finished=(), **kwargs):
    from reporting.demo import load_demo

    # The finished campaigns' reports first, so that the reports' numbers run with the dates.
    for each in [*finished, campaign]:
        load_demo(campaign=each, today=today)

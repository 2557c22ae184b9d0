from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("Risk register")

    def ready(self):
        from campaign.lib import todo
        from risks import todo as risks_todo

        todo.register("risks", order=30, tasks=risks_todo.tasks, overview=risks_todo.overview)

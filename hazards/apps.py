from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "hazards"
    verbose_name = _("Hazard rectification")

    def ready(self):
        from campaign.lib import todo
        from hazards import todo as hazards_todo

        todo.register("hazards", order=20, tasks=hazards_todo.tasks, overview=hazards_todo.overview)

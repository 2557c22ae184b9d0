from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    default = True
    name = "jobs"
    verbose_name = _("Background jobs")

    def ready(self):
        # Each app describes its kinds of job in its `job_kinds` module: the web process (job
        # pages) and the worker (running them) both learn every kind at start.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("job_kinds")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistrictsConfig(AppConfig):
    name = "districts"
    verbose_name = _("District structure")

    def ready(self):
        from django.db.models.signals import post_migrate

        from districts import signals  # noqa: F401
        from districts.admin_groups import ensure_admin_groups

        post_migrate.connect(ensure_admin_groups, dispatch_uid="districts.ensure_admin_groups")

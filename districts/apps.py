from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class DistrictsConfig(AppConfig):
    default = True
    name = "districts"
    verbose_name = _("District structure")

    def ready(self):
        from django.db.models.signals import post_migrate

        from districts import signals  # noqa: F401
        from districts.admin_groups import ensure_admin_groups

        post_migrate.connect(ensure_admin_groups, dispatch_uid="districts.ensure_admin_groups")


class LockoutConfig(AxesAppConfig):
    """django-axes, under a Chinese name in the back office (it has none of its own)."""

    default = False
    verbose_name = _("Sign-in lockouts")


class PlatformAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the platform's site (districts.admin_site)."""

    default = False

    default_site = "districts.admin_site.PlatformAdminSite"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Security audit")

    def ready(self):
        from django.db.models.signals import post_migrate

        from audit import receivers  # noqa: F401
        from audit.protection import protect_audit_tables

        post_migrate.connect(protect_audit_tables, dispatch_uid="audit.protect_audit_tables")

"""The security audit trail: one append-only table of everything that happened.

Nothing of the platform imports this app: it listens (audit.receivers) to the
history rows django-simple-history writes for every change, to sign-in and
lockout signals, to the admin's action log, to the responses it sees pass
(refusals, downloads, exports) and to campaign.lib.signals.security_event.

Rows are never changed or deleted: the model refuses it, the admin does not
offer it, and on PostgreSQL a trigger refuses UPDATE, and DELETE of any row
younger than the legal minimum of 184 days (audit.protection).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# GB/T 22239-2019 8.1.4.3 asks for audit records kept at least six months.
MINIMUM_RETENTION_DAYS = 184


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("Audit rows cannot be changed.")

    def delete(self):
        raise PermissionDenied("Audit rows cannot be deleted; older ones are pruned by audit.tasks.")

    def prune_older_than(self, cutoff) -> int:
        """Only the pruning task calls this, and only for rows past the retention period."""
        floor = timezone.now() - timezone.timedelta(days=MINIMUM_RETENTION_DAYS)
        cutoff = min(cutoff, floor)
        return models.QuerySet.delete(self.filter(at__lt=cutoff))[0]


class AuditEvent(models.Model):
    audit_exempt = "the audit trail itself: append-only"

    class Kind(models.TextChoices):
        WRITE = "write", _("Data change")
        ROLE_CHANGE = "role_change", _("Role change")
        POLICY_CHANGE = "policy_change", _("Security policy change")
        PASSWORD_CHANGE = "password_change", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset by an administrator")
        SIGN_IN = "sign_in", _("Sign-in")
        SIGN_OUT = "sign_out", _("Sign-out")
        SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
        LOCKOUT = "lockout", _("Account locked")
        UNLOCK = "unlock", _("Account unlocked")
        OTP_FAILED = "otp_failed", _("Wrong second-factor code")
        OTP_ENROLLED = "otp_enrolled", _("Second factor set up")
        OTP_RESET = "otp_reset", _("Second factor reset")
        SESSION_EXPIRED = "session_expired", _("Session ended by time limit")
        DENIED = "denied", _("Access denied")
        EXPORT = "export", _("Export")
        DOWNLOAD = "download", _("Download")
        ADMIN_ACTION = "admin_action", _("Back-office action")
        BACKUP = "backup", _("Backup")
        RESTORE = "restore", _("Restore")
        PRUNE = "prune", _("Old audit rows pruned")

    class Action(models.TextChoices):
        CREATE = "create", _("Added")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    # create / update / delete for data changes.
    action = models.CharField(_("action"), max_length=10, blank=True, choices=Action.choices)
    # Never a database constraint: an audit row outlives what it names, and
    # must not be changed when that goes.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # As typed (a failed sign-in names an account that may not exist).
    username = models.CharField(_("user name"), max_length=150, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    unit = models.ForeignKey(
        "districts.OrgUnit",
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("object type"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    path = models.CharField(_("address"), max_length=500, blank=True)
    # {"field": [old, new]} for data changes.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="audit_object"),
            models.Index(fields=["unit", "at"], name="audit_unit_at"),
            models.Index(fields=["user", "at"], name="audit_user_at"),
        ]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username} {self.object_repr}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("Audit rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit rows cannot be deleted.")

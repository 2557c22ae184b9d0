"""What the audit trail listens to. Nothing of the platform calls this module."""

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from audit.models import AuditEvent
from audit.recorder import current_request, record, record_history, record_history_bulk
from campaign.lib.signals import history_bulk_written, security_event

Kind = AuditEvent.Kind


@receiver(post_create_historical_record, dispatch_uid="audit.history")
def _history_row(sender, instance, history_instance, **kwargs):
    record_history(history_instance, instance)


@receiver(history_bulk_written, dispatch_uid="audit.history_bulk")
def _history_rows(sender, pks, **kwargs):
    record_history_bulk(sender, pks)


@receiver(security_event, dispatch_uid="audit.security_event")
def _security_event(sender, kind, request=None, user=None, obj=None, detail=None, **kwargs):
    record(kind, request=request, user=user, obj=obj, detail=detail)


@receiver(user_logged_in, dispatch_uid="audit.sign_in")
def _signed_in(sender, request, user, **kwargs):
    record(Kind.SIGN_IN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="audit.sign_out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(Kind.SIGN_OUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="audit.sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")
    known = get_user_model().objects.filter(username=username).first() if username else None
    record(
        Kind.SIGN_IN_FAILED,
        request=request,
        user=known,
        username=username,
        detail={"account_exists": known is not None},
    )


@receiver(user_locked_out, dispatch_uid="audit.lockout")
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    username = str(username or "")
    known = get_user_model().objects.filter(username=username).first() if username else None
    record(Kind.LOCKOUT, request=request, user=known, username=username, detail={"ip_address": ip_address})


@receiver(post_delete, sender=AccessAttempt, dispatch_uid="audit.unlock")
def _attempt_deleted(sender, instance, **kwargs):
    # Axes itself deletes counters on a successful sign-in and after the cool-off;
    # an unlock is a signed-in person removing one.
    request = current_request.get()
    actor = getattr(request, "user", None)
    if actor is None or not actor.is_authenticated:
        return
    record(
        Kind.UNLOCK,
        request=request,
        detail={
            "username": instance.username,
            "ip_address": instance.ip_address,
            "failures": instance.failures_since_start,
        },
    )


@receiver(post_save, sender=LogEntry, dispatch_uid="audit.admin_action")
def _admin_action(sender, instance, created, **kwargs):
    if not created:
        return
    record(
        Kind.ADMIN_ACTION,
        user=instance.user,
        content_type=instance.content_type,
        object_id=instance.object_id or "",
        object_repr=instance.object_repr,
        action={ADDITION: "create", CHANGE: "update", DELETION: "delete"}.get(
            instance.action_flag, ""
        ),
        detail={"message": instance.get_change_message()},
    )


@receiver(pre_save, sender=get_user_model(), dispatch_uid="audit.password_before")
def _password_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._audit_password_changed = old is not None and old != instance.password


@receiver(post_save, sender=get_user_model(), dispatch_uid="audit.password_after")
def _password_after(sender, instance, created, raw=False, **kwargs):
    if raw or created or not getattr(instance, "_audit_password_changed", False):
        return
    instance._audit_password_changed = False
    record(Kind.PASSWORD_CHANGE, obj=instance)

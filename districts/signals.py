"""Admin access follows admin memberships, so that roles are granted in one place; a sign-in
starts its session's clocks; a saved security policy is read afresh."""

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from districts.models import Membership, SecurityPolicy
from districts.policy import forget_policy
from districts.services import user_sync_admin_access


@receiver([post_save, post_delete], sender=Membership)
def _membership_changed(sender, instance, **kwargs):
    user_sync_admin_access(user=instance.user)


@receiver(user_logged_in, dispatch_uid="districts.session_started")
def _signed_in(sender, request, user, **kwargs):
    from districts.middleware import session_started

    if request is not None and hasattr(request, "session"):
        session_started(request)


@receiver([post_save, post_delete], sender=SecurityPolicy, dispatch_uid="districts.policy_saved")
def _policy_saved(sender, **kwargs):
    forget_policy()

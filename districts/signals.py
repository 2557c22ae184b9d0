"""Admin access follows admin memberships, so that roles are granted in one place."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from districts.models import Membership
from districts.services import user_sync_admin_access


@receiver([post_save, post_delete], sender=Membership)
def _membership_changed(sender, instance, **kwargs):
    user_sync_admin_access(user=instance.user)

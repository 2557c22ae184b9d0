"""The security policy: read once a minute per process at most, written by the security admin.

Every sign-in rule (password length and expiry, lockout, idle and absolute session ends)
reads current_policy(); the back office writes through security_policy_update."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from campaign.lib.signals import tell
from districts.models import Role, SecurityPolicy, User

CACHE_KEY = "districts:security-policy"
# A change reaches this process at once and other processes (on a per-process cache)
# within this many seconds.
CACHE_SECONDS = 60
POLICY_FIELDS = tuple(settings.SECURITY_POLICY_DEFAULTS)


def default_policy() -> SecurityPolicy:
    """The policy before the security admin first saves one: the environment's defaults."""
    return SecurityPolicy(**settings.SECURITY_POLICY_DEFAULTS)


def current_policy() -> SecurityPolicy:
    policy = cache.get(CACHE_KEY)
    if policy is None:
        policy = SecurityPolicy.objects.filter(pk=1).first() or default_policy()
        cache.set(CACHE_KEY, policy, CACHE_SECONDS)
    return policy


def peek_policy() -> SecurityPolicy:
    """The policy without a query (the cached one, or the defaults): for texts built at import time."""
    return cache.get(CACHE_KEY) or default_policy()


def forget_policy() -> None:
    cache.delete(CACHE_KEY)


def ensure_can_keep_policy(by: User) -> None:
    from districts import authority

    if not authority.holds(by, Role.SECURITY_ADMIN):
        raise PermissionDenied(_("Only the security administrator may change the security policy."))


def security_policy_update(*, policy: SecurityPolicy, by: User, request=None) -> SecurityPolicy:
    """Save the (one) policy as edited; every reader sees it from the next request on."""
    ensure_can_keep_policy(by)
    policy.pk = 1
    policy.full_clean()
    before = SecurityPolicy.objects.filter(pk=1).values(*POLICY_FIELDS).first() or {}
    with transaction.atomic():
        policy._history_user = by
        policy.save()
        changes = {
            name: [before.get(name), getattr(policy, name)]
            for name in POLICY_FIELDS
            if before.get(name) != getattr(policy, name)
        }
        tell("policy_change", request=request, user=by, obj=policy, detail=changes, sender=__name__)
        # Saving forgets the cached policy (districts.signals); once more after the commit, in
        # case a request read the old row in between.
        transaction.on_commit(forget_policy)
    return policy

"""Locking out password guessers (django-axes, with the security policy's limits).

Two limits, both over the policy's cool-off:
- an account is locked after `lockout_failure_limit` failures, from whatever addresses they come;
- an address is locked after failing on `lockout_address_accounts` different accounts (one
  password sprayed over many accounts). An office behind one NAT address shares it, so this
  counts accounts, not failures: its people's own typing mistakes on their own accounts
  (each stopped at the account limit) do not lock the office out.

Axes counts every lockout parameter against one limit; the handler below counts each
against its own. A correct password clears its account's count, never its address's (or
one valid account would let a sprayer start again)."""

from __future__ import annotations

import datetime

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.db.models import Sum
from django.shortcuts import render

from districts.policy import current_policy


def failure_limit(request, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: the account's limit from the policy."""
    return current_policy().lockout_failure_limit


def cool_off(request=None) -> datetime.timedelta:
    """AXES_COOLOFF_TIME: how long failures count and a lockout lasts."""
    return current_policy().cooloff


def _recent(request):
    return AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))


def account_failures(request, username: str | None) -> int:
    if not username:
        return 0
    return _recent(request).filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0


def address_accounts(request) -> int:
    """How many different accounts failed from the request's address."""
    return _recent(request).filter(ip_address=request.axes_ip_address).values("username").distinct().count()


def locked_by(request, credentials=None) -> str | None:
    """ "account", "address" or None."""
    policy = current_policy()
    if account_failures(request, get_client_username(request, credentials)) >= policy.lockout_failure_limit:
        return "account"
    if address_accounts(request) >= policy.lockout_address_accounts:
        return "address"
    return None


class PolicyLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        # Axes compares this with failure_limit(): the account's failures, or the limit
        # itself once the address has reached its own.
        if locked_by(request, credentials) == "address":
            return failure_limit(request, credentials)
        return account_failures(request, get_client_username(request, credentials))

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the page says what is locked and for how long, from the policy."""
    policy = current_policy()
    return render(
        request,
        "registration/locked_out.html",
        {"locked_by": locked_by(request, credentials) or "account", "minutes": policy.lockout_cooloff_minutes},
        status=429,
    )

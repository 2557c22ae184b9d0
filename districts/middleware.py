"""Sign-in security on every request, after authentication (see MIDDLEWARE for the order).

- SessionLifetimeMiddleware ends a session idle too long or older than the longest session
  (the security policy's times), whatever a page that polls does; the request goes on signed
  out, so pages send it to the sign-in page and scripts get their 401, and a message says why.
- SecondFactorMiddleware keeps a privileged user who has not passed the second factor on the
  second-factor pages.
- PasswordChangeMiddleware keeps a user whose password was reset or has expired on the
  password-change page."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import ngettext

from campaign.lib.signals import tell
from districts.passwords import password_change_reason
from districts.policy import current_policy
from districts.second_factor import needs_second_factor, totp_device


def _now() -> float:
    return timezone.now().timestamp()


SIGNED_IN_AT = "signin:at"
LAST_SEEN = "signin:seen"
# The last request's time is written when it has moved this many seconds on, not on every
# request: a page, a poll or the bell's count would each write the session row. The idle limit
# then counts from at most a minute before the last request: a session ends that much early,
# never late.
LAST_SEEN_STEP = 60

# Pages open to anyone signed in, whatever they still owe: signing out, switching language, and
# the health check (a monitor's answer, never a redirect).
ALWAYS_OPEN = {"logout", "set_language", "login", "healthz"}
SECOND_FACTOR_PAGES = {"otp_verify", "otp_enrol"}
PASSWORD_PAGES = {"password_change"}


def session_started(request) -> None:
    """At sign-in (districts.signals): the clocks start."""
    now = _now()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    # The session itself outlives both limits, so that its end is seen and explained here.
    request.session.set_expiry(int(current_policy().session_limit.total_seconds()))


def _url_name(request) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


def _is_static(request) -> bool:
    return request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/"))


def _redirect_with_next(request, url_name: str):
    return redirect(f"{reverse(url_name)}?next={quote(request.get_full_path())}")


def session_end_reason(request) -> str | None:
    """ "idle", "lifetime" or None, from the session's sign-in and last request times."""
    now = _now()
    session = request.session
    started = session.get(SIGNED_IN_AT)
    seen = session.get(LAST_SEEN, started)
    if started is None:
        # A session from before these limits: they count from now.
        session[SIGNED_IN_AT] = session[LAST_SEEN] = now
        return None
    policy = current_policy()
    if now - started > policy.session_limit.total_seconds():
        return "lifetime"
    idle = policy.idle_limit(privileged=needs_second_factor(request.user))
    if now - seen > idle.total_seconds():
        return "idle"
    return None


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = session_end_reason(request)
            if reason:
                self._end(request, reason)
            else:
                now = _now()
                if now - request.session.get(LAST_SEEN, 0) >= LAST_SEEN_STEP:
                    request.session[LAST_SEEN] = now
        return self.get_response(request)

    def _end(self, request, reason: str) -> None:
        policy = current_policy()
        user = request.user
        tell("session_expired", request=request, user=user, detail={"reason": reason}, sender=__name__)
        logout(request)
        if reason == "lifetime":
            message = ngettext(
                "You were signed out: a session lasts at most %(n)d hour. Sign in again.",
                "You were signed out: a session lasts at most %(n)d hours. Sign in again.",
                policy.session_hours,
            ) % {"n": policy.session_hours}
        else:
            minutes = int(policy.idle_limit(privileged=needs_second_factor(user)).total_seconds() // 60)
            message = ngettext(
                "You were signed out after %(n)d minute without activity. Sign in again.",
                "You were signed out after %(n)d minutes without activity. Sign in again.",
                minutes,
            ) % {"n": minutes}
        messages.warning(request, message)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not _is_static(request) and needs_second_factor(user) and not user.is_verified():
            name = _url_name(request)
            if name not in ALWAYS_OPEN | SECOND_FACTOR_PAGES:
                return _redirect_with_next(request, "otp_verify" if totp_device(user) else "otp_enrol")
        return self.get_response(request)


class PasswordChangeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not _is_static(request) and password_change_reason(user):
            name = _url_name(request)
            if name not in ALWAYS_OPEN | SECOND_FACTOR_PAGES | PASSWORD_PAGES | {"otp_recovery_codes"}:
                return _redirect_with_next(request, "password_change")
        return self.get_response(request)

"""The second factor (django-otp): a TOTP app, and ten recovery codes for when it is lost.

Required of the three administrators and the creation office's reviewers (PRIVILEGED_ROLES):
after the password they reach only the second-factor pages until a code passes
(districts.middleware.SecondFactorMiddleware). Wrong codes are throttled by django-otp
(each failure doubles the wait) and told to the audit trail."""

from __future__ import annotations

import base64
import re

import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, verify_token
from django_otp import login as otp_login
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from campaign.lib.signals import tell
from districts.models import PRIVILEGED_ROLES, Role, User

TOTP_NAME = "TOTP"
RECOVERY_NAME = "recovery codes"
RECOVERY_CODES = 10
# Shown once, right after enrolment: kept in the session until that page has shown them.
RECOVERY_SESSION_KEY = "otp:recovery_codes"
TOTP_CODE = re.compile(r"^[0-9]{6}$")


def needs_second_factor(user) -> bool:
    from districts.scoping import memberships_of

    if not user.is_authenticated:
        return False
    return user.is_superuser or any(m.role in PRIVILEGED_ROLES for m in memberships_of(user))


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("id").first()


def secret_base32(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG, drawn here: no image from elsewhere, no script."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff")


def otp_enrol_start(*, user: User) -> TOTPDevice:
    """The device being set up: the same one (and QR code) until it is confirmed."""
    if not needs_second_factor(user):
        raise PermissionDenied(_("Your role signs in without a second factor."))
    if totp_device(user) is not None:
        raise PermissionDenied(_("You already have an authenticator app; the security administrator can reset it."))
    device = totp_device(user, confirmed=False)
    if device is None:
        with transaction.atomic():
            device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def _recovery_codes_create(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _throttled_message(device) -> str | None:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    until = timezone.localtime((data or {}).get("locked_until") or timezone.now())
    return _("Too many wrong codes. Wait until %(time)s, then try again.") % {
        "time": formats.time_format(until, "H:i:s")
    }


def otp_enrol_confirm(*, request, device: TOTPDevice, code: str) -> list[str]:
    """A first code from the app confirms the device; returns the ten recovery codes (shown once)."""
    user = request.user
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied(_("This is not your authenticator being set up."))
    refused = _throttled_message(device)
    if refused is None and not verify_token(user, device.persistent_id, _normalise(code)):
        refused = _("That code is not right. Type the six digits the app shows now.")
    if refused:
        tell("otp_failed", request=request, user=user, detail={"stage": "enrol"}, sender=__name__)
        raise ValidationError(refused)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_create(user)
    _mark_verified(request, device)
    tell("otp_enrolled", request=request, user=user, obj=device.user, sender=__name__)
    return codes


def otp_verify(*, request, code: str):
    """The second step of signing in: a code from the app, or a recovery code (each works once)."""
    user = request.user
    code = _normalise(code)
    if TOTP_CODE.match(code):
        device, method = totp_device(user), "totp"
    else:
        device, method = StaticDevice.objects.filter(user=user, confirmed=True).first(), "recovery"
    refused = _throttled_message(device) if device else None
    if refused is None and (device is None or not verify_token(user, device.persistent_id, code)):
        refused = _("That code is not right. Type the six digits the app shows now, or one of your recovery codes.")
    if refused:
        tell("otp_failed", request=request, user=user, detail={"method": method}, sender=__name__)
        raise ValidationError(refused)
    _mark_verified(request, device)
    return device


def _mark_verified(request, device) -> None:
    otp_login(request, device)
    # A new session key for the stronger sign-in, as for the password.
    request.session.cycle_key()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def ensure_can_reset_second_factor(*, by: User, user: User) -> None:
    from districts import authority

    if by.pk == user.pk:
        raise PermissionDenied(_("You may not reset your own second factor; ask another security administrator."))
    if not authority.holds(by, Role.SECURITY_ADMIN):
        raise PermissionDenied(_("Only the security administrator may reset a second factor."))


def otp_reset(*, user: User, by: User, request=None) -> int:
    """Remove `user`'s app and recovery codes: they enrol again at their next sign-in."""
    ensure_can_reset_second_factor(by=by, user=user)
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
        tell("otp_reset", request=request, user=by, obj=user, sender=__name__)
    return removed


def otp_device_install(*, user: User, key_hex: str, name: str = TOTP_NAME) -> TOTPDevice:
    """A confirmed device with a known secret: for the demo's printed secrets only."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice(user=user, name=name, key=key_hex, confirmed=True)
        device.full_clean()
        device.save()
    return device


def force_login_verified(client, user: User) -> None:
    """For tests and benchmarks: the Django test client signed in as `user`, past the second
    factor when the user's roles need one (with the user's app, or a new one)."""
    client.force_login(user)
    if not needs_second_factor(User.objects.get(pk=user.pk)):
        return
    device = totp_device(user) or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def code_to_type_now(device: TOTPDevice) -> str | None:
    """For the demo and tests: the code an authenticator app would show now, or the next one
    if this one was used already (each code passes once); None if that is not due yet."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = totp.t()
    t = max(now, device.last_t + 1)
    if t > now + device.tolerance:
        return None
    return f"{hotp(device.bin_key, t, digits=device.digits):0{device.digits}d}"

"""After the password: the second factor (verify, enrol, recovery codes) and the user's own
password change. The rules are in districts.second_factor and districts.passwords."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from campaign.lib.forms import refusal_onto
from campaign.lib.http import uncompressed
from districts import second_factor
from districts.forms import OwnPasswordChangeForm, SecondFactorCodeForm
from districts.passwords import password_change_reason


def _next(request) -> str:
    """Where to go on: a path of this platform (never another site, never a bare word that
    redirect() would try to read as the name of a view), else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url("home")


class PasswordChange(PasswordChangeView):
    form_class = OwnPasswordChangeForm
    template_name = "registration/password_change_form.html"

    def get_success_url(self):
        return _next(self.request)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs, reason=password_change_reason(self.request.user), next=_next(self.request)
        )

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


@never_cache
@login_required
@sensitive_post_parameters("code")
def otp_verify(request):
    user = request.user
    if not second_factor.needs_second_factor(user) or user.is_verified():
        return redirect(_next(request))
    if second_factor.totp_device(user) is None:
        return redirect(f"{resolve_url('otp_enrol')}?{request.GET.urlencode()}")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.otp_verify(request=request, code=form.cleaned_data["code"])
        except ValidationError as exc:
            refusal_onto(form, exc)
        else:
            if device.name == second_factor.RECOVERY_NAME:
                messages.warning(
                    request,
                    _("You signed in with a recovery code; %(n)d are left. Each works once.")
                    % {"n": second_factor.recovery_codes_left(user)},
                )
            return redirect(_next(request))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next(request)})


@never_cache
@uncompressed
@login_required
@sensitive_post_parameters("code")
def otp_enrol(request):
    user = request.user
    if second_factor.totp_device(user) is not None or not second_factor.needs_second_factor(user):
        return redirect(f"{resolve_url('otp_verify')}?{request.GET.urlencode()}")
    try:
        device = second_factor.otp_enrol_start(user=user)
    except PermissionDenied:
        return redirect(_next(request))
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.otp_enrol_confirm(request=request, device=device, code=form.cleaned_data["code"])
        except (ValidationError, PermissionDenied) as exc:
            refusal_onto(form, exc)
        else:
            request.session[second_factor.RECOVERY_SESSION_KEY] = codes
            return redirect(f"{resolve_url('otp_recovery_codes')}?{request.GET.urlencode()}")
    return render(
        request,
        "registration/otp_enrol.html",
        {
            "form": form,
            "next": _next(request),
            "qr_svg": second_factor.qr_svg(device),
            "secret": second_factor.secret_base32(device),
        },
    )


@never_cache
@uncompressed
@login_required
def otp_recovery_codes(request):
    """The recovery codes, once: the page after enrolment shows them and forgets them."""
    codes = request.session.pop(second_factor.RECOVERY_SESSION_KEY, None)
    if not codes:
        return redirect(_next(request))
    grouped = [f"{code[:4]}-{code[4:]}" for code in codes]
    return render(request, "registration/otp_recovery_codes.html", {"codes": grouped, "next": _next(request)})


def back_office_login(request):
    """The back office's sign-in is the platform's (lockout, second factor, forced change); someone
    signed in whom the back office does not admit is told so, not sent round in a circle."""
    if request.user.is_authenticated:
        raise PermissionDenied(_("Your account may not use the back office."))
    return redirect(f"{resolve_url('login')}?{request.GET.urlencode()}")

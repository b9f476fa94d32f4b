"""Signing in to the portal: email and password (the API's accounts and axes lockouts), then
the second factor, enrolled at the first sign-in. Only physiotherapists get past the
password step; patients and editors are told where they belong."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from apps.accounts import second_factor
from apps.accounts.models import Role, User
from apps.accounts.qr import qr_svg

from .access import PortalRequest, refusal, second_factor_url
from .forms import CodeForm, SignInForm


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith("/clinic/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("clinic:caseload")


def _locked_out(request: HttpRequest) -> HttpResponse:
    return render(request, "clinic/locked.html", status=429)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: PortalRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated and user.role == Role.PHYSIO and user.is_verified():
        return redirect(_next_url(request))
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        # A pair already locked out is refused before its password is checked.
        if not AxesProxyHandler.is_allowed(request, {"username": email}):
            return _locked_out(request)
        account = authenticate(request, username=email, password=form.cleaned_data["password"])
        if account is None:
            if getattr(request, "axes_locked_out", False):
                # This failure reached the limit. The portal answers in HTML itself, so
                # axes' middleware (which answers the API's JSON) is told it is handled.
                request.axes_locked_out = False
                return _locked_out(request)
            form.add_error(None, _("The email or the password is wrong."))
            status = 400
        elif account.role != Role.PHYSIO:
            return refusal(request)
        else:
            login(request, account)
            return redirect(second_factor_url(account, _next_url(request)))
    elif request.method == "POST":
        status = 400
    return render(
        request, "clinic/sign_in.html", {"form": form, "next": _next_url(request)}, status=status
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("clinic:sign-in")


def _physio_pending(request: HttpRequest) -> User | HttpResponse:
    """The second-factor pages are for a physio who passed the password step: that physio,
    or the answer for anyone else."""
    user = request.user
    if not user.is_authenticated or not isinstance(user, User):
        return redirect("clinic:sign-in")
    if not user.is_active or user.role != Role.PHYSIO:
        return refusal(request)
    return user


@csrf_protect
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """First sign-in: scan the QR code (or type the key), confirm with one code, then see
    the recovery codes once."""
    user = _physio_pending(request)
    if isinstance(user, HttpResponse):
        return user
    if second_factor.has_second_factor(user):
        # Enrolled already: replacing a phone is done by staff resetting the device in the
        # admin, never by whoever holds the password.
        return redirect(second_factor_url(user, _next_url(request)))
    device = second_factor.totp_enrolment_device(user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        confirmed = second_factor.totp_confirm(
            user=user,
            token=form.cleaned_data["code"],
            address=second_factor.client_address(request),
        )
        if not isinstance(confirmed, second_factor.Refused):
            totp, codes = confirmed
            otp_login(request, totp)
            request.session.cycle_key()
            return render(
                request,
                "clinic/recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error(
            "code",
            second_factor.refused_message(
                confirmed,
                _("That code did not match. Check the phone's clock and try the newest code."),
            ),
        )
        status = 429 if confirmed.wait_seconds else 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "clinic/two_factor_setup.html",
        {
            "form": form,
            "qr": qr_svg(
                device.config_url, label="QR code to add this account to an authenticator app"
            ),
            "secret": second_factor.totp_secret_shown(device),
            "next": _next_url(request),
        },
        status=status,
    )


@csrf_protect
@never_cache
def two_factor(request: HttpRequest) -> HttpResponse:
    """Every sign-in after the first: a code from the app, or a recovery code."""
    user = _physio_pending(request)
    if isinstance(user, HttpResponse):
        return user
    if not second_factor.has_second_factor(user):
        return redirect(second_factor_url(user, _next_url(request)))
    if user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        device = second_factor.second_factor_verify(
            user=user,
            token=form.cleaned_data["code"],
            address=second_factor.client_address(request),
        )
        if not isinstance(device, second_factor.Refused):
            otp_login(request, device)
            request.session.cycle_key()
            return redirect(_next_url(request))
        form.add_error(
            "code",
            second_factor.refused_message(
                device, _("That code did not work. Wait for the next code and try again.")
            ),
        )
        status = 429 if device.wait_seconds else 400
    elif request.method == "POST":
        status = 400
    return render(
        request, "clinic/two_factor.html", {"form": form, "next": _next_url(request)}, status=status
    )

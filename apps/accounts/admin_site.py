"""The admin asks every staff user (editors, who change red-flag advice, included) for the
same second factor as the clinic portal: an authenticator app enrolled at the first
sign-in, then a code (or a recovery code) at each sign-in. Until then no admin page is
served: `has_permission` requires a verified session, and the login page sends a
signed-in but unverified staff user to enrolment or to the code page."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.db.models.base import ModelBase
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from . import second_factor
from .models import User
from .qr import qr_svg


class AdminCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


def _staff(request: HttpRequest) -> User | None:
    user = request.user
    if isinstance(user, User) and user.is_active and user.is_staff:
        return user
    return None


# django-otp's own devices keep seeds and recovery codes in the clear; ours replace them
# (second-factor-at-rest.md), so their admins are not offered: nobody makes one by hand.
CLEAR_DEVICE_MODELS = {"otp_totp.TOTPDevice", "otp_static.StaticDevice"}


def label_of(model: ModelBase) -> str:
    return model._meta.label  # type: ignore[attr-defined]  # every ModelBase has it


class SecondFactorAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        models = (
            [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        )
        kept = [model for model in models if label_of(model) not in CLEAR_DEVICE_MODELS]
        if kept:
            super().register(kept, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        user = _staff(request)
        return super().has_permission(request) and user is not None and user.is_verified()

    def _next(self, request: HttpRequest) -> str:
        wanted = request.POST.get("next") or request.GET.get("next") or ""
        prefix = reverse("admin:index")
        if wanted.startswith(prefix) and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return wanted
        return prefix

    def _second_factor_url(self, user: User, next_url: str) -> str:
        name = "second-factor" if second_factor.has_second_factor(user) else "second-factor-setup"
        return f"{reverse(f'admin:{name}')}?{urlencode({'next': next_url})}"

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Django's login page, except that a staff user who passed the password but not
        yet the second factor in this session goes on to it."""
        user = _staff(request)
        if user is not None and not user.is_verified():
            return redirect(self._second_factor_url(user, self._next(request)))
        return super().login(request, extra_context)

    def get_urls(self) -> list[URLResolver | URLPattern]:
        own = [
            path("second-factor/", self.second_factor_view, name="second-factor"),
            path(
                "second-factor/setup/",
                self.second_factor_setup_view,
                name="second-factor-setup",
            ),
        ]
        return own + super().get_urls()

    def _page(self, request: HttpRequest, template: str, context: dict, status: int = 200):
        return TemplateResponse(
            request,
            template,
            {**self.each_context(request), "next": self._next(request), **context},
            status=status,
        )

    @method_decorator(sensitive_post_parameters("code"))
    @method_decorator(csrf_protect)
    @method_decorator(never_cache)
    def second_factor_view(self, request: HttpRequest) -> HttpResponse:
        """Every sign-in after the first: a code from the app, or a recovery code."""
        user = _staff(request)
        if user is None:
            return redirect("admin:login")
        if not second_factor.has_second_factor(user):
            return redirect(self._second_factor_url(user, self._next(request)))
        if user.is_verified():
            return redirect(self._next(request))
        form = AdminCodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            device = second_factor.second_factor_verify(
                user=user,
                token=form.cleaned_data["code"],
                address=second_factor.client_address(request),
            )
            if not isinstance(device, second_factor.Refused):
                otp_login(request, device)
                request.session.cycle_key()
                return redirect(self._next(request))
            form.add_error(
                "code",
                second_factor.refused_message(
                    device, "That code did not work. Wait for the next code and try again."
                ),
            )
            status = 429 if device.wait_seconds else 400
        else:
            status = 400 if request.method == "POST" else 200
        return self._page(
            request, "admin/second_factor.html", {"form": form, "title": "Enter your code"}, status
        )

    @method_decorator(sensitive_post_parameters("code"))
    @method_decorator(csrf_protect)
    @method_decorator(never_cache)
    def second_factor_setup_view(self, request: HttpRequest) -> HttpResponse:
        """The first sign-in: add the account to an authenticator app, confirm one code,
        see the recovery codes once."""
        user = _staff(request)
        if user is None:
            return redirect("admin:login")
        if second_factor.has_second_factor(user):
            # Replacing a phone is done by another staff user deleting the device.
            return redirect(self._second_factor_url(user, self._next(request)))
        device = second_factor.totp_enrolment_device(user)
        form = AdminCodeForm(request.POST or None)
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
                return self._page(
                    request,
                    "admin/second_factor_recovery_codes.html",
                    {"codes": codes, "title": "Your recovery codes"},
                )
            form.add_error(
                "code",
                second_factor.refused_message(
                    confirmed,
                    "That code did not match. Check the phone's clock and try the newest code.",
                ),
            )
            status = 429 if confirmed.wait_seconds else 400
        else:
            status = 400 if request.method == "POST" else 200
        secret = second_factor.totp_secret_shown(device)
        return self._page(
            request,
            "admin/second_factor_setup.html",
            {
                "form": form,
                "title": "Set up your second factor",
                "qr": qr_svg(
                    device.config_url, label="QR code to add this account to an authenticator app"
                ),
                "secret": secret,
            },
            status,
        )

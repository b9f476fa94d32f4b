"""The physio's own account in the portal: a forgotten password (the same reset as the API's,
with a link back to the portal), changing the password, and signing out of every device.

The reset request answers the same page whether or not the address has an account, and
counts against the same throttles as the API's (per client address and per e-mail)."""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from apps.accounts.services import (
    ResetVia,
    password_change,
    password_reset_confirm,
    password_reset_request,
    user_profile_update,
    user_sign_out_everywhere,
)

from .access import PhysioRequest, physio_of, physio_required
from .forms import LanguageForm, NewPasswordForm, PasswordChangeForm, PasswordResetForm
from .throttles import password_reset_allowed


def _apply_errors(form: forms.Form, error: ValidationError, fields: dict[str, str | None]) -> None:
    """A service's field errors onto the form's fields (`fields`: service → form name)."""
    for name, problems in error.message_dict.items():
        form.add_error(fields.get(name), problems)


@csrf_protect
@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not password_reset_allowed(request, email):
            return render(
                request, "clinic/password_reset.html", {"form": form, "throttled": True}, status=429
            )
        password_reset_request(email=email, via=ResetVia.PORTAL)
        return render(request, "clinic/password_reset_sent.html", status=202)
    status = 400 if request.method == "POST" else 200
    return render(request, "clinic/password_reset.html", {"form": form}, status=status)


@sensitive_post_parameters("new_password", "new_password_again")
@csrf_protect
@never_cache
def password_reset_confirm_page(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("token") or request.GET.get("token") or ""
    form = NewPasswordForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                password_reset_confirm(token=token, password=form.cleaned_data["new_password"])
            except ValidationError as error:
                _apply_errors(form, error, {"token": None, "password": "new_password"})
            else:
                messages.success(request, _("Your password was changed. Sign in with the new one."))
                return redirect("clinic:sign-in")
    response = render(
        request,
        "clinic/password_reset_confirm.html",
        {"form": form, "token": token},
        status=status,
    )
    # The token is in this page's address: no other site may see it as a referrer. (Not
    # "no-referrer": the form's POST would then carry "Origin: null" and fail CSRF.)
    response["Referrer-Policy"] = "same-origin"
    return response


@sensitive_post_parameters("current_password", "new_password", "new_password_again")
@physio_required
def account(request: PhysioRequest) -> HttpResponse:
    """Change the password (this session stays signed in, every other one ends) and sign
    out of every device."""
    physio = physio_of(request)
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                password_change(
                    user=physio,
                    current_password=form.cleaned_data["current_password"],
                    new_password=form.cleaned_data["new_password"],
                )
            except ValidationError as error:
                _apply_errors(
                    form,
                    error,
                    {"current_password": "current_password", "new_password": "new_password"},
                )
            else:
                update_session_auth_hash(request, physio)
                messages.success(
                    request, _("Your password was changed. Every other device was signed out.")
                )
                return redirect("clinic:account")
    return _account_page(request, form=form, status=status)


def _account_page(
    request: PhysioRequest,
    *,
    form: PasswordChangeForm | None = None,
    language_form: LanguageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form or PasswordChangeForm(),
        "language_form": language_form
        or LanguageForm(initial={"language": physio_of(request).language}),
        "nav": "account",
    }
    return render(request, "clinic/account.html", context, status=status)


@require_POST
@physio_required
def account_language(request: PhysioRequest) -> HttpResponse:
    """Store the physio's language (the same `language` as the API's me.language): every
    page after this one, and the e-mails to them, are in it."""
    physio = physio_of(request)
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return _account_page(request, language_form=form, status=400)
    user_profile_update(user=physio, language=form.cleaned_data["language"])
    # The notice is read on the next page, which is in the new language: say it in that one.
    with translation.override(physio.language):
        messages.success(request, _("The language is saved."))
    return redirect("clinic:account")


@require_POST
@physio_required
def sign_out_everywhere(request: PhysioRequest) -> HttpResponse:
    user_sign_out_everywhere(user=physio_of(request))
    logout(request)
    messages.success(request, _("You were signed out on every device, this one included."))
    return redirect("clinic:sign-in")

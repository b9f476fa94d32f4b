"""A clinic admin's pages in the portal: the staff with their counts, invitations by
e-mail (send, see the open ones, withdraw), deactivating a physio with the handover of
their patients, and the page an invited person reaches from the e-mail's link.

Only a clinic's admins reach its pages; for anyone else they do not exist (404), as in the
API. The texts are in apps.clinics' catalogue (its forms and its templates under
clinics/portal/). The rules are the clinics services'; these views only show them."""

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from apps.accounts.selectors import linked_patients_of
from apps.clinics import handover, selectors, services
from apps.clinics.forms import (
    NOTICES,
    StaffDeactivateForm,
    StaffInviteAcceptForm,
    StaffInviteForm,
)
from apps.clinics.models import Clinic
from backend.errors import Conflict, or_404

from .access import PhysioRequest, physio_of, physio_required
from .throttles import invite_email_allowed

STAFF = "clinics/portal/staff.html"


def _administered(request: PhysioRequest, clinic_id: UUID) -> Clinic:
    return or_404(selectors.clinic_for_admin(user=physio_of(request), clinic_id=clinic_id))


def _apply_errors(form: forms.Form, error: ValidationError, fields: dict[str, str | None]) -> None:
    """A service's field errors onto the form's fields (`fields`: service → form name)."""
    for name, problems in error.message_dict.items():
        form.add_error(fields.get(name), problems)


@physio_required
def staff_home(request: PhysioRequest) -> HttpResponse:
    """The Staff link: the first clinic the caller administers (404 for anyone else)."""
    clinic = selectors.administered_clinics_of(user=physio_of(request)).first()
    if clinic is None:
        raise Http404
    return redirect("clinic:staff", clinic_id=clinic.pk)


def _staff_page(
    request: PhysioRequest,
    clinic: Clinic,
    *,
    form: StaffInviteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    physio = physio_of(request)
    context = {
        "clinic": clinic,
        "clinics": selectors.administered_clinics_of(user=physio),
        "staff": selectors.staff_of(clinic=clinic),
        "invites": selectors.open_invites_of(clinic=clinic),
        "form": form or StaffInviteForm(),
        "me": physio,
        "nav": "staff",
    }
    return render(request, STAFF, context, status=status)


@physio_required
def staff(request: PhysioRequest, clinic_id: UUID) -> HttpResponse:
    return _staff_page(request, _administered(request, clinic_id))


@require_POST
@physio_required
def staff_invite(request: PhysioRequest, clinic_id: UUID) -> HttpResponse:
    clinic = _administered(request, clinic_id)
    physio = physio_of(request)
    form = StaffInviteForm(request.POST)
    if not form.is_valid():
        return _staff_page(request, clinic, form=form, status=400)
    # The same budget as the API's invitations and care-team invites with an address.
    if not invite_email_allowed(request, physio):
        form.add_error("email", NOTICES["throttled"])
        return _staff_page(request, clinic, form=form, status=429)
    try:
        issued = services.staff_invite_create(clinic=clinic, by=physio, **form.cleaned_data)
    except ValidationError as error:
        _apply_errors(form, error, {"email": "email", "role": "role"})
        return _staff_page(request, clinic, form=form, status=400)
    except Conflict as conflict:
        form.add_error("email", conflict.message)
        return _staff_page(request, clinic, form=form, status=409)
    messages.success(request, NOTICES["invited"] % {"email": issued.row.email})
    return redirect("clinic:staff", clinic_id=clinic.pk)


@require_POST
@physio_required
def staff_invite_revoke(request: PhysioRequest, clinic_id: UUID, invite_id: UUID) -> HttpResponse:
    clinic = _administered(request, clinic_id)
    invite = or_404(selectors.staff_invite_of(clinic=clinic, invite_id=invite_id))
    try:
        services.staff_invite_revoke(invite=invite)
    except Conflict:
        messages.error(request, NOTICES["revoked_accepted"] % {"email": invite.email})
    else:
        messages.success(request, NOTICES["revoked"] % {"email": invite.email})
    return redirect("clinic:staff", clinic_id=clinic.pk)


@physio_required
def staff_deactivate(request: PhysioRequest, clinic_id: UUID, user_id: UUID) -> HttpResponse:
    """Choose the colleague who takes the patients over, confirm, and the handover runs
    (one transaction: docs/api.md, "Deactivating a physio")."""
    clinic = _administered(request, clinic_id)
    member = or_404(handover.staff_member(clinic=clinic, user_id=user_id))
    if not member.is_active:
        raise Http404
    colleagues = selectors.colleagues_of(clinic=clinic, physio=member)
    form = StaffDeactivateForm(
        request.POST if request.method == "POST" else None, colleagues=colleagues
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            successor = form.cleaned_data["transfer_to"]
            try:
                done = handover.staff_deactivate(
                    clinic=clinic,
                    physio=member,
                    by=physio_of(request),
                    transfer_to_id=successor.pk if successor is not None else None,
                )
            except ValidationError as error:
                _apply_errors(form, error, {"transfer_to": "transfer_to"})
            except Conflict as conflict:
                form.add_error("transfer_to", conflict.message)
                status = 409
            else:
                notice = NOTICES["deactivated"] % {
                    "name": member.shown_name,
                    "count": done.patients,
                }
                messages.success(request, notice)
                return redirect("clinic:staff", clinic_id=clinic.pk)
    patients = linked_patients_of(physio=member).count()
    context = {
        "clinic": clinic,
        "member": member,
        "patients": patients,
        "form": form,
        "nav": "staff",
    }
    return render(request, "clinics/portal/staff_deactivate.html", context, status=status)


class _AcceptThrottle(SimpleRateThrottle):
    """Per client address under the API's `password_reset` scope, which its acceptance
    (and every other link's token) counts under: one budget for guessing tokens."""

    scope = "password_reset"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _accept_allowed(request: HttpRequest) -> bool:
    return _AcceptThrottle().allow_request(Request(request), APIView())


@sensitive_post_parameters("password", "password_again")
@csrf_protect
@never_cache
def staff_invite_accept(request: HttpRequest) -> HttpResponse:
    """The e-mail's link: whose invitation it is, then a name and a password. The new
    account signs in as any physio does, and enrols its second factor then."""
    token = request.POST.get("token") or request.GET.get("token") or ""
    invite = services.staff_invite_find(token=token)
    form = StaffInviteAcceptForm(request.POST if request.method == "POST" else None)
    status = 200 if invite is not None else 400
    if request.method == "POST" and invite is not None:
        status = 400
        if not _accept_allowed(request):
            form = StaffInviteAcceptForm()
            status = 429
        elif form.is_valid():
            try:
                services.staff_invite_accept(
                    token=token,
                    password=form.cleaned_data["password"],
                    display_name=form.cleaned_data["display_name"],
                )
            except ValidationError as error:
                fields = {"token": None, "password": "password", "display_name": "display_name"}
                _apply_errors(form, error, fields)
            except Conflict as conflict:
                form.add_error(None, conflict.message)
                status = 409
            else:
                # Whoever was signed in on this browser is not the new account.
                logout(request)
                messages.success(request, NOTICES["accepted"])
                return redirect("clinic:sign-in")
    context = {"invite": invite, "form": form, "token": token, "throttled": status == 429}
    response = render(request, "clinics/portal/staff_invite_accept.html", context, status=status)
    # The token is in this page's address: no other site may see it as a referrer (not
    # "no-referrer": the form's POST would then carry "Origin: null" and fail CSRF).
    response["Referrer-Policy"] = "same-origin"
    return response

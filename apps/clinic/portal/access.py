"""Who may use the portal, checked on every page: a signed-in, active physiotherapist who
passed the second factor in this session. Patients are resolved only through selectors
scoped to the physio (404 for anyone not linked now), and every patient page read is
audited like the API's reads."""

from collections.abc import Callable, Iterable
from functools import wraps
from urllib.parse import urlencode
from uuid import UUID

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import LazyObject, empty
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from apps.accounts.models import Role, User
from apps.accounts.requests import AuthenticatedHttpRequest
from apps.accounts.second_factor import has_second_factor
from apps.accounts.selectors import patient_for_physio
from apps.accounts.services import patient_access_record
from backend.errors import or_404

AUDIT_PREFIX = "portal."


class PortalRequest(HttpRequest):
    """A portal request as the middleware leaves it: `htmx` (django-htmx) tells a partial
    update from a page load; `axes_locked_out` is django-axes' flag that this failed
    sign-in reached the limit."""

    htmx: HtmxDetails
    axes_locked_out: bool


class PhysioRequest(AuthenticatedHttpRequest):
    """A request that passed `physio_required`: its user is a verified physiotherapist."""

    htmx: HtmxDetails


def refusal(request: HttpRequest) -> HttpResponse:
    """A signed-in account that is not a physiotherapist's: a clear 403, no portal page."""
    return render(request, "clinic/refused.html", status=403)


def _away(request: PortalRequest, url: str) -> HttpResponse:
    # An htmx request swaps its answer into part of the page; a sign-in page belongs in
    # the whole window.
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def second_factor_url(user: User, next_url: str = "") -> str:
    name = "clinic:two-factor" if has_second_factor(user) else "clinic:two-factor-setup"
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return reverse(name) + query


def physio_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous → the sign-in page; another role → refused; a physio without a verified
    second factor in this session → enrolment or the code page. Nothing else runs."""

    @wraps(view)
    def guarded(request: PortalRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            if request.htmx:
                return HttpResponseClientRedirect(reverse("clinic:sign-in"))
            return redirect_to_login(request.get_full_path(), reverse("clinic:sign-in"))
        if not user.is_active or user.role != Role.PHYSIO:
            return refusal(request)
        if not user.is_verified():
            return _away(request, second_factor_url(user, request.get_full_path()))
        return view(request, *args, **kwargs)

    return guarded


def physio_of(request: PhysioRequest) -> User:
    """The signed-in physio itself rather than Django's lazy wrapper around it (which the
    gate has resolved already): a page that builds a row per patient would otherwise go
    through the wrapper thousands of times."""
    user = request.user
    # Authentication wraps the user lazily, and django-otp wraps that wrapper again.
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


def audited(physio: User, patients: Iterable[User | UUID], page: str) -> None:
    patient_access_record(physio=physio, patients=patients, what=f"{AUDIT_PREFIX}{page}")


def linked_patient(request: PhysioRequest, patient_id, *, page: str) -> User:
    """The linked patient a page shows, or 404; the read is audited as portal.<page>."""
    patient = or_404(patient_for_physio(physio=request.user, patient_id=patient_id))
    audited(request.user, [patient], page)
    return patient

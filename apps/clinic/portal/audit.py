"""A clinic admin's audit page: who of the clinic's staff read which patient's records and
when, filtered by staff member, patient and days, newest first, a page at a time. The same
rows as `GET clinics/{id}/audit/` (apps.clinics selectors; docs/decisions/clinic-audit.md):
who, whom and when, never what the record held, so the page itself is not audited.

Only a clinic's admins reach it; for anyone else it does not exist (404). Texts are in the
apps.clinics catalogue (template under clinics/portal/)."""

from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from apps.accounts.models import User
from apps.clinics import selectors
from apps.clinics.audit_forms import AuditQueryForm
from apps.clinics.models import Clinic, StaffRole
from apps.plans.selectors import local_day_bounds
from backend.errors import or_404

from .access import PhysioRequest, physio_of, physio_required

AUDIT_PAGE = 50
TEMPLATE = "clinics/portal/audit.html"


def administered_clinics(user: User):
    """The caller's memberships as a clinic admin, by clinic name."""
    return selectors.clinics_for(user=user).filter(role=StaffRole.ADMIN)


def _window(since: date | None, until: date | None, zone: ZoneInfo) -> dict[str, datetime]:
    """Whole days in the clinic's zone, both ends included (the selector's are inclusive)."""
    window = {}
    if since is not None:
        window["since"] = local_day_bounds(since, zone)[0]
    if until is not None:
        window["until"] = local_day_bounds(until, zone)[1] - timedelta(microseconds=1)
    return window


def _page_url(data: dict, number: int) -> str:
    kept = {key: data[key] for key in ("staff", "patient") if data.get(key)}
    kept |= {key: data[key].isoformat() for key in ("since", "until") if data.get(key)}
    return "?" + urlencode({**kept, "page": number})


@require_GET
@physio_required
def audit_home(request: PhysioRequest) -> HttpResponse:
    """The Audit link: the first clinic the caller administers (404 for anyone else)."""
    membership = administered_clinics(physio_of(request)).first()
    if membership is None:
        raise Http404
    return redirect("clinic:audit", clinic_id=membership.clinic_id)


@require_GET
@physio_required
def audit(request: PhysioRequest, clinic_id) -> HttpResponse:
    physio = physio_of(request)
    clinic: Clinic = or_404(selectors.clinic_for_admin(user=physio, clinic_id=clinic_id))
    staff = [member.user for member in clinic.memberships.select_related("user")]
    staff.sort(key=lambda user: (user.shown_name.casefold(), str(user.pk)))
    form = AuditQueryForm(
        request.GET, staff=staff, patients=list(selectors.audited_patients_of(clinic=clinic))
    )
    context = {
        "clinic": clinic,
        "others": administered_clinics(physio).exclude(clinic=clinic),
        "form": form,
        "nav": "audit",
        "rows": [],
    }
    if not form.is_valid():
        return render(request, TEMPLATE, context, status=400)
    data = form.cleaned_data
    zone = ZoneInfo(clinic.timezone)
    number = data.get("page") or 1
    start = (number - 1) * AUDIT_PAGE
    # Offset pages without a count: a count of a large audit would cost more than the page.
    found = selectors.audit_of(
        clinic=clinic,
        staff=UUID(data["staff"]) if data.get("staff") else None,
        patient=UUID(data["patient"]) if data.get("patient") else None,
        **_window(data.get("since"), data.get("until"), zone),
    )
    rows = list(found[start : start + AUDIT_PAGE + 1])
    context |= {
        "rows": rows[:AUDIT_PAGE],
        "page": number,
        "first": start + 1,
        "last": start + len(rows[:AUDIT_PAGE]),
        "newer_url": _page_url(data, number - 1) if number > 1 else "",
        "older_url": _page_url(data, number + 1) if len(rows) > AUDIT_PAGE else "",
        "filtered": any(data.get(key) for key in ("staff", "patient", "since", "until")),
    }
    return render(request, TEMPLATE, context)

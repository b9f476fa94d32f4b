"""Pausing the exercise plan while a red flag is assessed, and resuming it.

The overview offers "Pause the exercise plan…" while the patient has an unresolved red
flag and a running plan; the link opens a confirmation page that says what pausing does,
and only its POST pauses (plans' `plan_pause`: reminders stop at once, the app shows the
plan paused). A paused plan shows on the overview with "Resume the plan" (`plan_resume`),
red flag or not. Both are audited as portal.plan-pause; another physio's patient is a
404, an archived plan a 409 (said on the overview)."""

from django.contrib import messages as flash
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.alerts.models import AlertKind
from apps.alerts.selectors import active_alerts_of
from apps.plans import services as plans
from apps.plans.selectors import active_plan_of
from backend.errors import Conflict

from .access import PhysioRequest, linked_patient, physio_required
from .views import _patient_context


def _overview(patient_id) -> HttpResponse:
    return redirect(reverse("clinic:patient", args=[patient_id]) + "#plan-pause")


@require_http_methods(["GET", "POST"])
@physio_required
def plan_pause(request: PhysioRequest, patient_id) -> HttpResponse:
    """GET: the confirmation (what pausing does, the red flags open). POST: pause."""
    patient = linked_patient(request, patient_id, page="plan-pause")
    plan = active_plan_of(patient=patient)
    if plan is None:
        raise Http404
    if request.method == "POST":
        try:
            plans.plan_pause(plan=plan, by=request.user)
        except Conflict as conflict:
            flash.error(request, conflict.message, extra_tags="plan")
        else:
            flash.success(
                request,
                _(
                    "The plan “%(title)s” is paused: no reminders, and the "
                    "patient's app shows it paused."
                )
                % {"title": plan.title},
                extra_tags="plan",
            )
        return _overview(patient.pk)
    red_flags = active_alerts_of(user=request.user, patient=patient).filter(kind=AlertKind.RED_FLAG)
    context = {
        **_patient_context(request, patient, "overview"),
        "plan": plan,
        "red_flags": list(red_flags),
    }
    return render(request, "clinic/plan_pause.html", context)


@require_POST
@physio_required
def plan_resume(request: PhysioRequest, patient_id) -> HttpResponse:
    patient = linked_patient(request, patient_id, page="plan-pause")
    plan = active_plan_of(patient=patient)
    if plan is None:
        raise Http404
    try:
        plans.plan_resume(plan=plan, by=request.user)
    except Conflict as conflict:
        flash.error(request, conflict.message, extra_tags="plan")
    else:
        flash.success(
            request,
            _("The plan “%(title)s” runs again: its reminders are planned from now.")
            % {"title": plan.title},
            extra_tags="plan",
        )
    return _overview(patient.pk)

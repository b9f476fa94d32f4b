"""The plan page's extras: the printable handout, and saving the plan as a template. HTTP
only: the handout is the API's (apps.interop.handout), the template the plans service's."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.interop.handout import handout_pdf
from apps.plans import services as plans
from apps.plans.selectors import active_plan_of, plan_for_handout

from .access import PhysioRequest, linked_patient, physio_required
from .forms import TemplateSaveForm


@require_GET
@physio_required
def plan_handout(request: PhysioRequest, patient_id) -> HttpResponse:
    """The active plan's handout as the API serves it, over the portal's session."""
    patient = linked_patient(request, patient_id, page="plan-handout")
    active = active_plan_of(patient=patient)
    plan = active and plan_for_handout(user=request.user, plan_id=active.pk)
    if plan is None:
        raise Http404
    pdf, language = handout_pdf(plan)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}-handout.pdf"'
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@physio_required
def plan_template_save(request: PhysioRequest, patient_id) -> HttpResponse:
    patient = linked_patient(request, patient_id, page="plan")
    active = active_plan_of(patient=patient)
    if active is None:
        raise Http404
    form = TemplateSaveForm(request.POST)
    outcome = "template_invalid"
    if form.is_valid():
        try:
            plans.plan_template_create(
                physio=request.user, title=form.cleaned_data["title"], from_plan=active
            )
        except ValidationError:
            outcome = "template_refused"  # another physio's own exercise in the plan
        else:
            outcome = "template_saved"
    return redirect(reverse("clinic:plan", args=[patient.pk]) + f"?{outcome}=1")

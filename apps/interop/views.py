from uuid import UUID

from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Role
from apps.accounts.permissions import IsPatient, IsPatientOrPhysio, IsPhysio
from apps.accounts.requests import AuthenticatedRequest
from apps.accounts.selectors import patient_for_physio
from apps.accounts.services import patient_access_record
from apps.alerts.selectors import active_alerts_of
from apps.episode_lifecycle.selectors import episodes_visible, goals_with_status
from apps.outcomes.selectors import fhir_questionnaires_for, fhir_responses_for
from apps.plans.adherence import adherence_7d_for
from apps.plans.selectors import plan_for_handout, plans_for
from apps.symptoms.selectors import symptom_logs_for
from backend.errors import or_404

from .export import patient_export
from .fhir import bundle_json, patient_bundle
from .handout import handout_pdf
from .renderers import FhirJsonRenderer
from .serializers import ExportSerializer


class MeExportView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        responses={200: ExportSerializer},
        summary="Every record the patient owns, as one JSON document",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        response = Response(patient_export(patient=request.user))
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        response["Cache-Control"] = "no-store"
        return response


class PatientFhirView(APIView):
    permission_classes = [IsPhysio]
    renderer_classes = [JSONRenderer, FhirJsonRenderer]

    @extend_schema(
        responses={200: {"type": "object", "description": "FHIR R4 Bundle (collection)"}},
        summary="A linked patient's records as a FHIR R4 Bundle",
    )
    def get(self, request: AuthenticatedRequest, patient_id) -> HttpResponse:
        patient = or_404(patient_for_physio(physio=request.user, patient_id=patient_id))
        episodes = list(episodes_visible(user=request.user).filter(patient=patient))
        goal_rows = goals_with_status(episodes)
        bundle = patient_bundle(
            patient=patient,
            logs=symptom_logs_for(patient=patient).order_by("recorded_at"),
            plans=plans_for(user=request.user).filter(patient=patient),
            alerts=active_alerts_of(user=request.user, patient=patient),
            instruments=fhir_questionnaires_for(patient=patient),
            responses=fhir_responses_for(patient=patient),
            episodes=episodes,
            goals=[row for episode in episodes for row in goal_rows[episode.pk]],
            adherence=adherence_7d_for([patient.pk])[patient.pk],
        )
        patient_access_record(physio=request.user, patients=[patient], what="fhir.bundle")
        return HttpResponse(bundle_json(bundle), content_type="application/fhir+json")


class PdfRenderer(BaseRenderer):
    """Lets `Accept: application/pdf` through content negotiation; the view writes the PDF
    itself and answers errors in JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return data if isinstance(data, bytes) else b""


class PlanHandoutView(APIView):
    permission_classes = [IsPatientOrPhysio]
    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The plan as a printable PDF in the patient's language: each "
                "exercise's first picture, steps, dosage, days, pain limit and notes.",
            ),
        },
        summary="A plan's printable handout (the patient; a linked physiotherapist)",
    )
    def get(self, request: AuthenticatedRequest, plan_id: UUID | str) -> HttpResponse:
        plan = or_404(plan_for_handout(user=request.user, plan_id=plan_id))
        pdf, language = handout_pdf(plan)
        if request.user.role == Role.PHYSIO:
            patient_access_record(
                physio=request.user, patients=[plan.patient], what="plans.handout"
            )
        response = HttpResponse(pdf, content_type="application/pdf")
        # The plan's id only: a file name shows in download lists and mail.
        response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}-handout.pdf"'
        response["Content-Language"] = language
        response["Cache-Control"] = "no-store"
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and isinstance(
            getattr(response, "accepted_renderer", None), PdfRenderer
        ):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        patch_vary_headers(response, ["Accept"])
        return response

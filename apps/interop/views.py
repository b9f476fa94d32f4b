from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.accounts.permissions import IsPhysio
from apps.accounts.selectors import patient_for_physio
from apps.accounts.services import patient_access_record
from apps.alerts.models import Alert, AlertStatus
from apps.plans.models import ExercisePlan, PlanItem
from apps.symptoms.models import SymptomLog

from .fhir import bundle_json, patient_bundle
from .renderers import FhirJsonRenderer


class PatientFhirView(APIView):
    permission_classes = [IsPhysio]
    renderer_classes = [JSONRenderer, FhirJsonRenderer]

    @extend_schema(
        responses={200: {"type": "object", "description": "FHIR R4 Bundle (collection)"}},
        summary="A linked patient's records as a FHIR R4 Bundle",
    )
    def get(self, request: Request, patient_id) -> HttpResponse:
        patient = patient_for_physio(physio=request.user, patient_id=patient_id)
        bundle = patient_bundle(
            patient=patient,
            logs=SymptomLog.objects.filter(patient=patient).order_by("recorded_at"),
            plans=ExercisePlan.objects.filter(patient=patient).prefetch_related(
                Prefetch("items", queryset=PlanItem.objects.select_related("exercise"))
            ),
            alerts=Alert.objects.filter(patient=patient).exclude(status=AlertStatus.RESOLVED),
        )
        patient_access_record(physio=request.user, patients=[patient], what="fhir.bundle")
        return HttpResponse(bundle_json(bundle), content_type="application/fhir+json")

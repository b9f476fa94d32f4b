"""Load guidance in the API: `plans/{id}/load-guidance/` and
`plans/{id}/items/{item_id}/apply-guidance/` (docs/api.md)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Role
from apps.accounts.permissions import IsPatientOrPhysio, IsPhysio
from apps.accounts.requests import AuthenticatedRequest
from apps.accounts.services import patient_access_record
from backend.errors import or_404

from . import selectors, services
from .serializers import (
    AppliedGuidanceSerializer,
    ApplyGuidanceInputSerializer,
    PlanGuidanceSerializer,
)


class PlanLoadGuidanceView(APIView):
    permission_classes = [IsPatientOrPhysio]

    @extend_schema(
        operation_id="plans_load_guidance",
        responses={200: PlanGuidanceSerializer},
        summary="The pain-monitoring model's suggestion for each exercise of a plan",
    )
    def get(self, request: AuthenticatedRequest, plan_id) -> Response:
        guidance = or_404(selectors.plan_load_guidance(user=request.user, plan_id=plan_id))
        if request.user.role == Role.PHYSIO:
            patient_access_record(
                physio=request.user, patients=[guidance["patient"]], what="plans.load_guidance"
            )
        return Response(PlanGuidanceSerializer(guidance).data)


class ApplyGuidanceView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(
        operation_id="plans_items_apply_guidance",
        request=ApplyGuidanceInputSerializer,
        responses={
            200: AppliedGuidanceSerializer,
            409: OpenApiResponse(
                description="guidance_not_applicable (hold, insufficient_data), "
                "no_dosage_step, guidance_already_applied, guidance_changed, item_not_active."
            ),
        },
        summary="Apply one dosage step of the item's load guidance (linked physiotherapists)",
    )
    def post(self, request: AuthenticatedRequest, plan_id, item_id) -> Response:
        serializer = ApplyGuidanceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        applied = services.plan_item_guidance_apply(
            physio=request.user, plan_id=plan_id, item_id=item_id, **serializer.validated_data
        )
        return Response(AppliedGuidanceSerializer(applied).data)

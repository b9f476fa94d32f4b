from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsPhysio
from apps.accounts.requests import AuthenticatedRequest
from backend.errors import or_404
from backend.rest import PageNumberPagination, page_of

from . import handover, selectors
from .models import StaffMembership
from .serializers import (
    ClinicSerializer,
    HandoverSerializer,
    StaffDeactivateInputSerializer,
    StaffSerializer,
)


class ClinicListView(generics.ListAPIView):
    request: AuthenticatedRequest  # the permission classes let no one else in
    permission_classes = [IsPhysio]
    serializer_class = ClinicSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return StaffMembership.objects.none()
        return selectors.clinics_for(user=self.request.user)

    @extend_schema(summary="The caller's clinics and their role in each (staff)")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class StaffListView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(
        responses={200: page_of(StaffSerializer)},
        summary="A clinic's staff with their counts (the clinic's admins)",
    )
    def get(self, request: AuthenticatedRequest, clinic_id) -> Response:
        clinic = or_404(selectors.clinic_for_admin(user=request.user, clinic_id=clinic_id))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.staff_of(clinic=clinic), request, view=self)
        return paginator.get_paginated_response(StaffSerializer(page or [], many=True).data)


class StaffDeactivateView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(
        request=StaffDeactivateInputSerializer,
        responses={
            200: HandoverSerializer,
            409: OpenApiResponse(description="Active patients and no colleague named."),
        },
        summary="Deactivate a physio and hand their patients to a colleague (clinic admins)",
    )
    def post(self, request: AuthenticatedRequest, clinic_id, user_id) -> Response:
        clinic = or_404(selectors.clinic_for_admin(user=request.user, clinic_id=clinic_id))
        physio = or_404(handover.staff_member(clinic=clinic, user_id=user_id))
        serializer = StaffDeactivateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = handover.staff_deactivate(
            clinic=clinic,
            physio=physio,
            by=request.user,
            transfer_to_id=serializer.validated_data.get("transfer_to"),
        )
        return Response(HandoverSerializer(done).data)

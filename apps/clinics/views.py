from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, pagination
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
    AuditEntrySerializer,
    AuditQuerySerializer,
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


class AuditCursorPagination(pagination.CursorPagination):
    # The audit only grows, mostly at its newest end: a cursor keeps a page stable while
    # reads are added, where page numbers would shift under the reviewer.
    ordering = ("-at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


AUDIT_FILTERS = ("staff", "patient", "since", "until")


class AuditListView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(
        parameters=[
            OpenApiParameter("staff", OpenApiTypes.UUID, description="Reads by this staff member."),
            OpenApiParameter("patient", OpenApiTypes.UUID, description="Reads of this patient."),
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="Reads at or after."),
            OpenApiParameter("until", OpenApiTypes.DATETIME, description="Reads at or before."),
        ],
        responses={200: page_of(AuditEntrySerializer, cursor=True)},
        summary="Who of the staff read which patient's records, and when (clinic admins)",
    )
    def get(self, request: AuthenticatedRequest, clinic_id) -> Response:
        clinic = or_404(selectors.clinic_for_admin(user=request.user, clinic_id=clinic_id))
        query = AuditQuerySerializer(
            data={
                key: request.query_params[key]
                for key in AUDIT_FILTERS
                if key in request.query_params
            }
        )
        query.is_valid(raise_exception=True)
        paginator = AuditCursorPagination()
        rows = selectors.audit_of(clinic=clinic, **query.validated_data)
        page = paginator.paginate_queryset(rows, request, view=self)
        # Not itself audited: the admin sees who read whom and when, no record.
        return paginator.get_paginated_response(AuditEntrySerializer(page, many=True).data)

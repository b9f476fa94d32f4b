"""The physiotherapist's caseload in the API: `patients/` and `patients/{id}/summary/`."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.accounts.permissions import IsPhysio
from apps.accounts.requests import AuthenticatedRequest
from apps.accounts.services import patient_access_record
from backend.errors import or_404

from . import selectors
from .serializers import (
    PatientOverviewQuerySerializer,
    PatientOverviewSerializer,
    PatientSummarySerializer,
)


class PatientListView(generics.ListAPIView):
    """The physiotherapist's linked patients with the figures that need attention."""

    request: AuthenticatedRequest  # the permission classes let no one else in
    permission_classes = [IsPhysio]
    serializer_class = PatientOverviewSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        query = PatientOverviewQuerySerializer(
            data={"ordering": self.request.query_params["ordering"]}
            if "ordering" in self.request.query_params
            else {}
        )
        query.is_valid(raise_exception=True)
        return selectors.caseload_for(
            physio=self.request.user, ordering=query.validated_data["ordering"]
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "ordering",
                str,
                enum=list(selectors.DASHBOARD_ORDERINGS),
                description="Sort order; default email.",
            )
        ],
        summary="Linked patients with latest pain, 7-day change, adherence and open alerts",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        response = self.list(request, *args, **kwargs)
        patient_access_record(
            physio=self.request.user,
            patients=[row["id"] for row in response.data["results"]],
            what="patients.list",
        )
        return response

    # Below get(): a `list` method above would shadow the builtin in the class body.
    def list(self, request: Request, *args, **kwargs) -> Response:
        # The count of items suggesting `reduce` comes from the pain-monitoring model, which
        # runs in Python: computed for the page's patients only, four queries for any page.
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = selectors.with_reduce_suggestions(list(queryset) if page is None else page)
        data = self.get_serializer(rows, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)


class PatientSummaryView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(
        responses={200: PatientSummarySerializer}, summary="One linked patient at a glance"
    )
    def get(self, request: AuthenticatedRequest, patient_id) -> Response:
        summary = or_404(selectors.patient_summary(physio=request.user, patient_id=patient_id))
        patient_access_record(
            physio=request.user, patients=[summary.patient.pk], what="patients.summary"
        )
        return Response(PatientSummarySerializer(summary).data)

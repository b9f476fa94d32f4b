from typing import Any
from uuid import UUID

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Role
from apps.accounts.permissions import IsPatientOrPhysio, IsPhysio
from apps.accounts.requests import AuthenticatedRequest
from apps.accounts.services import patient_access_record
from backend.rest import require_empty_body

from . import selectors, services
from .models import Alert, AlertKind, AlertStatus
from .serializers import AlertResolveInputSerializer, AlertSerializer


class AlertFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices)
    kind = django_filters.ChoiceFilter(choices=AlertKind.choices)
    patient = django_filters.UUIDFilter(field_name="patient_id")

    class Meta:
        model = Alert
        fields = ["status", "kind", "patient"]


@extend_schema_view(
    get=extend_schema(summary="Alerts: a patient's own, a physiotherapist's linked patients'")
)
class AlertListView(generics.ListAPIView):
    request: AuthenticatedRequest  # the permission classes let no one else in
    permission_classes = [IsPatientOrPhysio]
    serializer_class = AlertSerializer
    filterset_class = AlertFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Alert.objects.none()
        return selectors.alerts_for(user=self.request.user)

    def list(self, request: Request, *args, **kwargs) -> Response:
        response = super().list(request, *args, **kwargs)
        if self.request.user.role == Role.PHYSIO:
            # Alerts are patient records: a physio's read of them is audited like the rest.
            patient_access_record(
                physio=self.request.user,
                patients=[row["patient"] for row in response.data["results"]],
                what="alerts.list",
            )
        return response


class _AlertTransitionView(APIView):
    permission_classes = [IsPhysio]
    transition = staticmethod(services.alert_acknowledge)

    def post(self, request: AuthenticatedRequest, alert_id) -> Response:
        require_empty_body(request.data)
        alert = get_object_or_404(selectors.alerts_for(user=request.user), pk=alert_id)
        alert = self.transition(alert=alert, by=request.user)
        return Response(AlertSerializer(alert).data)


@extend_schema(
    request=None,
    responses={200: AlertSerializer, 409: OpenApiResponse(description="Not open.")},
    summary="Acknowledge an open alert (linked physiotherapists)",
)
class AlertAcknowledgeView(_AlertTransitionView):
    transition = staticmethod(services.alert_acknowledge)


@extend_schema(
    request=AlertResolveInputSerializer,
    responses={200: AlertSerializer, 409: OpenApiResponse(description="Already resolved.")},
    summary="Resolve an alert, with an optional note of what was done (linked physiotherapists)",
)
class AlertResolveView(APIView):
    permission_classes = [IsPhysio]

    def post(self, request: AuthenticatedRequest, alert_id: UUID | str) -> Response:
        alert = get_object_or_404(selectors.alerts_for(user=request.user), pk=alert_id)
        raw: Any = request.data  # an empty body parses as None or ""
        body = AlertResolveInputSerializer(data={} if raw in (None, "") else raw)
        body.is_valid(raise_exception=True)
        alert = services.alert_resolve(
            alert=alert, by=request.user, note=body.validated_data.get("note", "")
        )
        return Response(AlertSerializer(alert).data)

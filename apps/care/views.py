from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsPatient
from apps.accounts.requests import AuthenticatedRequest
from backend.rest import require_empty_body

from . import selectors, services
from .models import CareSession
from .serializers import CareSessionInputSerializer, CareSessionSerializer


def _session_data(outcome: services.Outcome) -> dict:
    reminders = {outcome.session.id: outcome.reminder} if outcome.reminder else {}
    return CareSessionSerializer(outcome.session, context={"reminders": reminders}).data


class CareSessionListView(generics.ListAPIView):
    request: AuthenticatedRequest  # the permission classes let no one else in
    permission_classes = [IsPatient]
    serializer_class = CareSessionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return CareSession.objects.none()
        return selectors.care_sessions_for(patient=self.request.user)

    @extend_schema(
        responses={200: CareSessionSerializer(many=True)},
        summary="The caller's home-care sessions, newest first",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        reminders = selectors.care_session_reminders(sessions=page)
        data = CareSessionSerializer(page, many=True, context={"reminders": reminders}).data
        return self.get_paginated_response(data)

    @extend_schema(
        request=CareSessionInputSerializer,
        responses={
            201: CareSessionSerializer,
            200: OpenApiResponse(
                CareSessionSerializer, description="Already stored (same client_id)."
            ),
        },
        summary="Start a home-care session; a reminder is scheduled for its planned end",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = CareSessionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.care_session_start(patient=request.user, **serializer.validated_data)
        return Response(
            _session_data(outcome),
            status=status.HTTP_201_CREATED if outcome.changed else status.HTTP_200_OK,
        )


class CareSessionDetailView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        responses={200: CareSessionSerializer}, summary="One of the caller's home-care sessions"
    )
    def get(self, request: AuthenticatedRequest, session_id) -> Response:
        session = get_object_or_404(
            selectors.care_sessions_for(patient=request.user), pk=session_id
        )
        reminders = selectors.care_session_reminders(sessions=[session])
        return Response(CareSessionSerializer(session, context={"reminders": reminders}).data)


class CareSessionFinishView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        request=None,
        responses={
            200: OpenApiResponse(
                CareSessionSerializer,
                description="Finished now, or already finished (the first time is kept).",
            )
        },
        summary="Finish a home-care session and cancel its reminder",
    )
    def post(self, request: AuthenticatedRequest, session_id) -> Response:
        require_empty_body(request.data)
        session = get_object_or_404(
            selectors.care_sessions_for(patient=request.user), pk=session_id
        )
        return Response(_session_data(services.care_session_finish(session=session)))

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors as accounts
from apps.accounts.models import Role
from apps.accounts.permissions import IsPatientOrPhysio, IsPhysio
from apps.accounts.requests import AuthenticatedRequest
from apps.accounts.services import patient_access_record
from apps.episodes import services as episodes
from apps.episodes.models import EpisodeStatus
from backend.errors import or_404
from backend.rest import PageNumberPagination, page_of

from . import selectors, services
from .serializers import (
    DischargeInputSerializer,
    DischargeSerializer,
    EpisodeChangeSerializer,
    EpisodeInputSerializer,
    EpisodeQuerySerializer,
    EpisodeSerializer,
    GoalInputSerializer,
    GoalSerializer,
)


def _audit(request: AuthenticatedRequest, patients, what: str) -> None:
    if request.user.role == Role.PHYSIO and patients:
        patient_access_record(physio=request.user, patients=patients, what=what)


def _rows_context(episodes) -> dict:
    rows = selectors.goals_with_status(episodes)
    return {"goal_rows": {row.goal.pk: row for group in rows.values() for row in group}}


def _episode_body(request: AuthenticatedRequest, episode_id) -> dict:
    episode = or_404(selectors.episode_for(user=request.user, episode_id=episode_id))
    return EpisodeSerializer(episode, context=_rows_context([episode])).data


class PatientEpisodeCreateView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(
        request=EpisodeInputSerializer,
        responses={
            201: EpisodeSerializer,
            409: OpenApiResponse(description="You have an active episode with this patient."),
        },
        summary="Open an episode of care for a linked patient (physiotherapists)",
    )
    def post(self, request: AuthenticatedRequest, patient_id) -> Response:
        patient = or_404(accounts.patient_for_physio(physio=request.user, patient_id=patient_id))
        serializer = EpisodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        episode = episodes.episode_open(
            physio=request.user, patient=patient, **serializer.validated_data
        )
        return Response(_episode_body(request, episode.pk), status=status.HTTP_201_CREATED)


class EpisodeListView(APIView):
    permission_classes = [IsPatientOrPhysio]

    @extend_schema(
        parameters=[
            OpenApiParameter("patient", str, description="One patient's episodes."),
            OpenApiParameter("status", str, enum=EpisodeStatus.values),
        ],
        operation_id="episodes_list",
        responses={200: page_of(EpisodeSerializer)},
        summary="Episodes of care (own; physiotherapists: linked patients'), newest first",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        query = EpisodeQuerySerializer(
            data={k: v for k, v in request.query_params.items() if k in ("patient", "status")}
        )
        query.is_valid(raise_exception=True)
        episodes_ = selectors.episodes_visible(user=request.user)
        if "patient" in query.validated_data:
            episodes_ = episodes_.filter(patient_id=query.validated_data["patient"])
        if "status" in query.validated_data:
            episodes_ = episodes_.filter(status=query.validated_data["status"])
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(episodes_, request, view=self) or []
        response = paginator.get_paginated_response(
            EpisodeSerializer(page, many=True, context=_rows_context(page)).data
        )
        _audit(request, {episode.patient_id for episode in page}, "episodes.list")
        return response


class EpisodeDetailView(APIView):
    permission_classes = [IsPatientOrPhysio]

    @extend_schema(
        responses={200: EpisodeSerializer},
        summary="One episode of care: its plans, schedules and goals",
    )
    def get(self, request: AuthenticatedRequest, episode_id) -> Response:
        body = _episode_body(request, episode_id)
        _audit(request, [body["patient"]], "episodes.detail")
        return Response(body)

    @extend_schema(
        request=EpisodeChangeSerializer,
        responses={
            200: EpisodeSerializer,
            409: OpenApiResponse(description="The episode has been discharged."),
        },
        summary="Correct when an episode began (its lead physiotherapist only; 404 for "
        "anyone else)",
    )
    def patch(self, request: AuthenticatedRequest, episode_id) -> Response:
        if request.user.role != Role.PHYSIO:
            raise Http404
        episode = or_404(selectors.episode_led_by(physio=request.user, episode_id=episode_id))
        serializer = EpisodeChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.episode_start_change(
            episode=episode, started_on=serializer.validated_data["started_on"]
        )
        return Response(_episode_body(request, episode_id))


class EpisodeGoalView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(
        request=GoalInputSerializer,
        responses={
            201: GoalSerializer,
            409: OpenApiResponse(description="The episode has been discharged."),
        },
        summary="Add a goal to an episode (linked physiotherapists)",
    )
    def post(self, request: AuthenticatedRequest, episode_id) -> Response:
        episode = or_404(selectors.episode_for(user=request.user, episode_id=episode_id))
        serializer = GoalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        goal = services.goal_create(episode=episode, by=request.user, **serializer.validated_data)
        episode = or_404(selectors.episode_for(user=request.user, episode_id=episode_id))
        goal = next(g for g in episode.goals.all() if g.pk == goal.pk)
        return Response(
            GoalSerializer(goal, context=_rows_context([episode])).data,
            status=status.HTTP_201_CREATED,
        )


class EpisodeDischargeView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(
        request=DischargeInputSerializer,
        responses={
            200: DischargeSerializer,
            409: OpenApiResponse(description="The episode has already been discharged."),
        },
        summary="Discharge an episode: archive its plans, end its schedules, stop their "
        "reminders, freeze the report (linked physiotherapists)",
    )
    def post(self, request: AuthenticatedRequest, episode_id) -> Response:
        episode = get_object_or_404(selectors.episodes_visible(user=request.user), pk=episode_id)
        serializer = DischargeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.episode_discharge(
            episode=episode, by=request.user, note=serializer.validated_data["note"]
        )
        return Response(DischargeSerializer(result).data)

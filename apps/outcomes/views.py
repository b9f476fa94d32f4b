from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors as accounts
from apps.accounts.models import Role
from apps.accounts.permissions import IsPatient, IsPatientOrPhysio, IsPhysio
from apps.accounts.requests import AuthenticatedRequest
from apps.accounts.services import patient_access_record
from backend.bulk import BULK_MAX_ITEMS
from backend.bulk_api import bulk_items, bulk_payload, bulk_response
from backend.errors import or_404
from backend.rest import PageNumberPagination, page_of, require_empty_body

from . import selectors, services
from .errors import OutcomeError
from .models import ScheduleStatus
from .serializers import (
    DueQuestionnaireSerializer,
    InstrumentOutcomeSerializer,
    InstrumentSerializer,
    OutcomeBulkResultSerializer,
    OutcomeResponseInputSerializer,
    OutcomeResponseSerializer,
    OutcomeScheduleInputSerializer,
    OutcomeScheduleQuerySerializer,
    OutcomeScheduleSerializer,
)

# Built once per process: DRF builds a serializer's fields on first use, and a bulk
# upload validates every item with this one instance (run_validation is stateless).
RESPONSE_INPUT = OutcomeResponseInputSerializer()


def _page(
    view: APIView,
    request: AuthenticatedRequest,
    rows: QuerySet[Any] | Sequence[Any],
    serializer_class: type[serializers.BaseSerializer],
) -> Response:
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


class ResponseCursorPagination(pagination.CursorPagination):
    ordering = ("-completed_at", "-created_at")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# --- Instruments ----------------------------------------------------------------------------


class InstrumentListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="outcome_instruments_list",
        responses={200: page_of(InstrumentSerializer)},
        summary="The outcome instruments in use (each one's enabled version)",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        versions = selectors.enabled_versions().order_by("instrument_id")
        return _page(self, request, versions, InstrumentSerializer)


class InstrumentDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: InstrumentSerializer}, summary="One instrument in use")
    def get(self, request: AuthenticatedRequest, code: str) -> Response:
        version = selectors.enabled_version_of(code)
        if version is None:
            raise Http404
        return Response(InstrumentSerializer(version).data)


# --- Schedules ------------------------------------------------------------------------------


class PatientScheduleCreateView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(
        request=OutcomeScheduleInputSerializer,
        responses={
            201: OutcomeScheduleSerializer,
            409: OpenApiResponse(description="An active schedule of this instrument exists."),
        },
        summary="Schedule an instrument for a linked patient (physiotherapists)",
    )
    def post(self, request: AuthenticatedRequest, patient_id) -> Response:
        patient = or_404(accounts.patient_for_physio(physio=request.user, patient_id=patient_id))
        serializer = OutcomeScheduleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        schedule = services.outcome_schedule_create(
            physio=request.user, patient=patient, **serializer.validated_data
        )
        return Response(OutcomeScheduleSerializer(schedule).data, status=status.HTTP_201_CREATED)


class ScheduleListView(APIView):
    permission_classes = [IsPatientOrPhysio]

    @extend_schema(
        parameters=[
            OpenApiParameter("patient", str, description="Physiotherapists: required."),
            OpenApiParameter("status", str, enum=ScheduleStatus.values),
        ],
        operation_id="outcome_schedules_list",
        responses={200: page_of(OutcomeScheduleSerializer)},
        summary="A patient's outcome schedules (own; physiotherapists: ?patient=)",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        query = OutcomeScheduleQuerySerializer(
            data={k: v for k, v in request.query_params.items() if k in ("patient", "status")}
        )
        query.is_valid(raise_exception=True)
        params = query.validated_data
        patient = None
        if request.user.role == Role.PHYSIO:
            if "patient" not in params:
                raise exceptions.ValidationError(
                    {
                        "patient": [
                            exceptions.ErrorDetail(
                                gettext("Name the patient whose schedules to list."),
                                code=OutcomeError.PATIENT_REQUIRED,
                            )
                        ]
                    }
                )
            patient = or_404(
                accounts.patient_for_physio(physio=request.user, patient_id=params["patient"])
            )
        schedules = selectors.schedules_for(user=request.user, patient=patient)
        if "status" in params:
            schedules = schedules.filter(ended_at__isnull=params["status"] == ScheduleStatus.ACTIVE)
        response = _page(self, request, schedules, OutcomeScheduleSerializer)
        if patient is not None:
            patient_access_record(physio=request.user, patients=patient, what="outcomes.schedules")
        return response


class ScheduleEndView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(
        request=None,
        responses={
            200: OutcomeScheduleSerializer,
            409: OpenApiResponse(description="Already ended."),
        },
        summary="End a schedule; its reminders stop (linked physiotherapists)",
    )
    def post(self, request: AuthenticatedRequest, schedule_id) -> Response:
        schedule = get_object_or_404(selectors.schedules_for(user=request.user), pk=schedule_id)
        require_empty_body(request.data)
        schedule = services.outcome_schedule_end(schedule=schedule, by=request.user)
        return Response(OutcomeScheduleSerializer(schedule).data)


# --- Responses ------------------------------------------------------------------------------


class ResponseListView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        operation_id="outcome_responses_list",
        responses={200: page_of(OutcomeResponseSerializer, cursor=True)},
        summary="The caller's responses, newest first (cursor pagination)",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        paginator = ResponseCursorPagination()
        page = paginator.paginate_queryset(
            selectors.responses_for(patient=request.user), request, view=self
        )
        return paginator.get_paginated_response(OutcomeResponseSerializer(page, many=True).data)

    @extend_schema(
        request=OutcomeResponseInputSerializer,
        responses={
            201: OutcomeResponseSerializer,
            200: OpenApiResponse(
                OutcomeResponseSerializer, description="Already stored (same client_id)."
            ),
        },
        summary="Answer an instrument; the server scores it against the schedule's baseline",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = OutcomeResponseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.outcome_response_create(
            patient=request.user, **serializer.validated_data
        )
        return Response(
            OutcomeResponseSerializer(outcome.response).data,
            status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK,
        )


class ResponseDetailView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        responses={200: OutcomeResponseSerializer}, summary="One of the caller's responses"
    )
    def get(self, request: AuthenticatedRequest, response_id) -> Response:
        response = get_object_or_404(selectors.responses_for(patient=request.user), pk=response_id)
        return Response(OutcomeResponseSerializer(response).data)


class ResponseBulkView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        request={
            "application/json": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/OutcomeResponseInputRequest"},
                "maxItems": BULK_MAX_ITEMS,
            }
        },
        responses={
            200: OutcomeBulkResultSerializer,
            413: OpenApiResponse(description=f"More than {BULK_MAX_ITEMS} items."),
        },
        summary=f"Offline sync: up to {BULK_MAX_ITEMS} responses, one result per item in order",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        payload = bulk_payload(request.data, wrapper="responses", noun=gettext("responses"))
        items = bulk_items(payload, validator=RESPONSE_INPUT, fields=services.ResponseFields)
        results = services.outcome_responses_store(patient=request.user, items=items)
        return bulk_response(
            results,
            name="response",
            render=lambda responses: OutcomeResponseSerializer(responses, many=True).data,
        )


class DueView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        operation_id="outcome_responses_due_list",
        responses={200: page_of(DueQuestionnaireSerializer)},
        summary="The questionnaires due now, each with its schedule",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return _page(
            self, request, selectors.due_for(patient=request.user), DueQuestionnaireSerializer
        )


class PatientOutcomesView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(
        operation_id="patients_outcomes_list",
        responses={200: page_of(InstrumentOutcomeSerializer)},
        summary="A linked patient's outcomes per instrument: baseline, latest, change, series",
    )
    def get(self, request: AuthenticatedRequest, patient_id) -> Response:
        patient = or_404(accounts.patient_for_physio(physio=request.user, patient_id=patient_id))
        response = _page(
            self,
            request,
            selectors.outcomes_by_instrument(patient=patient),
            InstrumentOutcomeSerializer,
        )
        patient_access_record(physio=request.user, patients=patient, what="outcomes.series")
        return response

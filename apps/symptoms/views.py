from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import pagination, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors as accounts
from apps.accounts.permissions import IsPatient, IsPhysio
from apps.accounts.requests import AuthenticatedRequest
from apps.accounts.services import patient_access_record
from backend.bulk import BULK_MAX_ITEMS
from backend.bulk_api import bulk_items, bulk_payload, bulk_response
from backend.errors import or_404
from backend.item_validation import item_validator
from backend.rest import page_of

from . import selectors, services
from .models import SymptomLog
from .serializers import (
    BulkResponseSerializer,
    LogRangeSerializer,
    SymptomLogInputSerializer,
    SymptomLogSerializer,
    TrendDaySerializer,
    TrendQuerySerializer,
    log_representations,
)

# Built once per process, not per request: DRF builds a serializer's fields on first use
# (a ModelSerializer introspects the model to do it), a tenth of a log's request time.
# Both are used through stateless calls only (run_validation, to_representation).
LOG_INPUT = SymptomLogInputSerializer()
LOG_OUTPUT = SymptomLogSerializer()


class LogCursorPagination(pagination.CursorPagination):
    ordering = "-recorded_at"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


RANGE_PARAMETERS = [
    OpenApiParameter("since", OpenApiTypes.DATETIME, description="Logs recorded at or after."),
    OpenApiParameter("until", OpenApiTypes.DATETIME, description="Logs recorded at or before."),
]


def _in_range(
    queryset: QuerySet[SymptomLog], request: AuthenticatedRequest
) -> QuerySet[SymptomLog]:
    params = {
        key: request.query_params[key] for key in ("since", "until") if key in request.query_params
    }
    serializer = LogRangeSerializer(data=params)
    serializer.is_valid(raise_exception=True)
    if "since" in serializer.validated_data:
        queryset = queryset.filter(recorded_at__gte=serializer.validated_data["since"])
    if "until" in serializer.validated_data:
        queryset = queryset.filter(recorded_at__lte=serializer.validated_data["until"])
    return queryset


def _paginated_logs(
    view: APIView, request: AuthenticatedRequest, queryset: QuerySet[SymptomLog]
) -> Response:
    paginator = LogCursorPagination()
    page = paginator.paginate_queryset(_in_range(queryset, request), request, view=view)
    return paginator.get_paginated_response(SymptomLogSerializer(page, many=True).data)


class SymptomLogListView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        parameters=RANGE_PARAMETERS,
        operation_id="symptom_logs_list",
        responses={200: page_of(SymptomLogSerializer, cursor=True)},
        summary="The caller's symptom logs, newest first (cursor pagination)",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return _paginated_logs(self, request, selectors.symptom_logs_for(patient=request.user))

    @extend_schema(
        request=SymptomLogInputSerializer,
        responses={
            201: SymptomLogSerializer,
            200: OpenApiResponse(
                SymptomLogSerializer, description="Already stored (same client_id)."
            ),
        },
        summary="Log pain and symptoms; the answer carries the red-flag triage",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        # Raises the same ValidationError as is_valid(raise_exception=True) would.
        fields = item_validator(LOG_INPUT).run_validation(request.data)
        outcome = services.symptom_log_create(patient=request.user, **fields)
        return Response(
            LOG_OUTPUT.to_representation(outcome.log),
            status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK,
        )


class SymptomLogDetailView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(responses={200: SymptomLogSerializer}, summary="One of the caller's logs")
    def get(self, request: AuthenticatedRequest, log_id) -> Response:
        log = get_object_or_404(selectors.symptom_logs_for(patient=request.user), pk=log_id)
        return Response(SymptomLogSerializer(log).data)


class SymptomLogBulkView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        request={
            "application/json": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/SymptomLogInputRequest"},
                "maxItems": BULK_MAX_ITEMS,
            }
        },
        responses={
            200: BulkResponseSerializer,
            413: OpenApiResponse(description="More than 500 items."),
        },
        summary="Offline sync: up to 500 logs, one result per item in order",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        payload = bulk_payload(request.data, wrapper="logs", noun=gettext("logs"))
        # One serializer validates every item and one renders every log.
        items = bulk_items(payload, validator=LOG_INPUT, fields=services.SymptomLogFields)
        results = services.symptom_logs_bulk_create(patient=request.user, items=items)
        return bulk_response(
            results,
            name="log",
            render=log_representations,
        )


class SymptomTrendView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        parameters=[OpenApiParameter("days", int, description="1 to 365; default 30.")],
        responses={200: TrendDaySerializer(many=True)},
        summary="Daily pain mean, maximum and count, in the patient's time zone",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        params = {"days": request.query_params["days"]} if "days" in request.query_params else {}
        serializer = TrendQuerySerializer(data=params)
        serializer.is_valid(raise_exception=True)
        trend = selectors.symptom_trend(
            patient=request.user, days=serializer.validated_data["days"]
        )
        return Response(TrendDaySerializer(trend, many=True).data)


class PatientSymptomLogListView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(
        parameters=RANGE_PARAMETERS,
        operation_id="patients_symptom_logs_list",
        responses={200: page_of(SymptomLogSerializer, cursor=True)},
        summary="A linked patient's symptom logs (physiotherapists)",
    )
    def get(self, request: AuthenticatedRequest, patient_id) -> Response:
        patient = or_404(accounts.patient_for_physio(physio=request.user, patient_id=patient_id))
        response = _paginated_logs(self, request, selectors.symptom_logs_for(patient=patient))
        # Recorded once the page is served: a refused range (400) showed no records.
        patient_access_record(physio=request.user, patients=patient, what="symptom_logs.list")
        return response

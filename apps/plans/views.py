from datetime import timedelta
from uuid import UUID

import django_filters
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Role
from apps.accounts.permissions import IsPatient, IsPatientOrPhysio, IsPhysio
from apps.accounts.requests import AuthenticatedRequest
from apps.accounts.services import patient_access_record
from backend.conditional import CONDITIONAL_PARAMETERS, NOT_MODIFIED, etagged
from backend.rest import require_empty_body

from . import adherence, selectors, services
from .errors import PlanError
from .models import ExercisePlan, PlanStatus, PlanTemplate
from .serializers import (
    AdherenceQuerySerializer,
    AdherenceSerializer,
    ExerciseLogInputSerializer,
    ExerciseLogSerializer,
    PlanInputSerializer,
    PlanSerializer,
    PlanTemplateInputSerializer,
    PlanTemplateSerializer,
    PlanUpdateSerializer,
    TodaySerializer,
)

# Built once per process: DRF builds a serializer's fields on first use (stateless after).
TODAY_OUTPUT = TodaySerializer()

ADHERENCE_MAX_DAYS = 366


def _audit(request: AuthenticatedRequest, patients, what: str) -> None:

    if request.user.role == Role.PHYSIO:
        patient_access_record(physio=request.user, patients=patients, what=what)


class PlanFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)
    patient = django_filters.UUIDFilter(field_name="patient_id")

    class Meta:
        model = ExercisePlan
        fields = ["status", "patient"]


@extend_schema_view(
    get=extend_schema(summary="Plans: a patient's own, a physiotherapist's linked patients'")
)
class PlanListView(generics.ListAPIView):
    """GET: a patient's own plans, or a physio's linked patients' plans.
    POST: a physio makes a plan for a linked patient."""

    request: AuthenticatedRequest  # the permission classes let no one else in
    serializer_class = PlanSerializer
    filterset_class = PlanFilter

    def get_permissions(self):
        return [IsPhysio()] if self.request.method == "POST" else [IsPatientOrPhysio()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ExercisePlan.objects.none()
        return selectors.plans_for(user=self.request.user)

    def list(self, request: Request, *args, **kwargs) -> Response:
        response = super().list(request, *args, **kwargs)
        patients = {plan["patient"] for plan in response.data["results"]}
        _audit(self.request, patients, "plans.list")
        return response

    @extend_schema(
        request=PlanInputSerializer,
        responses={201: PlanSerializer, 409: OpenApiResponse(description="An active plan exists.")},
        summary="Make an exercise plan for a linked patient (physiotherapists)",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = PlanInputSerializer(
            data=request.data,
            context={"exercises": selectors.prescribable_exercises(physio=request.user)},
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        template_id = data.pop("template", None)
        if template_id is not None:
            template = selectors.templates_for(physio=request.user).filter(pk=template_id).first()
            if template is None:
                raise exceptions.ValidationError(
                    {
                        "template": [
                            exceptions.ErrorDetail(
                                gettext("No such template of yours."), code="does_not_exist"
                            )
                        ]
                    }
                )
            data.setdefault("title", template.title)
            if "items" not in data:
                data["items"] = services.template_plan_items(template)
                services.exercises_check(physio=request.user, items=data["items"], attr="template")
        plan = services.plan_create(physio=request.user, patient_id=data.pop("patient"), **data)
        return Response(
            PlanSerializer(selectors.plans_for(user=request.user).get(pk=plan.pk)).data,
            status=status.HTTP_201_CREATED,
        )


@etagged
class PlanDetailView(APIView):
    def get_permissions(self):
        return [IsPhysio()] if self.request.method == "PATCH" else [IsPatientOrPhysio()]

    def _plan(self, request: AuthenticatedRequest, plan_id) -> ExercisePlan:
        return get_object_or_404(selectors.plans_for(user=request.user), pk=plan_id)

    @extend_schema(
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: PlanSerializer, **NOT_MODIFIED},
        summary="One plan",
    )
    def get(self, request: AuthenticatedRequest, plan_id) -> Response:
        plan = self._plan(request, plan_id)
        _audit(request, [plan.patient_id], "plans.detail")
        return Response(PlanSerializer(plan).data)

    @extend_schema(
        request=PlanUpdateSerializer,
        responses={200: PlanSerializer, 409: OpenApiResponse(description="The plan is archived.")},
        summary="Change a plan (linked physiotherapists); `items` replaces the list",
    )
    def patch(self, request: AuthenticatedRequest, plan_id) -> Response:
        plan = self._plan(request, plan_id)
        serializer = PlanUpdateSerializer(
            data=request.data,
            partial=True,
            context={"exercises": selectors.prescribable_exercises(physio=request.user, plan=plan)},
        )
        serializer.is_valid(raise_exception=True)
        services.plan_update(plan=plan, by=request.user, **serializer.validated_data)
        return Response(PlanSerializer(self._plan(request, plan_id)).data)


class PlanArchiveView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(request=None, responses={200: PlanSerializer}, summary="Archive a plan")
    def post(self, request: AuthenticatedRequest, plan_id) -> Response:
        require_empty_body(request.data)
        plan = get_object_or_404(selectors.plans_for(user=request.user), pk=plan_id)
        services.plan_archive(plan=plan, by=request.user)
        return Response(PlanSerializer(selectors.plans_for(user=request.user).get(pk=plan.pk)).data)


class PlanPauseView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(
        request=None,
        responses={
            200: PlanSerializer,
            409: OpenApiResponse(description="The plan is archived (`plan_archived`)."),
        },
        summary="Pause a plan: no reminders, shown paused to the patient (linked physios)",
    )
    def post(self, request: AuthenticatedRequest, plan_id) -> Response:
        require_empty_body(request.data)
        plan = get_object_or_404(selectors.plans_for(user=request.user), pk=plan_id)
        services.plan_pause(plan=plan, by=request.user)
        return Response(PlanSerializer(selectors.plans_for(user=request.user).get(pk=plan.pk)).data)


class PlanResumeView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(
        request=None,
        responses={
            200: PlanSerializer,
            409: OpenApiResponse(description="The plan is archived (`plan_archived`)."),
        },
        summary="Resume a paused plan: reminders planned again (linked physios)",
    )
    def post(self, request: AuthenticatedRequest, plan_id) -> Response:
        require_empty_body(request.data)
        plan = get_object_or_404(selectors.plans_for(user=request.user), pk=plan_id)
        services.plan_resume(plan=plan, by=request.user)
        return Response(PlanSerializer(selectors.plans_for(user=request.user).get(pk=plan.pk)).data)


class PlanAdherenceView(APIView):
    permission_classes = [IsPatientOrPhysio]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                description="First local date, YYYY-MM-DD (default: 6 days ago).",
            ),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, description="Last local date, YYYY-MM-DD (default: today)."
            ),
        ],
        responses={200: AdherenceSerializer},
        summary="Expected and done exercise sessions per day",
    )
    def get(self, request: AuthenticatedRequest, plan_id) -> Response:
        plan = get_object_or_404(selectors.plans_for(user=request.user), pk=plan_id)
        params = {
            name: request.query_params[key]
            for key, name in (("from", "date_from"), ("to", "date_to"))
            if key in request.query_params
        }
        query = AdherenceQuerySerializer(data=params)
        if not query.is_valid():
            # Report the parameters by the names the client used.
            renamed = {
                {"date_from": "from", "date_to": "to"}.get(k, k): v for k, v in query.errors.items()
            }
            raise exceptions.ValidationError(renamed)
        today = timezone.now().astimezone(plan.patient.zone).date()
        date_to = query.validated_data.get("date_to", today)
        date_from = query.validated_data.get("date_from", date_to - timedelta(days=6))
        if date_from > date_to:
            raise exceptions.ValidationError({"to": ["Must not be before from."]})
        if (date_to - date_from).days >= ADHERENCE_MAX_DAYS:
            raise exceptions.ValidationError(
                {"to": [f"Ask for at most {ADHERENCE_MAX_DAYS} days."]}
            )
        _audit(request, [plan.patient_id], "plans.adherence")
        return Response(adherence.plan_adherence(plan=plan, date_from=date_from, date_to=date_to))


@etagged
class TodayView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: TodaySerializer, **NOT_MODIFIED},
        summary="Today's exercises in the patient's zone",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(TODAY_OUTPUT.to_representation(selectors.today_for(patient=request.user)))


class ExerciseLogView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        request=ExerciseLogInputSerializer,
        responses={
            201: ExerciseLogSerializer,
            200: OpenApiResponse(
                ExerciseLogSerializer, description="Already stored (same client_id)."
            ),
        },
        summary="Log one exercise session",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = ExerciseLogInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        item = (
            selectors.plan_items_for(patient=request.user).filter(pk=data.pop("plan_item")).first()
        )
        if item is None:
            raise exceptions.ValidationError(
                {
                    "plan_item": [
                        exceptions.ErrorDetail(
                            gettext("No such item in your plans."), code=PlanError.UNKNOWN_ITEM
                        )
                    ]
                }
            )
        outcome = services.exercise_log_create(patient=request.user, plan_item=item, **data)
        return Response(
            ExerciseLogSerializer(outcome.log).data,
            status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK,
        )


@extend_schema_view(get=extend_schema(summary="The physiotherapist's plan templates"))
class PlanTemplateListView(generics.ListAPIView):
    """GET: the physio's plan templates. POST: a new one from items or from a plan."""

    request: AuthenticatedRequest  # the permission classes let no one else in
    serializer_class = PlanTemplateSerializer
    permission_classes = [IsPhysio]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PlanTemplate.objects.none()
        return selectors.templates_for(physio=self.request.user)

    @extend_schema(
        request=PlanTemplateInputSerializer,
        responses={201: PlanTemplateSerializer},
        summary="Save a plan template: `{title, items}` or `{title, from_plan}` (physiotherapists)",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = PlanTemplateInputSerializer(
            data=request.data,
            context={"exercises": selectors.prescribable_exercises(physio=request.user)},
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        plan_id = data.pop("from_plan", None)
        if plan_id is not None:
            plan = selectors.plans_for(user=request.user).filter(pk=plan_id).first()
            if plan is None:
                raise exceptions.ValidationError(
                    {
                        "from_plan": [
                            exceptions.ErrorDetail(gettext("No such plan."), code="does_not_exist")
                        ]
                    }
                )
            _audit(request, [plan.patient_id], "plans.template")
            data["from_plan"] = plan
        template = services.plan_template_create(physio=request.user, **data)
        return Response(
            PlanTemplateSerializer(self.get_queryset().get(pk=template.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class PlanTemplateDetailView(APIView):
    permission_classes = [IsPhysio]

    def _template(self, request: AuthenticatedRequest, template_id: UUID | str) -> PlanTemplate:
        return get_object_or_404(selectors.templates_for(physio=request.user), pk=template_id)

    @extend_schema(responses={200: PlanTemplateSerializer}, summary="One of your plan templates")
    def get(self, request: AuthenticatedRequest, template_id) -> Response:
        return Response(PlanTemplateSerializer(self._template(request, template_id)).data)

    @extend_schema(request=None, responses={204: None}, summary="Delete one of your templates")
    def delete(self, request: AuthenticatedRequest, template_id) -> Response:
        services.plan_template_delete(template=self._template(request, template_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

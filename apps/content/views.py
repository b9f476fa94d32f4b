from django.shortcuts import get_object_or_404
from django.utils.cache import patch_vary_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import conditional_page
from django_filters import FilterSet
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, parsers, permissions, status, viewsets
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from backend.errors import CommonError
from backend.rest import PageNumberPagination

from . import selectors, services
from .filters import ConditionFilter, ExerciseFilter, ProtocolFilter
from .models import Exercise, ExerciseMedia
from .serializers import (
    ConditionSerializer,
    ExerciseMediaSerializer,
    ExerciseSerializer,
    MediaUploadSerializer,
    OwnExerciseInputSerializer,
    ProtocolSerializer,
)
from .uploads import MediaUploadHandler

_CONDITIONAL = [
    OpenApiParameter(
        "If-None-Match",
        str,
        OpenApiParameter.HEADER,
        description="ETag of a previous response: 304 when nothing changed.",
    )
]
_NOT_MODIFIED = {304: OpenApiResponse(description="Not modified since the ETag sent.")}


def _documented(serializer, what: str):
    return extend_schema_view(
        list=extend_schema(
            summary=f"Published {what}",
            parameters=_CONDITIONAL,
            responses={200: serializer(many=True), **_NOT_MODIFIED},
        ),
        retrieve=extend_schema(
            summary=f"One published item of {what}",
            parameters=_CONDITIONAL,
            responses={200: serializer, **_NOT_MODIFIED},
        ),
    )


class ContentPagination(PageNumberPagination):
    """Pages of content; with `?updated_since=`, each page also lists under `withdrawn`
    the slugs unpublished since then, so an app that keeps content offline drops them."""

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["withdrawn"] = {
            "type": "array",
            "items": {"type": "string"},
            "description": "Only with ?updated_since=: slugs of items published before and "
            "unpublished since then. Drop them from any offline copy.",
        }
        return paginated


# ETags hash the rendered body, so any change a client can see changes the ETag.
@method_decorator(conditional_page, name="dispatch")
class ContentViewSet(viewsets.ReadOnlyModelViewSet):
    """Published content is education for anyone, signed in or not."""

    permission_classes = [permissions.AllowAny]
    # The same for everyone, so no authentication: an app holding an expired token still
    # reads content (offline sync) instead of getting a 401.
    authentication_classes = []
    pagination_class = ContentPagination
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filterset_class: type[FilterSet]  # each subclass names its own

    def list(self, request: Request, *args, **kwargs) -> Response:
        response = super().list(request, *args, **kwargs)
        # The filter set has validated the parameter already (a bad one is a 400).
        filterset = self.filterset_class(request.query_params, queryset=self.get_queryset())
        since = filterset.form.cleaned_data.get("updated_since") if filterset.is_valid() else None
        if since is not None:
            response.data["withdrawn"] = selectors.withdrawn_slugs(
                self.get_queryset().model, since=since
            )
        return response


@_documented(ConditionSerializer, "conditions")
class ConditionViewSet(ContentViewSet):
    serializer_class = ConditionSerializer
    filterset_class = ConditionFilter

    def get_queryset(self):
        return selectors.published_conditions()


@_documented(ProtocolSerializer, "home-care protocols")
class ProtocolViewSet(ContentViewSet):
    serializer_class = ProtocolSerializer
    filterset_class = ProtocolFilter

    def get_queryset(self):
        return selectors.published_protocols()


class QuietAuthentication(BaseAuthentication):
    """The API's own authentication, except that a missing, expired or bad token reads as
    anonymous instead of a 401: content stays readable offline with a stale token, and a
    valid one adds what only that user may read (own exercises)."""

    def __init__(self, inner: BaseAuthentication) -> None:
        self.inner = inner

    def authenticate(self, request):
        try:
            return self.inner.authenticate(request)
        except exceptions.AuthenticationFailed:
            return None


def _api_authenticators() -> list[BaseAuthentication]:
    # The stubs type DRF's settings as their dotted strings; here they are imported classes.
    return [auth() for auth in api_settings.DEFAULT_AUTHENTICATION_CLASSES]  # type: ignore[operator]


class CanWriteOwnExercises(permissions.BasePermission):
    message = "Only physiotherapists write exercises of their own."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("content.write_own_exercise"))


@extend_schema_view(
    list=extend_schema(
        summary="Published exercises: the library, and the exercises of their own a "
        "physiotherapist wrote for the caller",
        parameters=_CONDITIONAL,
        responses={200: ExerciseSerializer(many=True), **_NOT_MODIFIED},
    ),
    retrieve=extend_schema(
        summary="One exercise the caller may read",
        parameters=_CONDITIONAL,
        responses={200: ExerciseSerializer, **_NOT_MODIFIED},
    ),
    create=extend_schema(
        summary="Write an exercise of your own (physiotherapists)",
        request=OwnExerciseInputSerializer,
        responses={201: ExerciseSerializer},
    ),
)
class ExerciseViewSet(ContentViewSet):
    """The library reads as all content does (anyone, no credentials needed). A valid token
    adds the own exercises the caller may read: a physio's own, a patient's physio's and
    those in the patient's plans (docs/decisions/own-exercises-visibility.md)."""

    serializer_class = ExerciseSerializer
    filterset_class = ExerciseFilter

    def get_authenticators(self):
        # The schema documents the token the API takes (optional on reads: AllowAny).
        if getattr(self, "swagger_fake_view", False):
            return _api_authenticators()
        if getattr(self, "_safe_method", True):
            return [QuietAuthentication(auth) for auth in _api_authenticators()]
        return _api_authenticators()

    def initialize_request(self, request, *args, **kwargs):
        self._safe_method = request.method in permissions.SAFE_METHODS
        return super().initialize_request(request, *args, **kwargs)

    def get_permissions(self):
        if self.action == "create":
            return [permissions.IsAuthenticated(), CanWriteOwnExercises()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.exercises_for(user=self.request.user)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = OwnExerciseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        exercise = services.exercise_own_create(owner=request.user, **serializer.validated_data)
        return Response(
            ExerciseSerializer(
                self.get_queryset().get(pk=exercise.pk), context={"request": request}
            ).data,
            status=status.HTTP_201_CREATED,
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # What a list or detail holds depends on the token sent.
        patch_vary_headers(response, ["Authorization"])
        return response


# --- Pictures and videos ------------------------------------------------------------------------

MEDIA_FIELDS = {"file", "alt_text", "poster"}


def _exercise_to_change(request: Request, slug: str) -> Exercise:
    """The exercise, if the caller may read it (else 404), and change its media (else
    403): editors the library's, a physiotherapist their own."""
    exercise = get_object_or_404(selectors.exercises_for(user=request.user), slug=slug)
    if exercise.owner_id is None:
        allowed = request.user.has_perm("content.add_exercisemedia")
    else:
        allowed = exercise.owner_id == request.user.pk and request.user.has_perm(
            "content.write_own_exercise"
        )
    if not allowed:
        raise exceptions.PermissionDenied(
            _("Editors change the library's media; a physiotherapist their own exercises'.")
        )
    return exercise


class ExerciseMediaView(APIView):
    parser_classes = [parsers.MultiPartParser]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request={"multipart/form-data": MediaUploadSerializer},
        responses={
            201: ExerciseMediaSerializer,
            413: OpenApiResponse(description="Over 10 MB (a picture) or 200 MB (a video)."),
        },
        summary="Add a picture or video to an exercise (editors; a physio to their own)",
    )
    def post(self, request: Request, slug: str) -> Response:
        exercise = _exercise_to_change(request, slug)
        # Before the body is read: stream files to disk, stop at the type's limit.
        request._request.upload_handlers = [MediaUploadHandler(request._request)]
        unknown = sorted(set(request.data) - MEDIA_FIELDS)
        if unknown:
            raise exceptions.ValidationError(
                {
                    name: [
                        exceptions.ErrorDetail(
                            gettext("This field is not accepted."), code=CommonError.UNKNOWN_FIELD
                        )
                    ]
                    for name in unknown
                }
            )
        serializer = MediaUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = services.exercise_media_add(
            exercise=exercise,
            file=data["file"],
            alt_text=data["alt_text"],
            poster=data.get("poster"),
            by=request.user,
        )
        return Response(
            ExerciseMediaSerializer(item, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ExerciseMediaDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, summary="Remove a picture or video")
    def delete(self, request: Request, slug: str, media_id) -> Response:
        exercise = _exercise_to_change(request, slug)
        item = get_object_or_404(ExerciseMedia.objects.filter(exercise=exercise), pk=media_id)
        services.exercise_media_delete(media=item)
        return Response(status=status.HTTP_204_NO_CONTENT)

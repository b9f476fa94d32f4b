from django.utils.decorators import method_decorator
from django.views.decorators.http import conditional_page
from django_filters import FilterSet
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import permissions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from backend.rest import PageNumberPagination

from . import selectors
from .filters import ConditionFilter, ExerciseFilter, ProtocolFilter
from .serializers import ConditionSerializer, ExerciseSerializer, ProtocolSerializer

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


@_documented(ExerciseSerializer, "exercises")
class ExerciseViewSet(ContentViewSet):
    serializer_class = ExerciseSerializer
    filterset_class = ExerciseFilter

    def get_queryset(self):
        return selectors.published_exercises()

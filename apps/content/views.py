from django.utils.decorators import method_decorator
from django.views.decorators.http import conditional_page
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import permissions, viewsets

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


# ETags hash the rendered body, so any change a client can see changes the ETag.
@method_decorator(conditional_page, name="dispatch")
class ContentViewSet(viewsets.ReadOnlyModelViewSet):
    """Published content is education for anyone, signed in or not."""

    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"


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

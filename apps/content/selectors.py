"""Reads of published content, shaped so each list or detail costs a fixed number of
queries whatever the number of rows."""

from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from .models import (
    Condition,
    ConditionExercise,
    ConditionProtocol,
    ContentItem,
    Exercise,
    Protocol,
    ProtocolStep,
    Status,
)


def published_conditions() -> QuerySet[Condition]:
    return Condition.objects.filter(status=Status.PUBLISHED).prefetch_related(
        "regions",
        Prefetch(
            "protocol_links",
            queryset=ConditionProtocol.objects.filter(protocol__status=Status.PUBLISHED)
            .select_related("protocol")
            .order_by("position", "id"),
        ),
        Prefetch(
            "exercise_links",
            queryset=ConditionExercise.objects.filter(exercise__status=Status.PUBLISHED)
            .select_related("exercise")
            .order_by("position", "id"),
        ),
    )


def published_protocols() -> QuerySet[Protocol]:
    return Protocol.objects.filter(status=Status.PUBLISHED).prefetch_related(
        "regions",
        Prefetch("steps", queryset=ProtocolStep.objects.order_by("position", "id")),
    )


def published_exercises() -> QuerySet[Exercise]:
    return Exercise.objects.filter(status=Status.PUBLISHED).prefetch_related("regions")


def withdrawn_slugs(model: type[ContentItem], *, since: datetime) -> list[str]:
    """Slugs of items published once and unpublished again since `since`: what an app that
    synced then must drop."""
    return list(
        model.objects.filter(first_published_at__isnull=False, updated_at__gte=since)
        .exclude(status=Status.PUBLISHED)
        .order_by("slug")
        .values_list("slug", flat=True)
    )


def search_filter(fields: tuple[str, ...], text: str) -> Q:
    query = Q()
    for name in fields:
        query |= Q(**{f"{name}__icontains": text})
    return query

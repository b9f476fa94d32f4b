"""Reads of published content, shaped so each list or detail costs a fixed number of
queries whatever the number of rows."""

from django.db.models import Prefetch, Q, QuerySet

from .models import (
    Condition,
    ConditionExercise,
    ConditionProtocol,
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


def search_filter(fields: tuple[str, ...], text: str) -> Q:
    query = Q()
    for name in fields:
        query |= Q(**{f"{name}__icontains": text})
    return query

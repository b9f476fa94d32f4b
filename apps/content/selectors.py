"""Reads of published content, shaped so each list or detail costs a fixed number of
queries whatever the number of rows."""

from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet

from backend import hooks

from .models import (
    Condition,
    ConditionExercise,
    ConditionProtocol,
    ContentItem,
    Exercise,
    ExerciseMedia,
    MediaRendition,
    Protocol,
    ProtocolStep,
    RedFlagTranslation,
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
            queryset=ConditionExercise.objects.filter(
                exercise__status=Status.PUBLISHED, exercise__owner__isnull=True
            )
            .select_related("exercise")
            .order_by("position", "id"),
        ),
    )


def published_protocols() -> QuerySet[Protocol]:
    return Protocol.objects.filter(status=Status.PUBLISHED).prefetch_related(
        "regions",
        Prefetch("steps", queryset=ProtocolStep.objects.order_by("position", "id")),
    )


def media_prefetch(prefix: str = "") -> "Prefetch[Any]":
    """An exercise's pictures and videos in order, each with its renditions: two queries
    for any number of exercises."""
    return Prefetch(
        f"{prefix}media",
        queryset=ExerciseMedia.objects.order_by("position", "created_at").prefetch_related(
            Prefetch("renditions", queryset=MediaRendition.objects.order_by("width"))
        ),
    )


def published_exercises() -> QuerySet[Exercise]:
    """The library: published exercises no physiotherapist owns, readable by anyone."""
    return Exercise.objects.filter(status=Status.PUBLISHED, owner__isnull=True).prefetch_related(
        "regions", media_prefetch()
    )


def own_exercises_visible_to(user: AbstractBaseUser | AnonymousUser | None) -> Q | None:
    """Which physiotherapists' own exercises `user` may read (hooks.exercise_audience), or
    None for none."""
    if user is None or not user.is_authenticated:
        return None
    allowed: list[Q] = []
    for _, answer in hooks.exercise_audience.send(sender=Exercise, user=user):
        if isinstance(answer, Q):  # a receiver answers a Q, or None for nothing
            allowed.append(answer)
    return reduce(or_, allowed) if allowed else None


def exercises_for(*, user: AbstractBaseUser | AnonymousUser | None) -> QuerySet[Exercise]:
    """The library, plus the own exercises of physiotherapists the caller may read: their
    own (a physio) or their physio's and those in their plans (a patient). Anonymous
    callers and everyone else: the library only."""
    audience = own_exercises_visible_to(user)
    visible = Q(owner__isnull=True) if audience is None else Q(owner__isnull=True) | audience
    return Exercise.objects.filter(visible, status=Status.PUBLISHED).prefetch_related(
        "regions", media_prefetch()
    )


def withdrawn_slugs(model: type[ContentItem], *, since: datetime) -> list[str]:
    """Slugs of items published once and unpublished again since `since`: what an app that
    synced then must drop."""
    items: QuerySet[Any] = model.objects.all()
    if model is Exercise:  # only the library's: own exercises are never announced to all
        items = Exercise.objects.filter(owner__isnull=True)
    return list(
        items.filter(first_published_at__isnull=False, updated_at__gte=since)
        .exclude(status=Status.PUBLISHED)
        .order_by("slug")
        .values_list("slug", flat=True)
    )


def search_filter(fields: tuple[str, ...], text: str) -> Q:
    query = Q()
    for name in fields:
        query |= Q(**{f"{name}__icontains": text})
    return query


def red_flag_texts_reviewed(language: str) -> dict[str, tuple[str, str]]:
    """{code: (title, advice)} of the red flags whose `language` translation an editor has
    reviewed: one query, none for English (the texts are written in it). A code missing
    here is served in English."""
    if language == "en":
        return {}
    rows = RedFlagTranslation.objects.filter(
        language=language, reviewed_at__isnull=False
    ).values_list("code", "title", "advice")
    return {code: (title, advice) for code, title, advice in rows}

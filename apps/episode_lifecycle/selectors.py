"""Reads for the episodes API and the episode report, scoped to the caller.

An episode's responses (for goals and the report's outcomes) are the patient's responses
to the schedules of the episode, and their unscheduled responses completed within the
episode's window (its start to its discharge, or today).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.episodes.models import Episode, Goal
from apps.episodes.selectors import episodes_for
from apps.outcomes.models import InstrumentVersion, OutcomeResponse, OutcomeSchedule
from apps.outcomes.selectors import enabled_versions, with_instrument_name
from apps.plans.models import ExercisePlan, PlanItem

from .goals import goal_status


def episode_window(episode: Episode, now: datetime | None = None) -> tuple[date, date]:
    """First and last local day of the episode: its start to its discharge, or today."""
    zone = episode.patient.zone
    end = episode.discharged_at or now or timezone.now()
    return episode.started_on, max(episode.started_on, end.astimezone(zone).date())


def window_bounds(episode: Episode, now: datetime | None = None) -> tuple[datetime, datetime]:
    """[start, end) of the episode's window as instants in the patient's zone. A
    discharged episode's window ends at the discharge itself."""
    first, last = episode_window(episode, now)
    zone = episode.patient.zone
    start = datetime.combine(first, time.min, tzinfo=zone)
    if episode.discharged_at is not None:
        return start, max(start, episode.discharged_at)
    return start, datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)


def episodes_visible(*, user: User) -> QuerySet[Episode]:
    """The caller's episodes (patient: own; physio: linked patients'), with what the
    API shows of them fetched in a fixed number of queries."""
    return (
        episodes_for(user=user)
        .select_related("clinic")
        .prefetch_related(
            Prefetch("plans", queryset=ExercisePlan.objects.order_by("-created_at", "-id")),
            Prefetch(
                "outcome_schedules",
                queryset=with_instrument_name(
                    OutcomeSchedule.objects.order_by("-created_at", "-id")
                ),
            ),
            Prefetch("goals", queryset=Goal.objects.order_by("due_on", "created_at", "id")),
        )
    )


def episode_for(*, user: User, episode_id: UUID | str) -> Episode | None:
    """An episode the caller may see (the patient's own; a linked physio's patient's), or
    None (whether or not it exists). `report.episode_report(episode)` gives its report."""
    try:
        return episodes_visible(user=user).get(pk=episode_id)
    except (Episode.DoesNotExist, ValidationError, ValueError, TypeError):
        return None


def episode_led_by(*, physio: User, episode_id: UUID | str) -> Episode | None:
    """An episode the physio leads (its `physio`) of a patient linked to them now, or None:
    what only the lead may change (its start date)."""
    episode = episode_for(user=physio, episode_id=episode_id)
    return episode if episode is not None and episode.physio_id == physio.pk else None


# --- Responses and goals ---------------------------------------------------------------------


def episode_responses(
    episodes: Iterable[Episode], *, now: datetime | None = None
) -> dict[Any, list[OutcomeResponse]]:
    """Each episode's responses, oldest first (two queries whatever the number)."""
    episodes = list(episodes)
    if not episodes:
        return {}
    result: dict[Any, list[OutcomeResponse]] = {episode.pk: [] for episode in episodes}
    rows = (
        OutcomeResponse.objects.filter(
            Q(schedule__episode__in=[e.pk for e in episodes])
            | Q(schedule__isnull=True, patient__in={e.patient_id for e in episodes})
        )
        .select_related("version", "schedule")
        .order_by("completed_at", "created_at")
    )
    by_patient = defaultdict(list)
    for episode in episodes:
        by_patient[episode.patient_id].append((episode, window_bounds(episode, now)))
    for response in rows:
        if response.schedule is not None:
            result[response.schedule.episode_id].append(response)
            continue
        for episode, (start, end) in by_patient[response.patient_id]:
            if start <= response.completed_at < end:
                result[episode.pk].append(response)
    return result


def versions_by_code(codes: Iterable[str]) -> dict[str, InstrumentVersion]:
    return {v.instrument_id: v for v in enabled_versions().filter(instrument_id__in=set(codes))}


@dataclass(frozen=True)
class GoalRow:
    goal: Goal
    status: str
    latest: Decimal | None
    instrument_name: str = ""  # the instrument's title, as people read it


def goal_rows(
    episode: Episode,
    responses: list[OutcomeResponse],
    versions: dict[str, InstrumentVersion],
    *,
    now: datetime | None = None,
) -> list[GoalRow]:
    """Each goal of the episode with its computed status and the latest score it was
    judged on. A goal whose instrument has since been switched off is judged with the
    direction of the version its latest response used."""
    # Judged on the window's last day: today, or the discharge day once discharged.
    _, today = episode_window(episode, now)
    latest: dict[str, OutcomeResponse] = {}
    first: dict[str, OutcomeResponse] = {}
    for response in responses:
        latest[response.instrument_id] = response  # oldest first: the last one wins
        first.setdefault(response.instrument_id, response)  # the baseline
    rows = []
    for goal in episode.goals.all():
        answered = latest.get(goal.instrument)
        version = versions.get(goal.instrument) or (answered.version if answered else None)
        higher = version.higher_is_better if version is not None else True
        score = answered.score if answered else None
        rows.append(
            GoalRow(
                goal=goal,
                status=goal_status(
                    target=goal.target,
                    higher_is_better=higher,
                    latest=score,
                    due_on=goal.due_on,
                    today=today,
                    baseline=first[goal.instrument].score if answered else None,
                ).value,
                latest=score,
                instrument_name=version.title if version is not None else goal.instrument,
            )
        )
    return rows


def goals_with_status(
    episodes: Iterable[Episode], *, now: datetime | None = None
) -> dict[Any, list[GoalRow]]:
    """Goal rows for many episodes (prefetched goals) in three queries."""
    episodes = list(episodes)
    codes = {goal.instrument for episode in episodes for goal in episode.goals.all()}
    if not codes:
        return {episode.pk: [] for episode in episodes}
    responses = episode_responses([e for e in episodes if e.goals.all()], now=now)
    versions = versions_by_code(codes)
    return {
        episode.pk: goal_rows(episode, responses.get(episode.pk, []), versions, now=now)
        for episode in episodes
    }


def plans_with_items_of(episode: Episode) -> QuerySet[ExercisePlan]:
    """The episode's plans with their items, for adherence."""
    return (
        ExercisePlan.objects.filter(episode=episode)
        .select_related("patient")
        .prefetch_related(Prefetch("items", queryset=PlanItem.objects.order_by("position")))
        .order_by("created_at")
    )

"""What a patient's app shows, type by type: which records (the type's own selector,
scoped to the patient) and how each is written (the serializer of the type's own
endpoint, with the context that endpoint gives it). So a pulled object is exactly what
its endpoint serves; tests/sync compares them.

Each feed reads a batch of ids in a fixed number of queries (its selector's
select_related and prefetches), so a page costs the same however many objects it holds.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.accounts.serializers import MeSerializer
from apps.alerts.selectors import alerts_for
from apps.alerts.serializers import AlertSerializer
from apps.care.selectors import care_session_reminders, care_sessions_for
from apps.care.serializers import CareSessionSerializer
from apps.episode_lifecycle.selectors import episodes_visible, goals_with_status
from apps.episode_lifecycle.serializers import EpisodeSerializer
from apps.messaging.selectors import messages_for_patient
from apps.messaging.serializers import MessageSerializer
from apps.notifications.selectors import notifications_for, reminders_for
from apps.notifications.serializers import NotificationSerializer, ReminderSerializer
from apps.outcomes.selectors import responses_for, schedules_for
from apps.outcomes.serializers import OutcomeResponseSerializer, OutcomeScheduleSerializer
from apps.plans.selectors import exercise_logs_for, plans_for
from apps.plans.serializers import ExerciseLogSerializer, PlanSerializer
from apps.symptoms.selectors import symptom_logs_for
from apps.symptoms.serializers import SymptomLogSerializer

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Feed:
    kind: str
    records: Callable[[User], QuerySet[Any]]
    render: Callable[[Sequence[Any]], Rows]


def _many(serializer: type) -> Callable[[Sequence[Any]], Rows]:
    return lambda objects: list(serializer(objects, many=True).data)


def _episodes(episodes: Sequence[Any]) -> Rows:
    rows = goals_with_status(episodes)
    context = {"goal_rows": {row.goal.pk: row for group in rows.values() for row in group}}
    return list(EpisodeSerializer(episodes, many=True, context=context).data)


def _care_sessions(sessions: Sequence[Any]) -> Rows:
    context = {"reminders": care_session_reminders(sessions=sessions)}
    return list(CareSessionSerializer(sessions, many=True, context=context).data)


def _me(patient: User) -> QuerySet[User]:
    return User.objects.filter(pk=patient.pk)


#: In the order a first pull walks them: what the app needs first comes first.
FEEDS: tuple[Feed, ...] = (
    Feed("me", _me, _many(MeSerializer)),
    Feed("plans", lambda p: plans_for(user=p), _many(PlanSerializer)),
    Feed("episodes", lambda p: episodes_visible(user=p), _episodes),
    Feed("outcome_schedules", lambda p: schedules_for(user=p), _many(OutcomeScheduleSerializer)),
    Feed("reminders", lambda p: reminders_for(user=p), _many(ReminderSerializer)),
    Feed("alerts", lambda p: alerts_for(user=p), _many(AlertSerializer)),
    Feed("notifications", lambda p: notifications_for(user=p), _many(NotificationSerializer)),
    Feed("messages", lambda p: messages_for_patient(patient=p), _many(MessageSerializer)),
    Feed("care_sessions", lambda p: care_sessions_for(patient=p), _care_sessions),
    Feed("symptom_logs", lambda p: symptom_logs_for(patient=p), _many(SymptomLogSerializer)),
    Feed("exercise_logs", lambda p: exercise_logs_for(patient=p), _many(ExerciseLogSerializer)),
    Feed("outcome_responses", lambda p: responses_for(patient=p), _many(OutcomeResponseSerializer)),
)
BY_KIND: dict[str, Feed] = {feed.kind: feed for feed in FEEDS}
KINDS: tuple[str, ...] = tuple(BY_KIND)

"""The shapes of `sync/` for the schema: each type's objects are its endpoint's own."""

from rest_framework import serializers

from apps.accounts.serializers import MeSerializer
from apps.alerts.serializers import AlertSerializer
from apps.care.serializers import CareSessionSerializer
from apps.episode_lifecycle.serializers import EpisodeSerializer
from apps.messaging.serializers import MessageSerializer
from apps.notifications.serializers import NotificationSerializer, ReminderSerializer
from apps.outcomes.serializers import OutcomeResponseSerializer, OutcomeScheduleSerializer
from apps.plans.serializers import ExerciseLogSerializer, PlanSerializer
from apps.symptoms.serializers import SymptomLogSerializer

from .feeds import KINDS


class SyncChangesSerializer(serializers.Serializer):
    """Every type is always present (an empty list when nothing of it changed)."""

    me = MeSerializer(many=True)
    plans = PlanSerializer(many=True)
    episodes = EpisodeSerializer(many=True)
    outcome_schedules = OutcomeScheduleSerializer(many=True)
    reminders = ReminderSerializer(many=True)
    alerts = AlertSerializer(many=True)
    notifications = NotificationSerializer(many=True)
    messages = MessageSerializer(many=True)
    care_sessions = CareSessionSerializer(many=True)
    symptom_logs = SymptomLogSerializer(many=True)
    exercise_logs = ExerciseLogSerializer(many=True)
    outcome_responses = OutcomeResponseSerializer(many=True)


class TombstoneSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[(kind, kind) for kind in KINDS])
    id = serializers.UUIDField()


class SyncPullSerializer(serializers.Serializer):
    checkpoint = serializers.CharField(
        help_text="Opaque: send it as `?checkpoint=` next time. Not a time."
    )
    has_more = serializers.BooleanField(
        help_text="True: call again at once with this checkpoint for the next page."
    )
    changes = SyncChangesSerializer(
        help_text="Objects created or changed since the checkpoint, by type, each as its own "
        "endpoint serves it."
    )
    deleted = TombstoneSerializer(
        many=True,
        help_text="Objects the app should drop: deleted, archived out of view or no longer "
        "reachable. An id the app does not hold can be ignored.",
    )

"""The shapes of `sync/` for the schema: each type's objects are its endpoint's own."""

from rest_framework import serializers

from apps.accounts.serializers import MeSerializer
from apps.alerts.serializers import AlertSerializer
from apps.care.serializers import CareSessionInputSerializer, CareSessionSerializer
from apps.episode_lifecycle.serializers import EpisodeSerializer
from apps.messaging.serializers import MessageInputSerializer, MessageSerializer
from apps.notifications.serializers import NotificationSerializer, ReminderSerializer
from apps.outcomes.serializers import (
    OutcomeResponseInputSerializer,
    OutcomeResponseSerializer,
    OutcomeScheduleSerializer,
)
from apps.plans.serializers import (
    ExerciseLogInputSerializer,
    ExerciseLogSerializer,
    PlanSerializer,
)
from apps.symptoms.serializers import SymptomLogInputSerializer, SymptomLogSerializer
from backend.bulk import ItemStatus
from backend.bulk_api import BulkItemErrorSerializer
from backend.rest import StrictSerializer, StrictUUIDField

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


class SyncMessageInputSerializer(MessageInputSerializer):
    """A message written offline: it names the thread (the care-team link) it goes to."""

    care_team_link = StrictUUIDField(help_text="The care-team link whose thread it goes to.")


class SyncPushSerializer(StrictSerializer):
    """For the schema only: the view reads the lists with backend.bulk_api, each item alone."""

    symptom_logs = SymptomLogInputSerializer(many=True, required=False)
    exercise_logs = ExerciseLogInputSerializer(many=True, required=False)
    care_sessions = CareSessionInputSerializer(many=True, required=False)
    outcome_responses = OutcomeResponseInputSerializer(many=True, required=False)
    messages = SyncMessageInputSerializer(many=True, required=False)


def _item_result(name: str, record: serializers.Serializer) -> type[serializers.Serializer]:
    """The result of one pushed item: its record under `name`, or its errors."""
    fields = {
        "index": serializers.IntegerField(help_text="The item's place in its list."),
        "status": serializers.ChoiceField(choices=ItemStatus.values()),
        name: record,
        "errors": BulkItemErrorSerializer(many=True, required=False),
    }
    class_name = f"SyncPush{type(record).__name__.removesuffix('Serializer')}Result"
    return type(class_name + "Serializer", (serializers.Serializer,), fields)


# The name each type's record goes under in its results (as the bulk endpoints name it).
PUSH_RECORD_NAMES = {
    "symptom_logs": "log",
    "exercise_logs": "log",
    "care_sessions": "session",
    "outcome_responses": "response",
    "messages": "message",
}


class SyncPushResultsSerializer(serializers.Serializer):
    """Every type is always present, one result per item sent, in order."""

    symptom_logs = _item_result("log", SymptomLogSerializer(required=False))(many=True)
    exercise_logs = _item_result("log", ExerciseLogSerializer(required=False))(many=True)
    care_sessions = _item_result("session", CareSessionSerializer(required=False))(many=True)
    outcome_responses = _item_result("response", OutcomeResponseSerializer(required=False))(
        many=True
    )
    messages = _item_result("message", MessageSerializer(required=False))(many=True)


class SyncPushAnswerSerializer(serializers.Serializer):
    results = SyncPushResultsSerializer()
    checkpoint = serializers.CharField(
        help_text="Where the log stood before this push: a pull from it gives what this push "
        "stored and everything after. It does not replace the last pull's checkpoint unless "
        "that pull ended (has_more false) just before this push."
    )

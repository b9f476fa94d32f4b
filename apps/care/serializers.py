from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.notifications.models import Reminder
from backend.rest import (
    RecentDateTimeField,
    StrictChoiceField,
    StrictIntegerField,
    StrictSerializer,
    StrictUUIDField,
)

from .errors import CareError
from .models import (
    ICE_DURATION_MESSAGE,
    ICE_MAX_MINUTES,
    ICE_MIN_MINUTES,
    MAX_MINUTES,
    MIN_MINUTES,
    CareKind,
    CareSession,
)

# An offline phone syncs within a day; a session older than that has long ended and its
# reminder would be meaningless.
OLDEST_ACCEPTED = timedelta(hours=24)


class CareSessionInputSerializer(StrictSerializer):
    """What the phone sends (docs/api.md, Home care sessions); unknown fields are refused."""

    client_id = StrictUUIDField()
    kind = StrictChoiceField(choices=CareKind.choices)
    started_at = RecentDateTimeField(past=OLDEST_ACCEPTED, past_label=_("24 hours"))
    planned_minutes = StrictIntegerField(min_value=MIN_MINUTES, max_value=MAX_MINUTES)

    def validate(self, attrs):
        if attrs["kind"] == CareKind.ICE and not (
            ICE_MIN_MINUTES <= attrs["planned_minutes"] <= ICE_MAX_MINUTES
        ):
            raise serializers.ValidationError(
                {
                    "planned_minutes": serializers.ErrorDetail(
                        ICE_DURATION_MESSAGE, code=CareError.ICE_DURATION
                    )
                }
            )
        return attrs


class CareReminderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reminder
        fields = ["id", "due_at", "status"]
        read_only_fields = fields


class CareSessionSerializer(serializers.ModelSerializer):
    """A home-care session with its end-of-session reminder."""

    # Reminders come in context["reminders"] ({session id: Reminder}, one query for a whole
    # page, from selectors.care_session_reminders): they are not a relation to prefetch.

    ends_at = serializers.DateTimeField(read_only=True)
    reminder = serializers.SerializerMethodField()

    class Meta:
        model = CareSession
        fields = [
            "id",
            "client_id",
            "kind",
            "started_at",
            "planned_minutes",
            "ends_at",
            "finished_at",
            "reminder",
        ]
        read_only_fields = fields

    @extend_schema_field(CareReminderSerializer(allow_null=True))
    def get_reminder(self, session: CareSession) -> dict | None:
        reminder = self.context.get("reminders", {}).get(session.id)
        return CareReminderSerializer(reminder).data if reminder else None

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.rest import StrictBooleanField, StrictCharField, StrictChoiceField, StrictSerializer

from .devices import TOKEN_MAX_LENGTH, web_subscription
from .models import (
    Device,
    Notification,
    Platform,
    Reminder,
    ReminderKind,
    ReminderSettings,
    ReminderStatus,
)
from .texts import rendered


def _ids(title: str, description: str, **properties: dict) -> dict:
    schema = {
        "title": title,
        "description": description,
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if properties:  # OpenAPI 3.0: `required` lists at least one name, or is left out
        schema["required"] = list(properties)
    return schema


_UUID = {"type": "string", "format": "uuid"}

# One shape per kind (docs/api.md, Notifications): the ids the app opens a screen from.
NOTIFICATION_DATA_SCHEMA = {
    "oneOf": [
        _ids(
            "ReminderNotificationData",
            "kind reminder",
            reminder_id=_UUID,
            reminder_kind={"type": "string", "enum": [kind.value for kind in ReminderKind]},
        ),
        _ids(
            "AlertNotificationData",
            "kind alert (a physiotherapist's)",
            alert_id=_UUID,
            patient_id=_UUID,
            level={"type": "string", "description": "The alert's level."},
        ),
        _ids("AdviceNotificationData", "kind advice (a patient's)", alert_id=_UUID),
        _ids("MessageNotificationData", "kind message", link_id=_UUID, message_id=_UUID),
        _ids("PlanChangedNotificationData", "kind plan_changed", plan=_UUID),
        # A handover tells the patient in words only: nothing for the app to open.
        _ids("CareTeamNotificationData", "kind care_team (always empty)"),
    ]
}


@extend_schema_field(NOTIFICATION_DATA_SCHEMA)
class NotificationDataField(serializers.JSONField):
    pass


class NotificationSerializer(serializers.ModelSerializer):
    # The model's field is named `data`, like the serializer's own property.
    data = NotificationDataField(read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "data", "created_at", "read_at"]
        read_only_fields = fields

    def to_representation(self, instance: Notification) -> dict:
        # In the reader's language (the request's), which for an inbox is its owner's.
        result = super().to_representation(instance)
        result["title"] = rendered(instance.title, instance.text_params)
        result["body"] = rendered(instance.body, instance.text_params)
        return result


class ReminderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reminder
        fields = ["id", "kind", "due_at", "scheduled_for", "status", "source", "title", "sent_at"]
        read_only_fields = fields

    def to_representation(self, instance: Reminder) -> dict:
        result = super().to_representation(instance)
        result["title"] = rendered(instance.title, instance.text_params)
        return result


class ReminderSettingsSerializer(StrictSerializer):
    """PUT replaces the settings given; omitted ones keep their value."""

    checkin_time = serializers.TimeField(required=False, format="%H:%M")
    exercise_reminders = StrictBooleanField(required=False)
    checkin_reminders = StrictBooleanField(required=False)
    care_reminders = StrictBooleanField(required=False)
    questionnaire_reminders = StrictBooleanField(required=False)

    def to_representation(self, instance: ReminderSettings) -> dict:
        return {
            "checkin_time": instance.checkin_time.strftime("%H:%M")
            if hasattr(instance.checkin_time, "strftime")
            else str(instance.checkin_time)[:5],
            "exercise_reminders": instance.exercise_reminders,
            "checkin_reminders": instance.checkin_reminders,
            "care_reminders": instance.care_reminders,
            "questionnaire_reminders": instance.questionnaire_reminders,
        }


class ReminderQuerySerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=ReminderStatus.choices, required=False)


class DeviceRegisterSerializer(StrictSerializer):
    platform = StrictChoiceField(choices=Platform.choices)
    token = StrictCharField(
        max_length=TOKEN_MAX_LENGTH,
        help_text=(
            "The FCM registration token (ios, android), or the Web Push subscription's "
            "JSON (web): {endpoint, keys: {p256dh, auth}}."
        ),
    )

    def validate(self, attrs: dict) -> dict:
        if attrs["platform"] == Platform.WEB:
            try:
                attrs["token"] = web_subscription(attrs["token"])
            except DjangoValidationError as exc:
                raise serializers.ValidationError(
                    {"token": [serializers.ErrorDetail(exc.messages[0], code=exc.code)]}
                ) from None
        return attrs


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "platform", "created_at", "active"]
        read_only_fields = fields

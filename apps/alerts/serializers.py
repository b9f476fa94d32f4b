from rest_framework import serializers

from backend.rest import StrictCharField, StrictSerializer

from .models import Alert
from .services import RESOLUTION_NOTE_MAX_LENGTH


class AlertSerializer(serializers.ModelSerializer):
    log = serializers.UUIDField(
        source="symptom_log_id",
        allow_null=True,
        read_only=True,
        help_text="For a red flag, the symptom log that raised it (the same as `symptom_log`); "
        "null for other kinds.",
    )
    recorded_at = serializers.DateTimeField(
        allow_null=True,
        read_only=True,
        help_text="When the patient recorded what raised the alert: for a red flag its log's "
        "`recorded_at` (a log synced from offline is older than `created_at`); for a "
        "worsening alert the newest finding's log or response; null for missed exercises.",
    )

    codes = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="What raised it: red-flag codes for a red flag, the worsening rules that "
        "fired, or the missed-exercise code (docs/api.md, Alerts).",
    )
    details = serializers.DictField(
        read_only=True,
        help_text="The findings behind the codes, keyed by rule or finding; what each holds "
        "depends on the alert's kind (for display, not for decisions).",
    )

    class Meta:
        model = Alert
        fields = [
            "id",
            "patient",
            "kind",
            "level",
            "codes",
            "status",
            "symptom_log",
            "log",
            "details",
            "recorded_at",
            "created_at",
            "updated_at",
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolved_by",
            "resolution_note",
        ]
        read_only_fields = fields


class AlertResolveInputSerializer(StrictSerializer):
    note = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=RESOLUTION_NOTE_MAX_LENGTH,
        help_text="What was done (optional; kept on the alert and in its history).",
    )

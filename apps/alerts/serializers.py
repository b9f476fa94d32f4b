from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.closed_shapes import ClosedShape
from backend.rest import StrictCharField, StrictSerializer

from .codes import ALERT_CODE_CHOICES
from .models import Alert
from .services import RESOLUTION_NOTE_MAX_LENGTH

# --- What `details` holds, per code (docs/api.md, Alerts) ----------------------------------
# Stored JSON, served as it is: these shapes only describe it (tests/alerts/
# test_alert_schema.py holds every code's real details to them). Written by
# apps/alerts/worsening.py (the symptom and exercise rules), apps/alerts/outcomes.py
# (questionnaires) and services.missed_exercises_sweep.


class PainRisingDetailSerializer(ClosedShape):
    """`pain_rising`: mean pain of the last 3 days against the 7 days before (0–10)."""

    recent_mean = serializers.FloatField()
    baseline_mean = serializers.FloatField()
    rise = serializers.FloatField()


class NewSymptomDetailSerializer(ClosedShape):
    """`new_swelling`, `new_numbness`, `new_cannot_bear_weight`: when it was first logged."""

    first_seen = serializers.DateTimeField()


class ExercisePainItemSerializer(ClosedShape):
    """One plan item whose latest two sessions both hurt more than it allows."""

    plan_item = serializers.UUIDField()
    exercise = serializers.CharField(help_text="The exercise's name.")
    pains = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=10),
        help_text="Pain during each session of the streak, oldest first.",
    )
    max_pain = serializers.IntegerField(help_text="The item's own limit (0–10).")
    last = serializers.DateTimeField(help_text="When the newer session was done.")


class ExercisePainAboveLimitDetailSerializer(ClosedShape):
    """`exercise_pain_above_limit`: sessions in a row above the item's limit."""

    times = serializers.IntegerField()
    last = serializers.DateTimeField(help_text="The newest session of any streak.")
    items = ExercisePainItemSerializer(
        many=True,
        required=False,
        help_text="Newest streak first. Absent from alerts raised before findings named "
        "their items.",
    )


class OutcomeWorsenedDetailSerializer(ClosedShape):
    """`lefs_worsened`, `psfs_worsened`: the response whose change from the schedule's
    baseline reached the instrument's MCID in the worse direction."""

    instrument = serializers.CharField()
    version = serializers.CharField(help_text="The instrument version answered.")
    score = serializers.FloatField()
    baseline = serializers.FloatField()
    change = serializers.FloatField()
    mcid = serializers.FloatField()
    response_id = serializers.UUIDField()
    completed_at = serializers.DateTimeField()


class AlertDetailsSerializer(ClosedShape):
    """The figures behind an alert's codes, for display (never for decisions): one entry
    per worsening code, keyed by the code; `adherence_7d` for missed exercises; empty for
    a red flag (its log holds what the patient reported)."""

    pain_rising = PainRisingDetailSerializer(required=False)
    new_swelling = NewSymptomDetailSerializer(required=False)
    new_numbness = NewSymptomDetailSerializer(required=False)
    new_cannot_bear_weight = NewSymptomDetailSerializer(required=False)
    exercise_pain_above_limit = ExercisePainAboveLimitDetailSerializer(required=False)
    lefs_worsened = OutcomeWorsenedDetailSerializer(required=False)
    psfs_worsened = OutcomeWorsenedDetailSerializer(required=False)
    adherence_7d = serializers.FloatField(
        required=False,
        min_value=0,
        max_value=1,
        help_text="Missed exercises (`adherence_below_half`): the share of the last 7 days' "
        "sessions done, to two decimals.",
    )


@extend_schema_field(AlertDetailsSerializer)
class AlertDetailsField(serializers.JSONField):
    """The stored details as they are, described by AlertDetailsSerializer."""


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
        child=serializers.ChoiceField(choices=ALERT_CODE_CHOICES),
        read_only=True,
        help_text="What raised it: red-flag codes for a red flag, the worsening rules that "
        "fired, or the missed-exercise code (docs/api.md, Alerts).",
    )
    details = AlertDetailsField(read_only=True)

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

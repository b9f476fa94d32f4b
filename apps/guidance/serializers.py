from rest_framework import serializers

from apps.plans.serializers import ExerciseRefSerializer
from backend.rest import StrictChoiceField, StrictIntegerField, StrictSerializer

from .model import Reason, Suggestion


class EvidenceDaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The session's local date.")
    pain_during = serializers.IntegerField()
    sets_done = serializers.IntegerField()
    reps_done = serializers.IntegerField(allow_null=True)
    difficulty = serializers.IntegerField(allow_null=True)
    morning_before = serializers.IntegerField(
        allow_null=True, help_text="First pain logged before noon on the session's day."
    )
    next_morning = serializers.IntegerField(
        allow_null=True, help_text="First pain logged before noon on the day after."
    )


class EvidenceSerializer(serializers.Serializer):
    window_start = serializers.DateTimeField(
        help_text="Sessions after this count: 7 days back, or the last dosage change."
    )
    sessions = serializers.IntegerField()
    sessions_as_prescribed = serializers.IntegerField()
    max_pain_during = serializers.IntegerField(allow_null=True)
    item_max_pain = serializers.IntegerField()
    max_difficulty = serializers.IntegerField(allow_null=True)
    sessions_without_difficulty = serializers.IntegerField()
    mornings_compared = serializers.IntegerField()
    mornings_worse = serializers.IntegerField()
    weekly_mean_pain = serializers.FloatField(allow_null=True)
    previous_weekly_mean_pain = serializers.FloatField(allow_null=True)
    weekly_mean_change = serializers.FloatField(allow_null=True)
    open_blocking_alert = serializers.BooleanField()
    days = EvidenceDaySerializer(many=True)


class DosageSerializer(serializers.Serializer):
    sets = serializers.IntegerField()
    reps = serializers.IntegerField(allow_null=True)
    hold_seconds = serializers.IntegerField(allow_null=True)


class CurrentDosageSerializer(DosageSerializer):
    dosage_version = serializers.IntegerField(
        help_text="Send it back to apply-guidance: a changed dosage is then refused."
    )


class ItemGuidanceSerializer(serializers.Serializer):
    item = serializers.UUIDField()
    exercise = ExerciseRefSerializer()
    suggestion = serializers.ChoiceField(choices=[s.value for s in Suggestion])
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=[r.value for r in Reason]),
        help_text="Codes listed in docs/domain.md, in the order the rules check them.",
    )
    evidence = EvidenceSerializer()
    dosage = CurrentDosageSerializer()
    step = DosageSerializer(
        allow_null=True,
        help_text="The dosage one step in the suggested direction; null for hold, "
        "insufficient_data, or at a limit.",
    )


class PlanGuidanceSerializer(serializers.Serializer):
    plan = serializers.UUIDField()
    patient = serializers.UUIDField()
    items = ItemGuidanceSerializer(many=True)


class ApplyGuidanceInputSerializer(StrictSerializer):
    expected_suggestion = StrictChoiceField(
        choices=[Suggestion.PROGRESS.value, Suggestion.REDUCE.value],
        required=False,
        help_text="The suggestion the physiotherapist saw; refused (409) if it changed.",
    )
    dosage_version = StrictIntegerField(
        min_value=1,
        required=False,
        help_text="The item's dosage_version the physiotherapist saw; refused (409) if the "
        "dosage changed since.",
    )


# "from" is a Python keyword: the fields are given as a mapping.
DosageChangeSerializer = type(
    "DosageChangeSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "What a dosage change recorded: the item, why (a code), from what to what.",
        "item": serializers.UUIDField(),
        "reason": serializers.CharField(),
        "from": DosageSerializer(),
        "to": DosageSerializer(),
        "dosage_version": serializers.IntegerField(help_text="The item's, after the change."),
    },
)


class PlanEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    actor = serializers.UUIDField(source="actor_id", allow_null=True)
    at = serializers.DateTimeField()
    details = DosageChangeSerializer()


class AppliedItemSerializer(CurrentDosageSerializer):
    id = serializers.UUIDField()


class AppliedGuidanceSerializer(serializers.Serializer):
    plan = serializers.UUIDField(source="item.plan_id")
    suggestion = serializers.CharField(source="guidance.suggestion")
    item = AppliedItemSerializer()
    event = PlanEventSerializer()

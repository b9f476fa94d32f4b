from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.content.models import Condition, Status
from apps.episodes.models import Episode, EpisodeStatus, Goal
from apps.outcomes.selectors import schedule_instrument_name
from backend.rest import StrictCharField, StrictDateField, StrictSerializer, StrictUUIDField

from .goals import GoalStatus

# The largest score range of any instrument is well under this; the range check is the
# instrument's own (service).
TARGET_LIMIT = 100000


class StrictNumberField(serializers.DecimalField):
    """A JSON number (not a string, not a boolean), kept to two decimal places."""

    default_error_messages = {"invalid": "A number is required."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 8)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- Input ----------------------------------------------------------------------------------


class EpisodeInputSerializer(StrictSerializer):
    title = StrictCharField(max_length=160)
    condition = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Condition.objects.filter(status=Status.PUBLISHED),
        required=False,
        allow_null=True,
        help_text="A published condition's slug.",
    )
    started_on = StrictDateField()


class EpisodeChangeSerializer(StrictSerializer):
    started_on = StrictDateField(
        help_text="When the course of care began: not after the patient's today (a day's "
        "grace across zones), within two years, not after its first plan or schedule "
        "starts nor after a goal is due."
    )


class EpisodeQuerySerializer(StrictSerializer):
    patient = StrictUUIDField(required=False)
    status = serializers.ChoiceField(choices=EpisodeStatus.choices, required=False)


class GoalInputSerializer(StrictSerializer):
    description = StrictCharField(max_length=500)
    instrument = StrictCharField(max_length=32, help_text="An enabled instrument's code.")
    target = StrictNumberField(
        min_value=-TARGET_LIMIT,
        max_value=TARGET_LIMIT,
        help_text="A score within the instrument's range.",
    )
    due_on = StrictDateField()


class DischargeInputSerializer(StrictSerializer):
    note = StrictCharField(
        max_length=4000,
        allow_blank=True,
        help_text="The physiotherapist's note, printed on the report.",
    )


# --- Output ---------------------------------------------------------------------------------


class ConditionRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class GoalSerializer(serializers.ModelSerializer):
    target = serializers.FloatField()
    status = serializers.SerializerMethodField()
    latest = serializers.SerializerMethodField()
    instrument_name = serializers.SerializerMethodField(
        help_text="The instrument as people read it (its title), never the code."
    )

    class Meta:
        model = Goal
        fields = [
            "id",
            "description",
            "instrument",
            "instrument_name",
            "target",
            "due_on",
            "status",
            "latest",
            "created_at",
        ]
        read_only_fields = fields

    def _row(self, goal: Goal):
        return self.context["goal_rows"][goal.pk]

    @extend_schema_field(serializers.ChoiceField(choices=[s.value for s in GoalStatus]))
    def get_status(self, goal: Goal) -> str:
        return self._row(goal).status

    @extend_schema_field(serializers.CharField())
    def get_instrument_name(self, goal: Goal) -> str:
        return self._row(goal).instrument_name or goal.instrument

    @extend_schema_field(
        serializers.FloatField(
            allow_null=True, help_text="The latest score the status was judged on."
        )
    )
    def get_latest(self, goal: Goal) -> float | None:
        latest = self._row(goal).latest
        return None if latest is None else float(latest)


class EpisodePlanSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    status = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    archived_at = serializers.DateTimeField(allow_null=True)


class EpisodeScheduleSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    instrument = serializers.CharField(source="instrument_id")
    instrument_name = serializers.SerializerMethodField(
        help_text="The instrument as people read it (its title), never the code."
    )
    every_days = serializers.IntegerField()
    starts_on = serializers.DateField()
    status = serializers.SerializerMethodField()
    ended_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.ChoiceField(choices=["active", "ended"]))
    def get_status(self, schedule) -> str:
        return "active" if schedule.ended_at is None else "ended"

    @extend_schema_field(serializers.CharField())
    def get_instrument_name(self, schedule) -> str:
        return schedule_instrument_name(schedule)


class EpisodeSerializer(serializers.ModelSerializer):
    """An episode with its plans, outcome schedules and goals (each goal's status
    computed from the scores: `goal_rows` in the context)."""

    condition = ConditionRefSerializer(allow_null=True)
    plans = EpisodePlanSerializer(many=True)
    schedules = EpisodeScheduleSerializer(many=True, source="outcome_schedules")
    goals = serializers.SerializerMethodField()

    class Meta:
        model = Episode
        fields = [
            "id",
            "patient",
            "physio",
            "title",
            "condition",
            "started_on",
            "status",
            "discharged_at",
            "discharged_by",
            "note",
            "created_at",
            "plans",
            "schedules",
            "goals",
        ]
        read_only_fields = fields

    @extend_schema_field(GoalSerializer(many=True))
    def get_goals(self, episode: Episode) -> list[dict[str, Any]]:
        return GoalSerializer(episode.goals.all(), many=True, context=self.context).data  # type: ignore[return-value]  # many=True: a ReturnList, typed ReturnDict by the stubs


class DischargeSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="episode.id")
    status = serializers.CharField(source="episode.status")
    discharged_at = serializers.DateTimeField(source="episode.discharged_at")
    discharged_by = serializers.UUIDField(source="episode.discharged_by_id")
    note = serializers.CharField(source="episode.note")
    plans_archived = serializers.ListField(child=serializers.UUIDField())
    schedules_ended = serializers.ListField(child=serializers.UUIDField())
    reminders_cancelled = serializers.IntegerField(
        help_text="Reminders of the episode's plans and schedules that will not be sent."
    )

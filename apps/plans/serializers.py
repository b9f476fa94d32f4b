import re
from datetime import timedelta

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from apps.content.models import Exercise, Status
from backend.rest import (
    RecentDateTimeField,
    StrictCharField,
    StrictDateField,
    StrictIntegerField,
    StrictSerializer,
    StrictUUIDField,
)

from .errors import PlanError
from .models import (
    PRESCRIPTION_FIELDS,
    TEMPLATE_ITEM_FIELDS,
    ExerciseLog,
    ExercisePlan,
    PlanItem,
    PlanTemplate,
    PlanTemplateItem,
)

TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
OLDEST_ACCEPTED = timedelta(days=730)


class ReminderTimeField(serializers.CharField):
    default_error_messages = {"invalid_time": 'Use a 24-hour time "HH:MM", such as "08:30".'}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not TIME_PATTERN.match(data):
            self.fail("invalid_time")
        return data


class DaysOfWeekField(serializers.ListField):
    child = StrictIntegerField(min_value=0, max_value=6)

    def __init__(self, **kwargs):
        kwargs.setdefault("min_length", 1)
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("help_text", "0 = Monday … 6 = Sunday.")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        days = super().to_internal_value(data)
        if len(set(days)) != len(days):
            raise serializers.ValidationError(
                _("Each day may appear once."), code=PlanError.DUPLICATE
            )
        return days


class PlanItemInputSerializer(StrictSerializer):
    exercise = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Exercise.objects.filter(status=Status.PUBLISHED, owner__isnull=True),
        help_text="Slug of a published exercise of the library or of your own.",
    )

    def get_fields(self):
        fields = super().get_fields()
        # The view passes what this physio may prescribe (plans.selectors).
        exercises = self.context.get("exercises")
        field = fields["exercise"]
        if exercises is not None and isinstance(field, serializers.SlugRelatedField):
            # The stubs type RelatedField.queryset as a manager's descriptor, not settable.
            field.queryset = exercises  # type: ignore[arg-type]
        return fields

    sets = StrictIntegerField(min_value=1, max_value=20)
    reps = StrictIntegerField(min_value=1, max_value=100, required=False, allow_null=True)
    hold_seconds = StrictIntegerField(
        min_value=0,
        max_value=600,
        required=False,
        allow_null=True,
        help_text="Seconds to hold each rep; 0 or null for no hold.",
    )
    times_per_day = StrictIntegerField(min_value=1, max_value=6, required=False, default=1)
    days_of_week = DaysOfWeekField()
    max_pain = StrictIntegerField(min_value=0, max_value=10)
    notes = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class PlanInputSerializer(StrictSerializer):
    patient = StrictUUIDField()
    episode = StrictUUIDField(
        required=False,
        allow_null=True,
        help_text="The episode of care to join; default: your active episode with the patient, "
        "opened if there is none.",
    )
    template = StrictUUIDField(
        required=False,
        help_text="One of your plan templates: its title and items are copied; `title` and "
        "`items` given here win.",
    )
    title = StrictCharField(max_length=160, required=False)
    start_date = StrictDateField()
    end_date = StrictDateField()
    reminder_times = serializers.ListField(
        child=ReminderTimeField(), max_length=6, required=False, default=list
    )
    items = PlanItemInputSerializer(many=True, max_length=30, required=False)  # type: ignore[call-arg]  # DRF's ListSerializer takes max_length; the stubs lack it

    def validate_items(self, items):
        if not items:
            raise serializers.ValidationError(
                _("A plan needs at least one exercise."), code=PlanError.EMPTY
            )
        return items

    def validate(self, data):
        if not self.partial and "template" not in data:
            missing = [name for name in ("title", "items") if name not in data]
            if missing:
                raise serializers.ValidationError(
                    {
                        name: [
                            serializers.ErrorDetail(
                                gettext("This field is required."), code="required"
                            )
                        ]
                        for name in missing
                    }
                )
        return data


class PlanUpdateSerializer(PlanInputSerializer):
    """PATCH: any field but the patient, the episode and a template."""

    def get_fields(self):
        fields = super().get_fields()
        del fields["patient"]
        del fields["episode"]
        del fields["template"]
        return fields


class ExerciseRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class PlanItemSerializer(serializers.ModelSerializer):
    exercise = ExerciseRefSerializer()
    days_of_week = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        read_only=True,
        help_text="0 = Monday … 6 = Sunday.",
    )

    class Meta:
        model = PlanItem
        fields = ["id", "exercise", *PRESCRIPTION_FIELDS]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()
    reminder_times = serializers.ListField(
        child=serializers.RegexField(TIME_PATTERN.pattern),
        read_only=True,
        help_text='Local times of day in the patient\'s zone, "HH:MM".',
    )

    class Meta:
        model = ExercisePlan
        fields = [
            "id",
            "patient",
            "physio",
            "episode",
            "title",
            "start_date",
            "end_date",
            "reminder_times",
            "status",
            "items",
            "created_at",
            "updated_at",
            "archived_at",
            "paused_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "paused_at": {
                "help_text": "When a physiotherapist paused the plan (no reminders; the "
                "patient sees it paused); null while it runs."
            }
        }

    @extend_schema_field(PlanItemSerializer(many=True))
    def get_items(self, plan: ExercisePlan) -> list[dict]:
        current = [item for item in plan.items.all() if item.retired_at is None]
        return PlanItemSerializer(current, many=True).data  # type: ignore[return-value]  # many=True: a ReturnList, typed ReturnDict by the stubs


class ExerciseLogInputSerializer(StrictSerializer):
    client_id = StrictUUIDField()
    plan_item = StrictUUIDField()
    performed_at = RecentDateTimeField(past=OLDEST_ACCEPTED, past_label=_("two years"))
    sets_done = StrictIntegerField(min_value=0, max_value=20)
    reps_done = StrictIntegerField(min_value=0, max_value=200, required=False, allow_null=True)
    pain_during = StrictIntegerField(min_value=0, max_value=10)
    difficulty = StrictIntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    note = StrictCharField(max_length=1000, required=False, allow_blank=True, default="")


class ExerciseLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExerciseLog
        fields = [
            "id",
            "client_id",
            "plan_item",
            "performed_at",
            "sets_done",
            "reps_done",
            "pain_during",
            "difficulty",
            "note",
            "pain_above_limit",
            "created_at",
        ]
        read_only_fields = fields


class TodayItemSerializer(serializers.Serializer):
    plan_item = serializers.UUIDField()
    exercise = ExerciseRefSerializer()
    sets = serializers.IntegerField()
    reps = serializers.IntegerField(allow_null=True)
    hold_seconds = serializers.IntegerField(allow_null=True)
    times_per_day = serializers.IntegerField()
    max_pain = serializers.IntegerField()
    notes = serializers.CharField()
    done = serializers.IntegerField()
    remaining = serializers.IntegerField()


class TodayPlanSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    paused = serializers.BooleanField(
        help_text="A physiotherapist paused the plan: no exercises are listed until resumed."
    )


class TodaySerializer(serializers.Serializer):
    date = serializers.DateField()
    timezone = serializers.CharField()
    plan = TodayPlanSerializer(allow_null=True, help_text="The active plan in force today.")
    items = TodayItemSerializer(many=True)


class AdherenceQuerySerializer(StrictSerializer):
    # "from" is a Python keyword: the view maps the query parameter onto date_from.
    date_from = StrictDateField(required=False)
    date_to = StrictDateField(required=False)


class AdherenceDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    expected = serializers.IntegerField()
    done = serializers.IntegerField()
    ratio = serializers.FloatField(allow_null=True)


AdherenceSerializer = inline_serializer(
    "Adherence",
    fields={
        "plan": serializers.UUIDField(),
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "days": AdherenceDaySerializer(many=True),
        "expected": serializers.IntegerField(),
        "done": serializers.IntegerField(),
        "ratio": serializers.FloatField(allow_null=True),
    },
)


# --- Plan templates --------------------------------------------------------------------------


class PlanTemplateInputSerializer(StrictSerializer):
    title = StrictCharField(max_length=160)
    items = PlanItemInputSerializer(many=True, max_length=30, required=False)  # type: ignore[call-arg]  # DRF's ListSerializer takes max_length; the stubs lack it
    from_plan = StrictUUIDField(
        required=False, help_text="A plan you may read: its current exercises and dosages."
    )

    def validate(self, data):
        if ("items" in data) == ("from_plan" in data):
            raise serializers.ValidationError(
                {
                    "items": [
                        serializers.ErrorDetail(
                            gettext("Give either items or from_plan."), code=PlanError.ITEMS_OR_PLAN
                        )
                    ]
                }
            )
        return data


class PlanTemplateItemSerializer(serializers.ModelSerializer):
    exercise = ExerciseRefSerializer()
    days_of_week = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        read_only=True,
        help_text="0 = Monday … 6 = Sunday.",
    )

    class Meta:
        model = PlanTemplateItem
        fields = ["exercise", *TEMPLATE_ITEM_FIELDS]
        read_only_fields = fields


class PlanTemplateSerializer(serializers.ModelSerializer):
    items = PlanTemplateItemSerializer(many=True, read_only=True)

    class Meta:
        model = PlanTemplate
        fields = ["id", "title", "items", "created_at", "updated_at"]
        read_only_fields = fields

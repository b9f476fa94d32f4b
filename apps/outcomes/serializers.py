from datetime import timedelta
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.bulk import ItemStatus
from backend.bulk_api import BulkItemErrorSerializer
from backend.rest import (
    AwareDateTimeField,
    StrictCharField,
    StrictDateField,
    StrictIntegerField,
    StrictSerializer,
    StrictUUIDField,
)

from .models import (
    InstrumentVersion,
    OutcomeResponse,
    OutcomeSchedule,
    ScheduleEndReason,
    ScheduleStatus,
)
from .selectors import schedule_instrument_name

FUTURE_TOLERANCE = timedelta(minutes=5)
OLDEST_ACCEPTED = timedelta(days=730)
# More than any instrument has (LEFS: 20; KOOS: 42): a bigger list is refused unread.
MAX_ANSWERS = 100
ACTIVITY_MAX_LENGTH = 120


# --- Instruments --------------------------------------------------------------------------


class InstrumentOptionSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field; the stubs see Field's own attribute


class InstrumentItemSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()
    answers = InstrumentOptionSerializer(many=True)


class InstrumentScoreSerializer(serializers.Serializer):
    method = serializers.CharField()
    min = serializers.FloatField()
    max = serializers.FloatField()
    higher_is_better = serializers.BooleanField()
    mcid = serializers.FloatField(help_text="Smallest change that matters, in points.")
    mcid_percent = serializers.FloatField(
        allow_null=True,
        help_text="Or this percentage of the baseline, whichever is reached first (pain_week).",
    )


def _translation(version: InstrumentVersion) -> dict[str, Any]:
    return version.translation_for(translation.get_language() or "en") or {}


class InstrumentSerializer(serializers.ModelSerializer):
    """An instrument's enabled version, as the phone shows it (docs/api.md)."""

    code = serializers.CharField(source="instrument_id")
    url = serializers.CharField(source="instrument.url", help_text="Canonical URL.")
    items = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()

    class Meta:
        model = InstrumentVersion
        fields = [
            "code",
            "version",
            "url",
            "title",
            "question",
            "items",
            "named_by_patient",
            "min_items",
            "max_items",
            "score",
            "source",
            "licence",
        ]
        read_only_fields = fields

    # In the reader's language only where a validated translation of this version is stored
    # (InstrumentVersion.translations); otherwise as published, in English.
    def to_representation(self, instance: InstrumentVersion) -> dict[str, Any]:
        data = super().to_representation(instance)
        translated = _translation(instance)
        if translated:
            data["title"] = translated["title"]
            data["question"] = translated.get("question", "")
        return data

    @extend_schema_field(InstrumentItemSerializer(many=True))
    def get_items(self, version: InstrumentVersion) -> list[dict[str, Any]]:
        translated = _translation(version)
        texts = translated.get("items", {})
        labels = translated.get("answers", {})
        return [
            {
                "id": item.id,
                "text": texts.get(item.id, item.text),
                "answers": [
                    {"value": o.value, "label": labels.get(str(o.value), o.label)}
                    for o in item.options
                ],
            }
            for item in version.definition().items
        ]

    @extend_schema_field(InstrumentScoreSerializer)
    def get_score(self, version: InstrumentVersion) -> dict[str, Any]:
        return {
            "method": version.method,
            "min": float(version.score_min),
            "max": float(version.score_max),
            "higher_is_better": version.higher_is_better,
            "mcid": float(version.mcid),
            "mcid_percent": None if version.mcid_percent is None else float(version.mcid_percent),
        }


# --- Schedules ----------------------------------------------------------------------------


class OutcomeScheduleInputSerializer(StrictSerializer):
    instrument = StrictCharField(max_length=32)
    every_days = StrictIntegerField(min_value=1, max_value=365)
    starts_on = StrictDateField()
    episode = StrictUUIDField(
        required=False,
        allow_null=True,
        help_text="The episode of care to join; default: your active episode with the patient, "
        "opened if there is none.",
    )


class OutcomeScheduleSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="instrument_id")
    instrument_name = serializers.SerializerMethodField(
        help_text="The instrument as people read it (its title), never the code."
    )
    status = serializers.SerializerMethodField()
    end_reason = serializers.SerializerMethodField()

    class Meta:
        model = OutcomeSchedule
        fields = [
            "id",
            "patient",
            "physio",
            "episode",
            "instrument",
            "instrument_name",
            "every_days",
            "starts_on",
            "status",
            "created_at",
            "ended_at",
            "end_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_instrument_name(self, schedule: OutcomeSchedule) -> str:
        return schedule_instrument_name(schedule)

    @extend_schema_field(serializers.ChoiceField(choices=ScheduleStatus.choices))
    def get_status(self, schedule: OutcomeSchedule) -> str:
        return ScheduleStatus.ACTIVE if schedule.is_active else ScheduleStatus.ENDED

    # null while the schedule runs (the column stores "" then; the schema says null).
    @extend_schema_field(
        serializers.ChoiceField(choices=ScheduleEndReason.choices, allow_null=True)
    )
    def get_end_reason(self, schedule: OutcomeSchedule) -> str | None:
        return schedule.end_reason or None


class OutcomeScheduleQuerySerializer(StrictSerializer):
    patient = StrictUUIDField(required=False)
    status = serializers.ChoiceField(choices=ScheduleStatus.choices, required=False)


# --- Responses ----------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class ItemIdField(serializers.Field):
    """An item's id as the instrument lists it ("1", "average"); a JSON integer is read as
    its decimal text (item 3 is "3"). Anything else is refused."""

    default_error_messages = {"invalid": "An item id (a string) is required."}

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        text = str(data).strip()
        if not text or len(text) > 32:
            self.fail("invalid")
        return text

    def to_representation(self, value: Any) -> str:
        return str(value)


class OutcomeAnswerInputSerializer(StrictSerializer):
    item = ItemIdField()
    value = StrictIntegerField()
    label = StrictCharField(  # type: ignore[assignment]  # a declared field; the stubs see Field's own attribute
        max_length=ACTIVITY_MAX_LENGTH,
        required=False,
        help_text="The activity, for instruments whose items the patient names (PSFS).",
    )


class OutcomeResponseInputSerializer(StrictSerializer):
    """What the phone sends (docs/api.md, Outcome measures); unknown fields are refused."""

    client_id = StrictUUIDField()
    instrument = StrictCharField(max_length=32)
    version = StrictCharField(
        max_length=16, required=False, help_text="When sent, must be the enabled version."
    )
    answers = OutcomeAnswerInputSerializer(many=True, allow_empty=False, max_length=MAX_ANSWERS)  # type: ignore[call-arg]  # DRF's ListSerializer takes max_length; the stubs lack it
    completed_at = AwareDateTimeField()

    def validate_completed_at(self, value):
        now = timezone.now()
        if value > now + FUTURE_TOLERANCE:
            raise serializers.ValidationError(
                _("Cannot be more than 5 minutes in the future."), code="in_future"
            )
        if value < now - OLDEST_ACCEPTED:
            raise serializers.ValidationError(_("Is more than two years ago."), code="too_old")
        return value


class OutcomeAnswerSerializer(serializers.Serializer):
    item = serializers.CharField()
    value = serializers.IntegerField()
    label = serializers.CharField(required=False)  # type: ignore[assignment]  # a declared field; the stubs see Field's own attribute


class OutcomeResponseSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="instrument_id")
    version = serializers.CharField(source="version.version")
    answers = OutcomeAnswerSerializer(many=True)
    score = serializers.FloatField()
    baseline_score = serializers.FloatField(
        allow_null=True, help_text="The schedule's first response; null for that response."
    )
    change = serializers.FloatField(allow_null=True)
    mcid = serializers.FloatField(source="version.mcid")
    mcid_percent = serializers.FloatField(source="version.mcid_percent", allow_null=True)
    responder = serializers.SerializerMethodField()
    is_baseline = serializers.BooleanField()

    class Meta:
        model = OutcomeResponse
        fields = [
            "id",
            "client_id",
            "instrument",
            "version",
            "schedule",
            "answers",
            "score",
            "baseline_score",
            "change",
            "mcid",
            "mcid_percent",
            "responder",
            "is_baseline",
            "completed_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ChoiceField(choices=["improved", "no_change", "worsened"], allow_null=True)
    )
    def get_responder(self, response: OutcomeResponse) -> str | None:
        return response.responder or None


class OutcomeBulkItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ItemStatus.values())
    response = OutcomeResponseSerializer(required=False)
    errors = BulkItemErrorSerializer(many=True, required=False)  # type: ignore[assignment]  # a declared field; the stubs see Field's own attribute


class OutcomeBulkResultSerializer(serializers.Serializer):
    results = OutcomeBulkItemResultSerializer(many=True)


class DueQuestionnaireSerializer(serializers.Serializer):
    instrument = InstrumentSerializer(source="version")
    schedule = OutcomeScheduleSerializer()
    due_since = serializers.DateField(help_text="The day this occurrence became due.")
    next_due_on = serializers.DateField()


class OutcomeSeriesPointSerializer(serializers.Serializer):
    completed_at = serializers.DateTimeField()
    score = serializers.FloatField()


class InstrumentOutcomeSummarySerializer(serializers.Serializer):
    """Per instrument: baseline, latest, change, MCID, responder (the patient summary)."""

    instrument = serializers.CharField()
    version = serializers.CharField()
    title = serializers.CharField()
    higher_is_better = serializers.BooleanField()
    baseline = serializers.FloatField()
    latest = serializers.FloatField()
    latest_at = serializers.DateTimeField()
    change = serializers.FloatField(allow_null=True)
    mcid = serializers.FloatField()
    mcid_percent = serializers.FloatField(allow_null=True)
    responder = serializers.ChoiceField(
        choices=["improved", "no_change", "worsened"], allow_null=True
    )


class InstrumentOutcomeSerializer(InstrumentOutcomeSummarySerializer):
    """The same with every score, oldest first (`patients/{id}/outcomes/`)."""

    series = OutcomeSeriesPointSerializer(many=True)

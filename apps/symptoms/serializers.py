from datetime import timedelta
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.content.selectors import red_flag_texts_reviewed
from apps.content.serializers import CodeLabelSerializer
from apps.content.vocabulary import DISCLAIMER, Region, Side, Source
from backend.bulk import ItemStatus
from backend.bulk_api import BulkItemErrorSerializer
from backend.rest import (
    AwareDateTimeField,
    RecentDateTimeField,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
    StrictSerializer,
    StrictUUIDField,
)

from . import triage as rules
from .errors import LogError
from .models import NOTE_MAX_LENGTH, SymptomLog
from .vocabulary import Quality, Swelling, Trigger

# An offline phone may hold logs for a long time; older than two years is a clock error.
OLDEST_ACCEPTED = timedelta(days=730)
BOOLEAN_FIELDS = (
    "redness",
    "warmth",
    "tenderness",
    "fever",
    "numbness_tingling",
    "weakness",
    "neuro_worsening",
    "can_bear_weight",
    "sleep_disturbed",
    "daily_activities_limited",
    "knee_locking",
    "recent_knee_injury",
    "sudden_onset",
    "saddle_numbness",
    "bladder_bowel_change",
)


def _code_list(choices, max_length: int) -> serializers.ListField:
    return serializers.ListField(
        child=StrictChoiceField(choices=choices),
        max_length=max_length,
        required=False,
        default=list,
    )


class SymptomLogInputSerializer(StrictSerializer):
    """What the phone sends (docs/api.md, Symptom logs); unknown fields are refused."""

    client_id = StrictUUIDField()
    recorded_at = RecentDateTimeField(past=OLDEST_ACCEPTED, past_label=_("two years"))
    pain_score = StrictIntegerField(min_value=0, max_value=10)
    side = StrictChoiceField(choices=Side.choices, required=False, allow_blank=True, default="")
    locations = _code_list(Region.choices, len(Region))
    qualities = _code_list(Quality.choices, len(Quality))
    swelling = StrictChoiceField(choices=Swelling.choices, required=False, default=Swelling.NONE)
    triggers = _code_list(Trigger.choices, len(Trigger))
    note = StrictCharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")

    def get_fields(self):
        fields = super().get_fields()
        for name in BOOLEAN_FIELDS:
            fields[name] = StrictBooleanField(required=False, default=name == "can_bear_weight")
        return fields

    def validate(self, attrs):
        for name in ("locations", "qualities", "triggers"):
            if len(set(attrs[name])) != len(attrs[name]):
                raise serializers.ValidationError(
                    {name: "Each value may appear once."}, code=LogError.DUPLICATE
                )
        if attrs["pain_score"] > 0 and not attrs["locations"]:
            raise serializers.ValidationError(
                {
                    "locations": serializers.ErrorDetail(
                        gettext("Say where it hurts."), code=LogError.LOCATION_REQUIRED
                    )
                }
            )
        return attrs


class TriageFlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    advice = serializers.CharField()
    source = CodeLabelSerializer()  # type: ignore[assignment]  # a declared field; the stubs see Field's own attribute


class TriageSerializer(serializers.Serializer):
    level = serializers.CharField()
    flags = TriageFlagSerializer(many=True)
    disclaimer = serializers.CharField()


class TranslatedCharField(serializers.CharField):
    """A fixed English text, stored as it was, served in the reader's language (gettext:
    the catalogue's translation where there is one, else the English)."""

    def to_representation(self, value: str) -> str:
        return gettext(super().to_representation(value))


class HintSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = TranslatedCharField()
    matched = serializers.ListField(child=serializers.CharField())


def triage_payload(
    level: str, codes: list[str], reviewed: dict[str, tuple[str, str]] | None = None
) -> dict:
    """The stored triage as served: level and codes as stored, each flag's title and advice
    in the reviewed translation of the active language where there is one (`reviewed`, from
    `red_flag_texts_reviewed`), else in English. Never softened: only the words change."""
    payload = {**_triage_payload(level, tuple(codes)), "disclaimer": gettext(DISCLAIMER)}
    if not reviewed or not any(code in reviewed for code in codes):
        return payload
    flags = []
    for flag in payload["flags"]:
        if flag["code"] in reviewed:
            title, advice = reviewed[flag["code"]]
            flag = {**flag, "title": title, "advice": advice}
        flags.append(flag)
    return {**payload, "flags": flags}


@lru_cache(maxsize=256)
def _triage_payload(level: str, codes: tuple[str, ...]) -> dict:
    # The flags' texts are fixed data: a (level, codes) pair always renders the same,
    # and a sync of 500 logs has a handful of distinct ones. Callers only read the dict.
    flags = []
    for code in codes:
        flag = rules.flag_for(code)
        flags.append(
            {
                "code": flag.code,
                "title": flag.title,
                "advice": flag.advice,
                "source": {"code": flag.source, "title": Source(flag.source).label},
            }
        )
    return {"level": level, "flags": flags, "disclaimer": DISCLAIMER}


class SymptomLogSerializer(serializers.ModelSerializer):
    # "" when the phone named no side (the schema says so: SideEnum or BlankEnum).
    side = serializers.ChoiceField(choices=Side.choices, allow_blank=True, read_only=True)
    # Typed for the schema (the model stores JSON lists of these codes).
    locations = serializers.ListField(
        child=serializers.ChoiceField(choices=Region.choices), read_only=True
    )
    qualities = serializers.ListField(
        child=serializers.ChoiceField(choices=Quality.choices), read_only=True
    )
    triggers = serializers.ListField(
        child=serializers.ChoiceField(choices=Trigger.choices), read_only=True
    )
    triage = serializers.SerializerMethodField()
    hints = HintSerializer(many=True, read_only=True)

    class Meta:
        model = SymptomLog
        fields = [
            "id",
            "client_id",
            "recorded_at",
            "pain_score",
            "side",
            "locations",
            "qualities",
            "swelling",
            *BOOLEAN_FIELDS,
            "triggers",
            "note",
            "created_at",
            "triage",
            "hints",
        ]
        read_only_fields = fields

    @extend_schema_field(TriageSerializer)
    def get_triage(self, log: SymptomLog) -> dict:
        return triage_payload(log.triage_level, log.triage_codes, self._red_flag_texts())

    def _red_flag_texts(self) -> dict[str, tuple[str, str]]:
        """The reviewed translations, read once per answer (no query for English). Kept
        on the outermost serializer only when it was made for this answer's rows: a
        module-level serializer (no instance) lives across requests, and a review taken
        back must count at the next request."""
        language = translation.get_language() or "en"
        root = self.root
        if root.instance is None:
            return red_flag_texts_reviewed(language)
        memo = root.__dict__.setdefault("_red_flag_texts", {})
        if language not in memo:
            memo[language] = red_flag_texts_reviewed(language)
        return memo[language]


_OUTPUT_TIMES = serializers.DateTimeField()


def log_representations(logs: list[SymptomLog]) -> list[dict]:
    """SymptomLogSerializer's representation of each log, key for key and value for value,
    built straight from the stored fields: a bulk sync renders up to 500 logs, and DRF's
    per-field walk cost about as much as the rest of the answer
    (tests/symptoms/test_log_representation.py holds the two equal)."""
    times = _OUTPUT_TIMES.to_representation
    # As the serializer: reviewed red-flag texts read once, hints in the reader's language.
    reviewed = red_flag_texts_reviewed(translation.get_language() or "en")
    return [
        {
            "id": str(log.id),
            "client_id": str(log.client_id),
            "recorded_at": times(log.recorded_at),
            "pain_score": int(log.pain_score),
            "side": log.side,
            "locations": list(log.locations),
            "qualities": list(log.qualities),
            "swelling": log.swelling,
            **{name: bool(getattr(log, name)) for name in BOOLEAN_FIELDS},
            "triggers": list(log.triggers),
            "note": str(log.note),
            "created_at": times(log.created_at),
            "triage": triage_payload(log.triage_level, log.triage_codes, reviewed),
            "hints": [
                {
                    "code": str(hint["code"]),
                    "message": gettext(str(hint["message"])),
                    "matched": [str(code) for code in hint["matched"]],
                }
                for hint in log.hints
            ],
        }
        for log in logs
    ]


class BulkItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ItemStatus.values())
    log = SymptomLogSerializer(required=False)
    errors = BulkItemErrorSerializer(many=True, required=False)  # type: ignore[assignment]  # a declared field; the stubs see Field's own attribute


class BulkResponseSerializer(serializers.Serializer):
    results = BulkItemResultSerializer(many=True)


class TrendDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    mean_pain = serializers.FloatField(allow_null=True)
    max_pain = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField()


class TrendQuerySerializer(StrictSerializer):
    days = StrictIntegerField(min_value=1, max_value=365, required=False, default=30)

    def to_internal_value(self, data):
        # Query strings are text: accept digits only, then check as a JSON integer would.
        raw = data.get("days")
        if raw is not None and isinstance(raw, str) and raw.strip().isdigit():
            data = {**data, "days": int(raw)}
        return super().to_internal_value(data)


class LogRangeSerializer(StrictSerializer):
    since = AwareDateTimeField(required=False)
    until = AwareDateTimeField(required=False)

    def validate(self, attrs):
        if "since" in attrs and "until" in attrs and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"until": "Must not be before since."})
        return attrs

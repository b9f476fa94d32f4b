from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Condition, Exercise, Protocol, ProtocolStep, split_lines
from .vocabulary import DISCLAIMER, CareActivity, Mechanism, RedFlagCode, Source


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class LinesField(serializers.Field):
    """A text field edited one item per line, served as a list of strings."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> list[str]:
        return split_lines(value)


class CodeLabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()


def _source(code: str) -> dict[str, str]:
    return {"code": code, "title": Source(code).label}


def _labelled(codes: list[str], choices) -> list[dict[str, str]]:
    return [{"code": code, "title": choices(code).label} for code in codes]


@extend_schema_field(CodeLabelSerializer)
class SourceField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> dict[str, str]:
        return _source(value)


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class RegionCodesField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance.regions.all()

    def to_representation(self, value) -> list[str]:
        return sorted(region.code for region in value)


class ProtocolStepSerializer(serializers.ModelSerializer):
    cautions = LinesField()
    session_kind = serializers.SerializerMethodField(
        help_text="The care-session kind (POST care-sessions/) this step starts, or null "
        "for information only."
    )

    class Meta:
        model = ProtocolStep
        fields = [
            "position",
            "kind",
            "session_kind",
            "title",
            "instructions",
            "min_minutes",
            "max_minutes",
            "times_per_day",
            "cautions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=CareActivity.choices, allow_null=True))
    def get_session_kind(self, step: ProtocolStep) -> str | None:
        return step.kind if step.kind in CareActivity.values else None


class ProtocolSerializer(serializers.ModelSerializer):
    regions = RegionCodesField()
    source = SourceField()  # type: ignore[assignment]  # a declared field; the stubs see Field's own attribute
    steps = ProtocolStepSerializer(many=True, read_only=True)

    class Meta:
        model = Protocol
        fields = ["slug", "title", "summary", "regions", "steps", "source", "updated_at"]
        read_only_fields = fields


class ExerciseSerializer(serializers.ModelSerializer):
    regions = RegionCodesField()
    source = SourceField()  # type: ignore[assignment]  # a declared field; the stubs see Field's own attribute
    instructions = LinesField()
    cautions = LinesField()

    media_url = serializers.SerializerMethodField(
        help_text="A video or picture of the exercise, or null when there is none."
    )

    class Meta:
        model = Exercise
        fields = [
            "slug",
            "name",
            "summary",
            "instructions",
            "target_area",
            "regions",
            "default_sets",
            "default_reps",
            "default_hold_seconds",
            "cautions",
            "media_url",
            "source",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_media_url(self, exercise: Exercise) -> str | None:
        return exercise.media_url or None


class LinkedProtocolSerializer(serializers.Serializer):
    slug = serializers.CharField(source="protocol.slug")
    title = serializers.CharField(source="protocol.title")


class LinkedExerciseSerializer(serializers.Serializer):
    slug = serializers.CharField(source="exercise.slug")
    name = serializers.CharField(source="exercise.name")
    target_area = serializers.CharField(source="exercise.target_area")


class ConditionSerializer(serializers.ModelSerializer):
    other_names = LinesField()
    regions = RegionCodesField()
    mechanisms = serializers.SerializerMethodField()
    typical_symptoms = LinesField()
    clinician_workup = LinesField()
    treatment_outline = LinesField()
    when_to_seek_care = LinesField()
    red_flags = serializers.SerializerMethodField()
    protocols = LinkedProtocolSerializer(source="protocol_links", many=True, read_only=True)
    exercises = LinkedExerciseSerializer(source="exercise_links", many=True, read_only=True)
    source = SourceField()  # type: ignore[assignment]  # a declared field; the stubs see Field's own attribute
    disclaimer = serializers.SerializerMethodField()

    class Meta:
        model = Condition
        fields = [
            "slug",
            "name",
            "other_names",
            "kind",
            "regions",
            "summary",
            "mechanisms",
            "how_it_links",
            "typical_symptoms",
            "clinician_workup",
            "treatment_outline",
            "when_to_seek_care",
            "red_flags",
            "protocols",
            "exercises",
            "source",
            "updated_at",
            "disclaimer",
        ]
        read_only_fields = fields

    @extend_schema_field(CodeLabelSerializer(many=True))
    def get_mechanisms(self, condition: Condition) -> list[dict[str, str]]:
        return _labelled(condition.mechanisms, Mechanism)

    @extend_schema_field(CodeLabelSerializer(many=True))
    def get_red_flags(self, condition: Condition) -> list[dict[str, str]]:
        return _labelled(condition.red_flag_codes, RedFlagCode)

    @extend_schema_field(OpenApiTypes.STR)
    def get_disclaimer(self, condition: Condition) -> str:
        return DISCLAIMER

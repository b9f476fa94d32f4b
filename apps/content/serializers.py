from collections.abc import Mapping
from typing import Any

from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.rest import StrictCharField, StrictChoiceField, StrictIntegerField, StrictSerializer

from .models import (
    Condition,
    Exercise,
    ExerciseMedia,
    MediaRendition,
    Protocol,
    ProtocolStep,
    TargetArea,
    reviewed_text_served,
    split_lines,
)
from .vocabulary import DISCLAIMER, CareActivity, Mechanism, RedFlagCode, Source


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class LinesField(serializers.Field):
    """A text field edited one item per line, served as a list of strings."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> list[str]:
        return split_lines(value)


class ReviewedLinesField(LinesField):
    """A safety text in the reader's language where that translation is reviewed, else in
    English (models.reviewed_text_served): the cautions, a condition's when to seek care."""

    def get_attribute(self, instance):
        field = str(self.source)  # DRF binds it to the field's name
        return reviewed_text_served(instance, field, translation.get_language() or "en")


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
    cautions = ReviewedLinesField()
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


def media_url(name: str | None, context: Mapping[str, Any] | None) -> str | None:
    """A stored file's URL, absolute when the request is known (the app downloads it)."""
    if not name:
        return None
    url = default_storage.url(name)
    request = (context or {}).get("request")
    if request is not None and url.startswith("/"):
        return request.build_absolute_uri(url)
    return url


class RenditionSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = MediaRendition
        fields = ["url", "width", "height", "content_type", "size_bytes"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_url(self, rendition: MediaRendition) -> str | None:
        return media_url(rendition.file.name, self.context)


class ExerciseMediaSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField(
        help_text="A still picture to show before a video plays; null for pictures and for "
        "videos sent without one."
    )
    size_bytes = serializers.IntegerField(help_text="Bytes of the file at `url`.")
    poster_size_bytes = serializers.IntegerField(allow_null=True)
    duration_seconds = serializers.FloatField(
        allow_null=True,
        help_text="A video's length as its container states it; null for pictures and when "
        "the container does not say.",
    )
    renditions = RenditionSerializer(
        many=True,
        read_only=True,
        help_text="Smaller WebP copies of a picture (320, 640 and 1280 wide, never wider "
        "than the picture), listed as the worker makes them; empty for videos.",
    )

    class Meta:
        model = ExerciseMedia
        fields = [
            "id",
            "kind",
            "url",
            "content_type",
            "size_bytes",
            "width",
            "height",
            "duration_seconds",
            "poster_url",
            "poster_size_bytes",
            "renditions",
            "alt_text",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_url(self, item: ExerciseMedia) -> str | None:
        return media_url(item.file.name, self.context)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_poster_url(self, item: ExerciseMedia) -> str | None:
        return media_url(item.poster.name, self.context)


class ExerciseSerializer(serializers.ModelSerializer):
    regions = RegionCodesField()
    source = SourceField()  # type: ignore[assignment]  # a declared field; the stubs see Field's own attribute
    instructions = LinesField()
    cautions = ReviewedLinesField()
    target_area = serializers.SerializerMethodField(
        help_text="Null only for an exercise a physiotherapist wrote without one."
    )
    media = ExerciseMediaSerializer(many=True, read_only=True)
    media_url = serializers.SerializerMethodField(
        help_text="The first picture or video of `media`, or null when there is none."
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
            "media",
            "media_url",
            "source",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=TargetArea.choices, allow_null=True))
    def get_target_area(self, exercise: Exercise) -> str | None:
        return exercise.target_area or None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_media_url(self, exercise: Exercise) -> str | None:
        first = next(iter(exercise.media.all()), None)
        if first is not None:
            return media_url(first.file.name, self.context)
        return exercise.media_url or None


class OwnExerciseInputSerializer(StrictSerializer):
    """`POST exercises/`: instructions and cautions as text, one item a line."""

    name = StrictCharField(max_length=120)
    summary = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")
    instructions = StrictCharField(max_length=4000)
    default_sets = StrictIntegerField(min_value=1, max_value=10)
    default_reps = StrictIntegerField(min_value=1, max_value=50, required=False, allow_null=True)
    default_hold_seconds = StrictIntegerField(
        min_value=1, max_value=300, required=False, allow_null=True
    )
    cautions = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")
    target_area = StrictChoiceField(
        choices=TargetArea.choices, required=False, allow_blank=True, default=""
    )


class MediaUploadSerializer(serializers.Serializer):
    """`POST exercises/{slug}/media/` (multipart). The type is decided from the bytes."""

    file = serializers.FileField(
        help_text="JPEG, PNG or WebP up to 10 MB, or MP4 or WebM up to 200 MB."
    )
    alt_text = serializers.CharField(max_length=300)
    poster = serializers.FileField(
        required=False, help_text="A video's still picture (JPEG, PNG or WebP, up to 10 MB)."
    )


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
    when_to_seek_care = ReviewedLinesField()
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
        return gettext(DISCLAIMER)

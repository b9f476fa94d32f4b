"""Medical content edited in the admin and served read-only to the app (docs/domain.md).

List-like texts (symptoms, steps, cautions) are stored one item per line so editors
edit plain text; the API serves them as lists.
"""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.manager import MultilingualManager

from .vocabulary import CareActivity, Mechanism, RedFlagCode, Region, Source

ICE_MIN_MINUTES = 15
ICE_MAX_MINUTES = 20

# A medication step informs; it never doses (docs/domain.md, Home-care protocol).
# The Spanish alternatives hold the translated texts (`_es` columns) to the same rule.
_DOSE_PATTERN = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:mg|milligrams?|g|grams?|ml|millilit(?:er|re)s?|mcg|µg|tablets?|pills?|capsules?)\b"
    r"|\b(?:every|each)\s+\d+\s*(?:hours?|hrs?|h)\b|\b\d+\s*times\s+(?:a|per)\s+day\b"
    r"|\b\d+(?:[.,]\d+)?\s*(?:miligramos?|gramos?|mililitros?|comprimidos?|pastillas?|c[aá]psulas?|sobres?)\b"
    r"|\bcada\s+\d+\s*(?:horas?|h)\b|\b\d+\s*veces\s+(?:al|por)\s+d[ií]a\b",
    re.IGNORECASE,
)


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _code_errors(values, allowed: type[models.TextChoices]) -> str | None:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return gettext("Expected a list of codes.")
    unknown = sorted(set(values) - set(allowed.values))
    if unknown:
        return ngettext("Unknown code: %(codes)s.", "Unknown codes: %(codes)s.", len(unknown)) % {
            "codes": ", ".join(unknown)
        }
    return None


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


# modeltranslation would swap these for subclasses of its own made at run time (its manager
# rewrites `name` to the active language's column); declared so, django-stubs can see them.
class SlugNaturalKeyManager(MultilingualManager):
    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)


class ContentItem(models.Model):
    """What conditions, protocols and exercises share: slug, publication, provenance."""

    slug = models.SlugField(max_length=80, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(
        max_length=32, choices=Source.choices, help_text="The article this content comes from."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # Set when an editor saves the item in the admin: `bootstrap` then keeps the
    # editor's version instead of overwriting it with the seed fixtures.
    edited_in_admin = models.BooleanField(default=False, editable=False)
    # Set the first time the item is published. Phones may hold anything published once,
    # so an item with this set is withdrawn (unpublished), never deleted: the content
    # lists' `?updated_since=` then tells the apps to drop it.
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SlugNaturalKeyManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.status == Status.PUBLISHED and self.first_published_at is None:
            self.first_published_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "first_published_at"}
        super().save(*args, **kwargs)

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class RegionTag(models.Model):
    """One row per body region of docs/domain.md, so content can be filtered by region."""

    code = models.CharField(max_length=32, primary_key=True, choices=Region.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = "body region"

    def __str__(self) -> str:
        return self.get_code_display()

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class ReviewedCautions(models.Model):
    """Cautions in Spanish beside the English ones, served only once reviewed.

    Clinical safety (docs/domain.md, Language): a caution is safety text, so its
    translation reaches a patient only after an editor has marked it reviewed (who, when);
    until then, and whenever the Spanish is blank, the English cautions are served.
    Changing either text in the admin takes the mark away until it is reviewed again.
    """

    cautions_es = models.TextField(
        blank=True,
        help_text="The cautions in Spanish, one a line, as the English ones. Served only "
        "once marked reviewed.",
    )
    cautions_es_reviewed_by = models.CharField(max_length=254, blank=True)
    cautions_es_reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def cautions_served(self, language: str) -> str:
        """The cautions a reader of `language` gets."""
        return reviewed_text_served(self, "cautions", language)


def reviewed_text_served(row: models.Model, field: str, language: str) -> str:
    """A safety text (`field`, English) as a reader of `language` gets it: the translation
    in `<field>_<language>` once it is there and marked reviewed, else the English
    (docs/decisions/safety-translations-reviewed.md). Never blank where English is not."""
    english: str = getattr(row, field)
    translated: str = getattr(row, f"{field}_{language}", "") or ""
    reviewed_at = getattr(row, f"{field}_{language}_reviewed_at", None)
    if language != "en" and translated.strip() and reviewed_at is not None:
        return translated
    return english


class ConditionKind(models.TextChoices):
    SELF_CARE = "self_care", "Condition (self-care with clinician support)"
    RED_FLAG = "red_flag", "Red-flag explanation (needs prompt medical care)"


class Condition(ContentItem):
    name = models.CharField(max_length=120)
    other_names = models.TextField(blank=True, help_text="One name per line.")
    kind = models.CharField(
        max_length=16, choices=ConditionKind.choices, default=ConditionKind.SELF_CARE
    )
    regions = models.ManyToManyField(RegionTag, related_name="conditions")
    summary = models.TextField()
    mechanisms = models.JSONField(
        default=list, blank=True, help_text="Codes: how it links to knee or calf pain."
    )
    how_it_links = models.TextField(
        blank=True, help_text="Plain explanation of how this causes knee or calf pain."
    )
    typical_symptoms = models.TextField(blank=True, help_text="One symptom per line.")
    clinician_workup = models.TextField(
        blank=True, help_text="What a clinician does (exam, imaging, tests). One per line."
    )
    treatment_outline = models.TextField(blank=True, help_text="One item per line.")
    when_to_seek_care = models.TextField(blank=True, help_text="One item per line.")
    # Safety text: its Spanish is served only once reviewed, like the cautions (not a
    # modeltranslation column; docs/decisions/content-translations.md says why).
    when_to_seek_care_es = models.TextField(
        blank=True,
        help_text="When to seek care in Spanish, one item a line, as the English. Served "
        "only once marked reviewed.",
    )
    when_to_seek_care_es_reviewed_by = models.CharField(max_length=254, blank=True)
    when_to_seek_care_es_reviewed_at = models.DateTimeField(null=True, blank=True)
    red_flag_codes = models.JSONField(
        default=list, blank=True, help_text="Red flags to watch for with this condition."
    )
    protocols: "models.ManyToManyField[Protocol, ConditionProtocol]" = models.ManyToManyField(
        "Protocol", through="ConditionProtocol", related_name="conditions", blank=True
    )
    exercises: "models.ManyToManyField[Exercise, ConditionExercise]" = models.ManyToManyField(
        "Exercise", through="ConditionExercise", related_name="conditions", blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = {
            name: message
            for name, message in (
                ("mechanisms", _code_errors(self.mechanisms, Mechanism)),
                ("red_flag_codes", _code_errors(self.red_flag_codes, RedFlagCode)),
            )
            if message
        }
        if errors:
            raise ValidationError(errors)


class Protocol(ContentItem):
    """A home-care protocol for one situation: ordered steps the app shows and enforces."""

    title = models.CharField(max_length=160)
    summary = models.TextField()
    regions = models.ManyToManyField(RegionTag, related_name="protocols")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class StepKind(models.TextChoices):
    """A protocol step is a home-care activity (which the patient can start as a care
    session of the same kind) or medication information (information only)."""

    REST = CareActivity.REST.value, CareActivity.REST.label
    ICE = CareActivity.ICE.value, CareActivity.ICE.label
    ELEVATION = CareActivity.ELEVATION.value, CareActivity.ELEVATION.label
    STRETCH = CareActivity.STRETCH.value, CareActivity.STRETCH.label
    MEDICATION_INFO = "medication_info", "Medication information"


class ProtocolStepManager(MultilingualManager):
    def get_by_natural_key(self, protocol_slug: str, position: int):
        return self.get(protocol__slug=protocol_slug, position=position)


class ProtocolStep(ReviewedCautions):
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0, db_index=True)
    kind = models.CharField(max_length=32, choices=StepKind.choices)
    title = models.CharField(max_length=160)
    instructions = models.TextField()
    min_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    max_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    times_per_day = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    cautions = models.TextField(blank=True, help_text="One caution per line.")

    objects = ProtocolStepManager()

    class Meta:
        # No unique (protocol, position): the admin's drag-and-drop reordering saves
        # rows one by one and would trip it halfway.
        ordering = ["position", "id"]
        constraints = [
            # docs/domain.md: an ice session is 15–20 minutes, never longer.
            models.CheckConstraint(
                condition=~Q(kind=StepKind.ICE)
                | Q(
                    min_minutes__gte=ICE_MIN_MINUTES,
                    max_minutes__lte=ICE_MAX_MINUTES,
                    min_minutes__isnull=False,
                    max_minutes__isnull=False,
                ),
                name="content_step_ice_15_to_20_minutes",
                violation_error_message="An ice step lasts 15 to 20 minutes.",
            ),
            models.CheckConstraint(
                condition=Q(min_minutes__isnull=True)
                | Q(max_minutes__isnull=True)
                | Q(min_minutes__lte=models.F("max_minutes")),
                name="content_step_min_not_above_max",
                violation_error_message="The minimum cannot exceed the maximum.",
            ),
            # Medication steps inform; a duration or a daily count would be a schedule.
            models.CheckConstraint(
                condition=~Q(kind=StepKind.MEDICATION_INFO)
                | Q(min_minutes__isnull=True, max_minutes__isnull=True, times_per_day__isnull=True),
                name="content_step_medication_has_no_schedule",
                violation_error_message="A medication step carries information only, no schedule.",
            ),
            models.CheckConstraint(
                condition=Q(times_per_day__isnull=True)
                | Q(times_per_day__gte=1, times_per_day__lte=12),
                name="content_step_times_per_day_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protocol} – {self.position}. {self.title}"

    def natural_key(self) -> tuple[str, int]:
        return (self.protocol.slug, self.position)

    # Django's serializers read this function attribute (natural keys' documented way).
    natural_key.dependencies = ["content.protocol"]  # type: ignore[attr-defined]

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.kind == StepKind.ICE:
            for field in ("min_minutes", "max_minutes"):
                value = getattr(self, field)
                if value is None or not ICE_MIN_MINUTES <= value <= ICE_MAX_MINUTES:
                    errors[field] = (
                        f"An ice step lasts {ICE_MIN_MINUTES} to {ICE_MAX_MINUTES} minutes."
                    )
        if (
            self.min_minutes is not None
            and self.max_minutes is not None
            and self.min_minutes > self.max_minutes
            and "max_minutes" not in errors
        ):
            errors["max_minutes"] = "The maximum cannot be less than the minimum."
        if self.kind == StepKind.MEDICATION_INFO:
            for field in ("min_minutes", "max_minutes", "times_per_day"):
                if getattr(self, field) is not None:
                    errors[field] = "A medication step carries information only, no schedule."
            errors.update(self._dose_errors())
        if errors:
            raise ValidationError(errors)

    def _dose_errors(self) -> dict[str, str]:
        """A dose in either language's texts, named on that language's instructions (the
        field the admin shows; modeltranslation adds `title_en`, `instructions_es`...)."""
        errors: dict[str, str] = {}
        for language, cautions in (("en", self.cautions), ("es", self.cautions_es)):
            texts = [
                getattr(self, f"{name}_{language}", None) or ""
                for name in ("title", "instructions")
            ]
            if _DOSE_PATTERN.search("\n".join([*texts, cautions])):
                errors[f"instructions_{language}"] = (
                    "Medication steps never give a dose or schedule: name the medicine "
                    "and say to check with a pharmacist or doctor."
                )
        return errors


class TargetArea(models.TextChoices):
    CALF = "calf", _("Calf")
    HAMSTRINGS = "hamstrings", _("Hamstrings")
    QUADRICEPS = "quadriceps", _("Quadriceps")
    GLUTEALS = "gluteals", _("Gluteals (buttock muscles)")
    KNEE = "knee", _("Knee joint")
    HIP = "hip", _("Hip")
    CORE = "core", _("Core (trunk muscles)")
    LOWER_BACK = "lower_back", _("Lower back")
    TENDONS = "tendons", _("Tendons around the knee")


class Exercise(ReviewedCautions, ContentItem):
    """An exercise of the library (`owner` empty: edited in the admin, read by anyone) or
    one a physiotherapist wrote for their own patients (`owner` set: read only by them and
    the patients they care for; docs/decisions/own-exercises-visibility.md)."""

    name = models.CharField(max_length=120)
    summary = models.TextField(blank=True)
    instructions = models.TextField(help_text="One step per line, in order.")
    # Required for the library (clean()); a physio's own exercise may leave it empty.
    target_area = models.CharField(max_length=32, choices=TargetArea.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # An exercise in patients' plans outlives nobody's account silently: deleting
        # its author is refused while it exists (it must never fall into the library).
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="own_exercises",
        help_text="The physiotherapist who wrote it; empty for the library.",
    )
    regions = models.ManyToManyField(RegionTag, related_name="exercises", blank=True)
    default_sets = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    default_reps = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    default_hold_seconds = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(300)]
    )
    cautions = models.TextField(blank=True, help_text="One caution per line.")
    media_url = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("write_own_exercise", "Can write exercises of their own and upload their media"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | ~Q(target_area=""),
                name="content_library_exercise_has_target_area",
                violation_error_message="A library exercise needs a target area.",
            ),
            models.CheckConstraint(
                condition=Q(default_sets__gte=1, default_sets__lte=10),
                name="content_exercise_sets_range",
            ),
            models.CheckConstraint(
                condition=Q(default_reps__isnull=True)
                | Q(default_reps__gte=1, default_reps__lte=50),
                name="content_exercise_reps_range",
            ),
            models.CheckConstraint(
                condition=Q(default_hold_seconds__isnull=True)
                | Q(default_hold_seconds__gte=1, default_hold_seconds__lte=300),
                name="content_exercise_hold_range",
            ),
            models.CheckConstraint(
                condition=Q(default_reps__isnull=False) | Q(default_hold_seconds__isnull=False),
                name="content_exercise_has_reps_or_hold",
                violation_error_message="Give repetitions, a hold time, or both.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def first_picture(self) -> "ExerciseMedia | None":
        """The first picture of its media (reads the prefetched list when there is one)."""
        return next((item for item in self.media.all() if item.kind == MediaKind.IMAGE), None)

    def clean(self) -> None:
        super().clean()
        if self.owner_id is None and not self.target_area:
            raise ValidationError(
                {"target_area": ValidationError(_("Choose a target area."), code="required")}
            )


class MediaKind(models.TextChoices):
    IMAGE = "image", "Picture"
    VIDEO = "video", "Video"


class ExerciseMedia(models.Model):
    """A picture or video of an exercise, stored through Django's storage API under a
    generated name (never the uploaded one). Pictures are re-encoded without metadata on
    upload; their renditions follow in the background (docs/decisions/upload-safety.md)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(max_length=8, choices=MediaKind.choices)
    file = models.FileField(max_length=200)
    content_type = models.CharField(max_length=40)
    size_bytes = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # Read from the container when it can be read safely; null otherwise.
    duration_seconds = models.FloatField(null=True, blank=True)
    poster = models.FileField(max_length=200, blank=True)
    poster_content_type = models.CharField(max_length=40, blank=True)
    poster_size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    alt_text = models.CharField(
        max_length=300, help_text="What the picture or video shows, for people who cannot see it."
    )
    position = models.PositiveSmallIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once the worker has made every rendition this picture needs (none for a small one).
    renditions_done_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["position", "created_at"]
        verbose_name = "picture or video"
        verbose_name_plural = "pictures and videos"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=MediaKind.VIDEO) | Q(poster="", duration_seconds__isnull=True),
                name="content_media_only_videos_have_posters_and_durations",
            ),
        ]
        indexes = [
            models.Index(
                fields=["renditions_done_at", "created_at"], name="content_media_renditions_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.exercise}"

    def url_for_width(self, width: int) -> str:
        """The smallest rendition at least `width` wide (prefetched), else the file."""
        wide_enough = [r for r in self.renditions.all() if r.width >= width]
        best = min(wide_enough, key=lambda r: r.width) if wide_enough else None
        return best.file.url if best else self.file.url

    @property
    def thumbnail_url(self) -> str:
        return self.url_for_width(320)


class MediaRendition(models.Model):
    """A smaller copy of a picture, made by the worker: the app picks the width it needs."""

    media = models.ForeignKey(ExerciseMedia, on_delete=models.CASCADE, related_name="renditions")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    file = models.FileField(max_length=200)
    content_type = models.CharField(max_length=40)
    size_bytes = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["width"]
        constraints = [
            models.UniqueConstraint(fields=["media", "width"], name="content_rendition_unique")
        ]

    def __str__(self) -> str:
        return f"{self.width} px of {self.media_id}"


class LinkManager(models.Manager):
    target_field = ""

    def get_by_natural_key(self, condition_slug: str, target_slug: str):
        return self.get(
            condition__slug=condition_slug, **{f"{self.target_field}__slug": target_slug}
        )


class ConditionProtocolManager(LinkManager):
    target_field = "protocol"


class ConditionExerciseManager(LinkManager):
    target_field = "exercise"


class ConditionProtocol(models.Model):
    condition = models.ForeignKey(
        Condition, on_delete=models.CASCADE, related_name="protocol_links"
    )
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="condition_links")
    position = models.PositiveSmallIntegerField(default=0, db_index=True)

    objects = ConditionProtocolManager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "protocol"], name="content_condition_protocol_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.condition} → {self.protocol}"

    def natural_key(self) -> tuple[str, str]:
        return (self.condition.slug, self.protocol.slug)

    # Django's serializers read this function attribute (natural keys' documented way).
    natural_key.dependencies = ["content.condition", "content.protocol"]  # type: ignore[attr-defined]


class ConditionExercise(models.Model):
    condition = models.ForeignKey(
        Condition, on_delete=models.CASCADE, related_name="exercise_links"
    )
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="condition_links")
    position = models.PositiveSmallIntegerField(default=0, db_index=True)

    objects = ConditionExerciseManager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "exercise"], name="content_condition_exercise_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.condition} → {self.exercise}"

    def natural_key(self) -> tuple[str, str]:
        return (self.condition.slug, self.exercise.slug)

    # Django's serializers read this function attribute (natural keys' documented way).
    natural_key.dependencies = ["content.condition", "content.exercise"]  # type: ignore[attr-defined]


# --- Safety texts in other languages ---------------------------------------------------------


class TranslatedLanguage(models.TextChoices):
    """The languages a safety text may be translated into (settings.LANGUAGES less en, the
    language the texts are written and checked in)."""

    ES = "es", "Español"


class RedFlagTranslation(models.Model):
    """A red flag's title and advice (apps.symptoms.triage) in another language.

    Clinical safety (docs/domain.md, Language): the translation is served only once an
    editor has marked it reviewed, with who and when; until then the patient reads the
    English text. Changing the title or the advice takes the mark away again (the admin).
    """

    code = models.CharField(max_length=40, choices=RedFlagCode.choices)
    language = models.CharField(max_length=8, choices=TranslatedLanguage.choices)
    title = models.CharField(max_length=160)
    advice = models.TextField()
    # Who reviewed it, as text: the editor's e-mail (or the fixtures' reviewer), kept even
    # when the account is gone.
    reviewed_by = models.CharField(max_length=254, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code", "language"]
        constraints = [
            models.UniqueConstraint(fields=["code", "language"], name="red_flag_translation_once"),
            models.CheckConstraint(
                condition=(Q(reviewed_at__isnull=True) & Q(reviewed_by=""))
                | (Q(reviewed_at__isnull=False) & ~Q(reviewed_by="")),
                name="red_flag_translation_reviewed_by_whom",
            ),
            models.CheckConstraint(
                condition=~Q(title="") & ~Q(advice=""), name="red_flag_translation_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} ({self.language})"

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None

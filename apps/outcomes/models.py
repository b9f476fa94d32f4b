"""Outcome measures: instruments as versioned data, schedules, scored responses.

An Instrument is a code (`lefs`, `psfs`, `pain_week`, or one a licensed clinic adds as
data); its InstrumentVersions hold the wording, the answers, the scoring and the MCID.
A validated instrument's text is fixed (docs/domain.md): once a version has responses,
nothing but `enabled` may change; a new wording is a new version.
"""

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from . import scoring

# Everything that makes up a version's meaning: frozen once it has responses.
WORDING_FIELDS = (
    "instrument",
    "version",
    "title",
    "question",
    "items",
    "answers",
    "named_by_patient",
    "min_items",
    "max_items",
    "method",
    "score_item",
    "lookup_table",
    "score_min",
    "score_max",
    "higher_is_better",
    "mcid",
    "mcid_percent",
)


class Instrument(models.Model):
    """A questionnaire, whatever its version. `url` is its canonical URL (FHIR
    Questionnaire.url); each version adds its own `version`."""

    code = models.SlugField(max_length=32, primary_key=True)
    url = models.CharField(
        max_length=200,
        unique=True,
        help_text="Canonical URL, as FHIR Questionnaire.url (a URN is fine).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class InstrumentVersion(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=16, help_text='As published, e.g. "1".')
    title = models.CharField(max_length=160)
    question = models.TextField(
        blank=True, help_text="Shown above the items, e.g. LEFS's opening question."
    )
    items = models.JSONField(
        help_text='[{"id": "1", "text": "…", "answers": optional [{"value", "label"}]}]'
    )
    answers = models.JSONField(
        default=list,
        blank=True,
        help_text='The answers every item takes unless it lists its own: [{"value", "label"}].',
    )
    named_by_patient = models.BooleanField(
        default=False, help_text="The patient names the activities (PSFS) in the item slots."
    )
    min_items = models.PositiveSmallIntegerField(null=True, blank=True)
    max_items = models.PositiveSmallIntegerField(null=True, blank=True)
    method = models.CharField(max_length=8, choices=[(m.value, m.value) for m in scoring.Method])
    score_item = models.CharField(
        max_length=32, blank=True, help_text="Method `item`: the item whose answer is the score."
    )
    lookup_table = models.JSONField(
        default=list, blank=True, help_text="Method `lookup`: [[raw total, score], …]."
    )
    score_min = models.DecimalField(max_digits=8, decimal_places=2)
    score_max = models.DecimalField(max_digits=8, decimal_places=2)
    higher_is_better = models.BooleanField()
    mcid = models.DecimalField(
        max_digits=8, decimal_places=2, help_text="Smallest change that matters, in points."
    )
    mcid_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Or this percentage of the baseline, whichever is reached first (pain_week).",
    )
    source = models.TextField(help_text="The citation the instrument and its MCID come from.")
    # A language version exists only where a validated translation of this very version is
    # published: its wording is part of what was validated, so none is made up here.
    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text='Validated translations of this version, by language: {"es": {"source": '
        'the citation of the validated translation, "title", "question", "items": {item id: '
        'text}, "answers": {value: label}}}. Only with a citation; none ships.',
    )
    licence = models.TextField(help_text="Who may use it and on what terms.")
    enabled = models.BooleanField(
        default=True, help_text="Offered to patients and physiotherapists. One per instrument."
    )
    # Set when someone switches the version on or off in the admin: `bootstrap` then keeps
    # their choice instead of the fixture's (like content's edited_in_admin).
    edited_in_admin = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["instrument", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "version"], name="outcomes_version_unique"
            ),
            models.UniqueConstraint(
                fields=["instrument"],
                condition=Q(enabled=True),
                name="outcomes_one_enabled_version",
            ),
            models.CheckConstraint(
                condition=Q(score_min__lt=models.F("score_max")),
                name="outcomes_score_range",
            ),
            models.CheckConstraint(condition=Q(mcid__gt=0), name="outcomes_mcid_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} v{self.version}"

    def save(self, *args, **kwargs) -> None:
        # Also here, not only in clean(): no code path may rewrite a used version's text.
        _refuse_changed_wording(self)
        _refuse_unusable_translations(self)
        super().save(*args, **kwargs)

    def translation_for(self, language: str) -> dict[str, Any] | None:
        """The stored validated translation into `language`, or None (English is served)."""
        found = (self.translations or {}).get(language)
        return found if isinstance(found, dict) else None

    def clean(self) -> None:
        super().clean()
        if self.items is not None and not isinstance(self.items, list):
            raise ValidationError({"items": "A list of items."})
        try:
            problems = scoring.definition_problems(self.definition())
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ValidationError(
                {"items": f"Items, answers or lookup table are malformed: {error}."}
            ) from error
        if problems:
            text = "; ".join(problems)
            raise ValidationError(text[0].upper() + text[1:] + ".", code="invalid")
        _refuse_changed_wording(self)
        _refuse_unusable_translations(self)

    # --- As plain data for scoring -----------------------------------------------------

    def definition(self) -> scoring.Definition:
        default = self.answers or []
        items = []
        for row in self.items or []:
            options = row.get("answers") or default
            items.append(
                scoring.Item(
                    id=str(row.get("id", "")),
                    text=str(row.get("text", "")),
                    options=tuple(
                        scoring.Option(int(option["value"]), str(option["label"]))
                        for option in options
                    ),
                )
            )
        return scoring.Definition(
            code=self.instrument_id,
            items=tuple(items),
            method=scoring.Method(self.method),
            score_min=Decimal(self.score_min),
            score_max=Decimal(self.score_max),
            higher_is_better=self.higher_is_better,
            mcid=Decimal(self.mcid),
            mcid_percent=None if self.mcid_percent is None else Decimal(self.mcid_percent),
            named_by_patient=self.named_by_patient,
            min_items=self.min_items,
            max_items=self.max_items,
            score_item=self.score_item,
            table={int(raw): Decimal(str(score)) for raw, score in self.lookup_table or []},
        )

    # --- Fixed wording -----------------------------------------------------------------

    def has_responses(self) -> bool:
        return self.pk is not None and self.responses.exists()

    def changed_wording(self) -> list[str]:
        """The wording fields that differ from the stored row."""
        if self.pk is None:
            return []
        stored = InstrumentVersion.objects.filter(pk=self.pk).values(*WORDING_FIELDS).first()
        if stored is None:
            return []
        current = {name: getattr(self, name) for name in WORDING_FIELDS}
        current["instrument"] = self.instrument_id
        return [
            name
            for name in WORDING_FIELDS
            if _comparable(current[name]) != _comparable(stored[name])
        ]


def _comparable(value):
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        return Decimal(str(value)).normalize()
    return value


def _refuse_changed_wording(version: InstrumentVersion) -> None:
    changed = version.changed_wording()
    if changed and version.has_responses():
        raise ValidationError(
            {
                name: ValidationError(
                    "This version has responses: its wording and scoring are fixed. "
                    "Add a new version instead.",
                    code="version_in_use",
                )
                for name in changed
            }
        )


class ScheduleStatus(models.TextChoices):
    """Shown on a schedule (derived from `ended_at`, not stored)."""

    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class ScheduleEndReason(models.TextChoices):
    ENDED = "ended", "Ended by a physiotherapist"
    UNLINKED = "unlinked", "The care-team link ended"
    DISCHARGED = "discharged", "The episode of care was discharged"


class OutcomeSchedule(models.Model):
    """A physiotherapist asks a patient to answer an instrument every `every_days` days
    from `starts_on`. One active schedule per patient and instrument: its first response
    is the baseline every later one is judged against."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outcome_schedules"
    )
    physio = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="outcome_schedules_made",
        help_text="Who scheduled it.",
    )
    episode = models.ForeignKey(
        "episodes.Episode",
        on_delete=models.RESTRICT,
        related_name="outcome_schedules",
        help_text="The course of care the schedule belongs to.",
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="schedules")
    every_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    starts_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(max_length=16, choices=ScheduleEndReason.choices, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "instrument"],
                condition=Q(ended_at__isnull=True),
                name="outcomes_one_active_schedule",
            ),
            models.CheckConstraint(
                condition=Q(every_days__gte=1, every_days__lte=365),
                name="outcomes_every_days_range",
            ),
        ]
        indexes = [models.Index(fields=["patient", "ended_at"], name="outcomes_sched_patient")]

    def __str__(self) -> str:
        return f"{self.instrument_id} every {self.every_days} days"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class OutcomeResponse(models.Model):
    """A patient's answers to one instrument version, scored by the server.

    `baseline_score`, `change` and `responder` are the judgement against the first response
    of the same schedule (or of the patient's unscheduled responses to the instrument),
    written by the service and rewritten for the group when an offline response lands
    before the stored baseline. All three are null for the baseline itself."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_id = models.UUIDField()
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outcome_responses"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses")
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="responses"
    )
    schedule = models.ForeignKey(
        OutcomeSchedule,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responses",
    )
    answers = models.JSONField(help_text='[{"item", "value", "label" (activities)}]')
    score = models.DecimalField(max_digits=8, decimal_places=2)
    baseline_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    change = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    responder = models.CharField(
        max_length=16,
        choices=[(r.value, r.value) for r in scoring.Responder],
        blank=True,
        help_text="Empty for the baseline response.",
    )
    completed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "client_id"], name="outcomes_response_client_id"
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "completed_at"], name="outcomes_resp_patient_time"),
            models.Index(
                fields=["patient", "instrument", "completed_at"], name="outcomes_resp_series"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} response {self.id}"

    @property
    def is_baseline(self) -> bool:
        return self.baseline_score is None


def _refuse_unusable_translations(version: InstrumentVersion) -> None:
    problems = translation_problems(version)
    if problems:
        raise ValidationError({"translations": problems})


def translation_problems(version: InstrumentVersion) -> list[str]:
    """What makes a stored translation unusable: each must cite its validation and word every
    item and every answer of the version, in a language the service offers."""
    translations = version.translations
    if not translations:
        return []
    if not isinstance(translations, dict):
        return ["A mapping of language codes to translations."]
    offered = {code for code, _ in settings.LANGUAGES} - {settings.LANGUAGE_CODE}
    definition = version.definition()
    item_ids = {item.id for item in definition.items}
    values = {str(option.value) for item in definition.items for option in item.options}
    problems = []
    for language, translated in translations.items():
        if language not in offered:
            problems.append(f"{language}: not a language the service offers.")
            continue
        if not isinstance(translated, dict):
            problems.append(f"{language}: a mapping of texts.")
            continue
        if not str(translated.get("source", "")).strip():
            problems.append(f"{language}: the citation of the validated translation is missing.")
        if not str(translated.get("title", "")).strip():
            problems.append(f"{language}: the title is missing.")
        items = translated.get("items") or {}
        answers = translated.get("answers") or {}
        if not isinstance(items, dict) or not isinstance(answers, dict):
            problems.append(f"{language}: items and answers map ids and values to texts.")
            continue
        if {key for key, text in items.items() if str(text).strip()} != item_ids:
            problems.append(f"{language}: every item, and only the version's, needs its text.")
        if {key for key, text in answers.items() if str(text).strip()} != values:
            problems.append(f"{language}: every answer, and only the version's, needs its label.")
    return problems

"""`GET plans/{id}/handout/`: a plan as a printable PDF (handout_pdf.py), in the patient's
language, with each exercise's first picture read from the media storage.

Reads only: the plan comes from plans' `plan_for_handout` (the patient's own, or a linked
physio's patient's; None otherwise) and the pictures through Django's storage API.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import translation

from apps.content.models import ExerciseMedia, MediaKind, split_lines
from apps.content.vocabulary import DISCLAIMER
from apps.plans.models import ExercisePlan

from .handout_pdf import Handout, HandoutItem, render_handout_pdf

logger = logging.getLogger(__name__)

# The rendition a printed page needs (55 mm wide at about 300 dpi is 650 px).
PRINT_WIDTH = 640


def patient_language(patient) -> str:
    """The patient's language where the account has one and the server offers it."""
    wanted = getattr(patient, "language", "") or settings.LANGUAGE_CODE
    offered = {code for code, _ in settings.LANGUAGES}
    return wanted if wanted in offered else settings.LANGUAGE_CODE


def first_picture(media: list[ExerciseMedia]) -> ExerciseMedia | None:
    return next((item for item in media if item.kind == MediaKind.IMAGE), None)


def picture_bytes(item: ExerciseMedia) -> bytes | None:
    """The print-sized rendition if the worker made it, else the stored picture. A file
    the store cannot give is left out (logged by id), not a failed handout."""
    sized = [r for r in item.renditions.all() if r.width >= PRINT_WIDTH]
    name = sized[0].file.name if sized else item.file.name
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as stored:
            return stored.read()
    except Exception:
        logger.warning("handout: picture %s could not be read", item.pk)
        return None


def handout_of(plan: ExercisePlan) -> Handout:
    items = []
    # plan_for_handout prefetches them (Prefetch to_attr): an attribute the model lacks.
    for plan_item in plan.current_items:  # type: ignore[attr-defined]
        exercise = plan_item.exercise
        picture = first_picture(list(exercise.media.all()))
        items.append(
            HandoutItem(
                name=exercise.name,
                instructions=split_lines(exercise.instructions),
                cautions=split_lines(exercise.cautions_served(translation.get_language() or "en")),
                sets=plan_item.sets,
                reps=plan_item.reps,
                hold_seconds=plan_item.hold_seconds,
                times_per_day=plan_item.times_per_day,
                days_of_week=plan_item.days_of_week,
                max_pain=plan_item.max_pain,
                notes=plan_item.notes,
                picture=picture_bytes(picture) if picture else None,
                picture_alt=picture.alt_text if picture else "",
            )
        )
    return Handout(
        plan_id=str(plan.pk),
        title=plan.title,
        start_date=plan.start_date,
        end_date=plan.end_date,
        items=items,
        disclaimer=translation.gettext(DISCLAIMER),
        # The plan's episode belongs to the clinic of the physio who prescribes in it.
        clinic=plan.episode.clinic.name,
    )


def handout_pdf(plan: ExercisePlan) -> tuple[bytes, str]:
    """The PDF and its language (for Content-Language)."""
    language = patient_language(plan.patient)
    with translation.override(language):
        return render_handout_pdf(handout_of(plan)), language

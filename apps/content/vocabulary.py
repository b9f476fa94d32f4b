"""The fixed vocabulary of docs/domain.md shared by content, symptom logs and triage."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class Region(models.TextChoices):
    FRONT_OF_KNEE = "front_of_knee", _("Front of the knee")
    INNER_KNEE = "inner_knee", _("Inner side of the knee")
    OUTER_KNEE = "outer_knee", _("Outer side of the knee")
    BACK_OF_KNEE = "back_of_knee", _("Back of the knee (popliteal fossa)")
    CALF = "calf", _("Calf")
    FRONT_OF_THIGH = "front_of_thigh", _("Front of the thigh")
    BACK_OF_THIGH = "back_of_thigh", _("Back of the thigh")
    LOWER_BACK = "lower_back", _("Lower back")
    WHOLE_LEG = "whole_leg", _("Whole leg")


class Side(models.TextChoices):
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")
    BOTH = "both", _("Both")


class CareActivity(models.TextChoices):
    """Home-care activities (docs/domain.md, Home-care protocol): one vocabulary for the
    kinds of protocol steps and of the care sessions a patient starts from them, so a step
    of one of these kinds can start a session of the same kind."""

    ICE = "ice", "Ice"
    ELEVATION = "elevation", "Elevation"
    REST = "rest", "Rest / activity modification"
    STRETCH = "stretch", "Gentle stretching"


class Mechanism(models.TextChoices):
    """How a condition links to knee or calf pain (seed 000, seed 004)."""

    REFERRED_PAIN = "referred_pain", "Referred pain along shared nerves"
    ALTERED_GAIT = "altered_gait", "Altered walking pattern"
    PROTECTIVE_TIGHTENING = "protective_tightening", "Protective muscle tightening or spasm"
    NERVE_IRRITATION = "nerve_irritation", "Nerve irritation or compression"
    PRESSURE_SWELLING = "pressure_swelling", "Pressure or swelling"


class RedFlagCode(models.TextChoices):
    """Codes of docs/domain.md's red-flag table; the rules live in apps.symptoms.triage."""

    POSSIBLE_DVT = "possible_dvt", "Possible blood clot (DVT)"
    POSSIBLE_INFECTION = "possible_infection", "Possible infection"
    CANNOT_BEAR_WEIGHT = "cannot_bear_weight", "Cannot bear weight"
    SUDDEN_SEVERE_PAIN_SWELLING = "sudden_severe_pain_swelling", "Sudden severe pain or swelling"
    CALF_PAIN_AFTER_KNEE_INJURY = "calf_pain_after_knee_injury", "Calf pain after a knee injury"
    WORSENING_NEURO = "worsening_neuro", "Worsening numbness, tingling or weakness"
    DAILY_LIFE_OR_SLEEP = "daily_life_or_sleep", "Pain stopping daily life or sleep"
    MECHANICAL_LOCKING = "mechanical_locking", "Knee locking or catching"
    CAUDA_EQUINA = "cauda_equina", "Saddle numbness or bladder/bowel change"


class Source(models.TextChoices):
    """Where a piece of content comes from: one of the seed articles, or a clinical standard."""

    KNEE_AND_CALF = "seed-000", "Can Knee Pain Cause Calf Pain? The Link and Common Causes"
    BACK_OF_KNEE_WALKING = "seed-003", "What Causes Back Knee Pain When Walking?"
    REFERRED_FROM_BACK = "seed-004", "Knee Pain Referred from the Lower Back"
    CLINICAL_STANDARD = "clinical-standard", "Clinical standard (not from the seed articles)"
    CLINICIAN = "clinician", "Written by the patient's physiotherapist"


# Stored and compared in English; served through gettext in the reader's language.
DISCLAIMER = gettext_noop(
    "This app gives general education and self-care support. It does not diagnose and is "
    "not a substitute for a clinician. If you are worried, or symptoms change, contact a "
    "health professional; in an emergency call your local emergency number."
)

"""What a symptom log may say (docs/api.md, Symptom logs)."""

from django.db import models


class Quality(models.TextChoices):
    DULL = "dull", "Dull"
    ACHING = "aching", "Aching"
    SHARP = "sharp", "Sharp"
    BURNING = "burning", "Burning"
    TINGLING = "tingling", "Tingling"
    THROBBING = "throbbing", "Throbbing"


class Swelling(models.TextChoices):
    NONE = "none", "None"
    MILD = "mild", "Mild"
    SIGNIFICANT = "significant", "Significant"


class Trigger(models.TextChoices):
    WALKING = "walking", "Walking"
    STAIRS = "stairs", "Stairs"
    SQUATTING = "squatting", "Squatting"
    BENDING_BACK = "bending_back", "Bending backward"
    TWISTING = "twisting", "Twisting the trunk"
    SITTING = "sitting", "Sitting"
    STANDING = "standing", "Standing"
    REST = "rest", "At rest"


class Level(models.TextChoices):
    """Triage levels, most severe first (docs/domain.md, Red flags)."""

    EMERGENCY = "emergency", "Call emergency services now"
    URGENT = "urgent", "Get seen today"
    SOON = "soon", "Book an appointment within days"
    SELF_CARE = "self_care", "Self-care"


# Higher is more severe.
LEVEL_RANK: dict[str, int] = {
    Level.SELF_CARE: 0,
    Level.SOON: 1,
    Level.URGENT: 2,
    Level.EMERGENCY: 3,
}

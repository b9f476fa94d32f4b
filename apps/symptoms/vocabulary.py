"""What a symptom log may say (docs/api.md, Symptom logs)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Quality(models.TextChoices):
    DULL = "dull", _("Dull")
    ACHING = "aching", _("Aching")
    SHARP = "sharp", _("Sharp")
    BURNING = "burning", _("Burning")
    TINGLING = "tingling", _("Tingling")
    THROBBING = "throbbing", _("Throbbing")


class Swelling(models.TextChoices):
    NONE = "none", _("None")
    MILD = "mild", _("Mild")
    SIGNIFICANT = "significant", _("Significant")


class Trigger(models.TextChoices):
    WALKING = "walking", _("Walking")
    STAIRS = "stairs", _("Stairs")
    SQUATTING = "squatting", _("Squatting")
    BENDING_BACK = "bending_back", _("Bending backward")
    TWISTING = "twisting", _("Twisting the trunk")
    SITTING = "sitting", _("Sitting")
    STANDING = "standing", _("Standing")
    REST = "rest", _("At rest")


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

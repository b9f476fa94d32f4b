"""Error codes the load-guidance endpoints answer with (clients may rely on them; docs/api.md)."""

from enum import StrEnum


class GuidanceError(StrEnum):
    # 409: the suggestion is hold or insufficient_data: there is no step to apply.
    NOT_APPLICABLE = "guidance_not_applicable"
    # 409: the item's dosage changed since the suggestion was read (another apply, or the
    # `dosage_version` sent is not the item's), or no session was done at the new dosage yet.
    ALREADY_APPLIED = "guidance_already_applied"
    # 409: the suggestion now differs from the `expected_suggestion` sent.
    SUGGESTION_CHANGED = "guidance_changed"
    # 409: at a cap (3 sets, 15 reps, no hold to add) or a floor (1 set of 5 reps).
    NO_DOSAGE_STEP = "no_dosage_step"
    # 409: the plan is archived or the item retired.
    ITEM_NOT_ACTIVE = "item_not_active"

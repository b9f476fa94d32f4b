"""Error codes the care app answers with (clients may rely on them; docs/api.md)."""

from enum import StrEnum


class CareError(StrEnum):
    ICE_DURATION = "ice_duration"  # 400 on `planned_minutes`: ice lasts 15 to 20 minutes

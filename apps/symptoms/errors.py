"""Error codes the symptoms app answers with (clients may rely on them; docs/api.md)."""

from enum import StrEnum


class LogError(StrEnum):
    DUPLICATE = "duplicate"  # 400 on a list field: a value appears twice
    LOCATION_REQUIRED = "required"  # 400 on `locations`: pain above 0 needs a place

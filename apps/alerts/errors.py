"""Error codes the alerts app answers with (clients may rely on them; docs/api.md)."""

from enum import StrEnum


class AlertError(StrEnum):
    INVALID_TRANSITION = "invalid_transition"  # 409: acknowledge a non-open alert, resolve twice

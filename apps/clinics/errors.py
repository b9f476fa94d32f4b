"""Error codes the clinics app answers with (clients may rely on them; docs/api.md)."""

from enum import StrEnum


class ClinicError(StrEnum):
    SLUG_TAKEN = "unique"  # 400 on `slug`: another clinic has it
    NOT_A_PHYSIO = "not_a_physio"  # 400: only physiotherapists are a clinic's staff

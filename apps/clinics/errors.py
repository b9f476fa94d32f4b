"""Error codes the clinics app answers with (clients may rely on them; docs/api.md)."""

from enum import StrEnum


class ClinicError(StrEnum):
    SLUG_TAKEN = "unique"  # 400 on `slug`: another clinic has it
    NOT_A_PHYSIO = "not_a_physio"  # 400: only physiotherapists are a clinic's staff
    HAS_PATIENTS = "has_patients"  # 409: active patients and no colleague to take them over
    INVALID_TRANSFER = "invalid_transfer"  # 400 on `transfer_to`: not an active colleague here
    COLLEAGUE_HAS_EPISODE = "colleague_has_episode"  # 409: the colleague already has one
    ALREADY_REGISTERED = "already_registered"  # 409: the invited address has an account already
    INVITE_ACCEPTED = "invite_accepted"  # 409: revoking an invitation that was accepted
    INVALID_TOKEN = "invalid_token"  # noqa: S105 - an error code; 400 on `token`: unknown, used, revoked or expired

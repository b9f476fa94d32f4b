"""Error codes the accounts app answers with (clients may rely on them; docs/api.md)."""

from enum import StrEnum


class AccountError(StrEnum):
    EMAIL_TAKEN = "unique"  # 400 on `email`: an account with this email exists
    INVALID_TIMEZONE = "invalid_timezone"  # 400 on `timezone`: not an IANA zone name
    QUIET_HOURS_INCOMPLETE = "quiet_hours_incomplete"  # 400: set both ends or neither
    QUIET_HOURS_EMPTY = "quiet_hours_empty"  # 400 on `quiet_hours_end`: start == end
    NOT_PATIENT = "not_patient"  # only a patient account can be erased through the API
    TOO_MANY_FAILED_LOGINS = "too_many_failed_logins"  # 429: this (account, address) is locked
    INVALID_DISPLAY_NAME = "invalid_display_name"  # 400 on `display_name`: control characters
    INVALID_TOKEN = "invalid_token"  # noqa: S105 - an error code; 400 on `token`: unknown, used or expired e-mail token
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - an error code; 400 on `current_password`: not the account's password


class InviteError(StrEnum):
    INVALID = "invalid"  # 400 on `code`: no such code
    EXPIRED = "expired"  # 400 on `code`: older than 72 hours
    USED = "used"  # 400 on `code`: already used

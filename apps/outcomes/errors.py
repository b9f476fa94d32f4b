"""Error codes the outcomes app answers with (clients may rely on them; docs/api.md).

Answer problems (missing_item, out_of_range, ...) are `apps.outcomes.scoring.Problem`."""

from enum import StrEnum


class OutcomeError(StrEnum):
    UNKNOWN_INSTRUMENT = "unknown_instrument"  # 400 on `instrument`: no such enabled instrument
    WRONG_VERSION = "wrong_version"  # 400 on `version`: not the instrument's enabled version
    SCHEDULE_EXISTS = "schedule_exists"  # 409: the patient has an active schedule of it
    SCHEDULE_ENDED = "schedule_ended"  # 409: ending a schedule that has ended
    STARTS_IN_PAST = "in_past"  # 400 on `starts_on`: before the patient's today
    STARTS_TOO_LATE = "too_far"  # 400 on `starts_on`: more than a year ahead
    PATIENT_REQUIRED = "required"  # 400 on `patient`: a physio lists one patient's schedules

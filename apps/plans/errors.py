"""Error codes the plans app answers with (clients may rely on them; docs/api.md)."""

from enum import StrEnum


class PlanError(StrEnum):
    ACTIVE_PLAN_EXISTS = "active_plan_exists"  # 409: archive the active plan first
    PLAN_ARCHIVED = "plan_archived"  # 409: an archived plan cannot change
    NOT_LINKED = "not_linked"  # 400 on `patient`: not a patient the physio is linked to
    BEFORE_START = "before_start"  # 400 on `end_date`
    TOO_LONG = "too_long"  # 400 on `end_date`: a plan lasts at most a year
    EMPTY = "empty"  # 400 on `items`: a plan needs an exercise
    DUPLICATE = "duplicate"  # 400 on `days_of_week`: a day appears twice
    UNKNOWN_ITEM = "does_not_exist"  # 400 on `plan_item`: not an item of the caller's plans

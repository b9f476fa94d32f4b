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
    # 400 on `items.N.exercise`, `from_plan` or `template`: an exercise the physio may not
    # prescribe (another physio's own, or no longer published)
    EXERCISE_NOT_AVAILABLE = "exercise_not_available"
    ITEMS_OR_PLAN = "items_or_from_plan"  # 400: a template takes `items` or `from_plan`

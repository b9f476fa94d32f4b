"""A goal's status: a pure function of its target, the instrument's direction, the latest
score and the dates (docs/domain.md, Episodes and discharge).

- `met`: the latest score reaches the target in the instrument's better direction
  (at or above it when higher is better, at or below it when lower is better);
- `not_met`: not met, and the due date has passed (the day after `due_on`);
- `off_track`: not met, not yet due, and the latest score is further from the target than
  the baseline (the episode's first score of that instrument) was: it moved away from
  the target, in the instrument's own direction (LEFS target 70, baseline 50, latest 38;
  pain_week target 3, baseline 6, latest 8);
- `progressing`: otherwise, including no score yet before the due date.

Met is judged on the latest score only: a goal met once and lost since is not met.
"""

from datetime import date
from decimal import Decimal
from enum import StrEnum


class GoalStatus(StrEnum):
    MET = "met"
    PROGRESSING = "progressing"
    OFF_TRACK = "off_track"
    NOT_MET = "not_met"


def goal_reached(*, target: Decimal, higher_is_better: bool, score: Decimal | None) -> bool:
    if score is None:
        return False
    return score >= target if higher_is_better else score <= target


def shortfall(*, target: Decimal, higher_is_better: bool, score: Decimal) -> Decimal:
    """How far a score falls short of the target in the better direction (0 when met)."""
    gap = target - score if higher_is_better else score - target
    return max(gap, Decimal(0))


def goal_status(
    *,
    target: Decimal,
    higher_is_better: bool,
    latest: Decimal | None,
    due_on: date,
    today: date,
    baseline: Decimal | None = None,
) -> GoalStatus:
    if goal_reached(target=target, higher_is_better=higher_is_better, score=latest):
        return GoalStatus.MET
    if today > due_on:
        return GoalStatus.NOT_MET
    if (
        latest is not None
        and baseline is not None
        and shortfall(target=target, higher_is_better=higher_is_better, score=latest)
        > shortfall(target=target, higher_is_better=higher_is_better, score=baseline)
    ):
        return GoalStatus.OFF_TRACK
    return GoalStatus.PROGRESSING

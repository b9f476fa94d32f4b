"""A goal's status at every boundary (apps/episode_lifecycle/goals.py): pure, no database."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.episode_lifecycle.goals import GoalStatus, goal_status

DUE = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("higher_is_better", "target", "latest", "today", "expected"),
    [
        # Higher is better (LEFS 60): reaching the target exactly meets it.
        (True, "60", "60", DUE, GoalStatus.MET),
        (True, "60", "59.99", DUE, GoalStatus.PROGRESSING),
        (True, "60", "80", DUE - dt.timedelta(days=30), GoalStatus.MET),
        (True, "60", "59", DUE + dt.timedelta(days=1), GoalStatus.NOT_MET),
        (True, "60", "60", DUE + dt.timedelta(days=1), GoalStatus.MET),  # late but met
        (True, "60", None, DUE, GoalStatus.PROGRESSING),  # the due day itself is still on time
        (True, "60", None, DUE + dt.timedelta(days=1), GoalStatus.NOT_MET),
        # Lower is better (pain_week 3): at or under the target meets it.
        (False, "3", "3", DUE, GoalStatus.MET),
        (False, "3", "3.01", DUE, GoalStatus.PROGRESSING),
        (False, "3", "0", DUE, GoalStatus.MET),
        (False, "3", "4", DUE + dt.timedelta(days=1), GoalStatus.NOT_MET),
        (False, "3", "2", DUE + dt.timedelta(days=100), GoalStatus.MET),
        # A target of the scale's floor on a lower-is-better scale: only 0 meets it.
        (False, "0", "0", DUE, GoalStatus.MET),
        (False, "0", "1", DUE, GoalStatus.PROGRESSING),
    ],
)
def test_goal_status(higher_is_better, target, latest, today, expected):
    assert (
        goal_status(
            target=Decimal(target),
            higher_is_better=higher_is_better,
            latest=None if latest is None else Decimal(latest),
            due_on=DUE,
            today=today,
        )
        == expected
    )


@pytest.mark.parametrize(
    ("higher_is_better", "target", "baseline", "latest", "today", "expected"),
    [
        # The clinician's day: LEFS 70 from a baseline of 50, latest 38: away from the target.
        (True, "70", "50", "38", DUE, GoalStatus.OFF_TRACK),
        (True, "70", "50", "49.5", DUE, GoalStatus.OFF_TRACK),
        (True, "70", "50", "50", DUE, GoalStatus.PROGRESSING),  # no move: not away
        (True, "70", "50", "62", DUE, GoalStatus.PROGRESSING),  # towards it
        (True, "70", "50", "38", DUE + dt.timedelta(days=1), GoalStatus.NOT_MET),  # past due
        (True, "70", "50", "75", DUE, GoalStatus.MET),
        (True, "60", "65", "55", DUE, GoalStatus.OFF_TRACK),  # met at baseline, lost since
        (True, "70", "50", None, DUE, GoalStatus.PROGRESSING),
        (True, "70", None, "38", DUE, GoalStatus.PROGRESSING),  # nothing to compare with
        # Lower is better (pain_week 3 from 6): a rise is away from the target.
        (False, "3", "6", "8", DUE, GoalStatus.OFF_TRACK),
        (False, "3", "6", "6", DUE, GoalStatus.PROGRESSING),
        (False, "3", "6", "4", DUE, GoalStatus.PROGRESSING),
        (False, "3", "6", "2", DUE, GoalStatus.MET),
        # A fall on a lower-is-better scale is never off track, even when large.
        (False, "10", "30", "12", DUE, GoalStatus.PROGRESSING),
    ],
)
def test_off_track_when_the_latest_score_moved_away_from_the_target(
    higher_is_better, target, baseline, latest, today, expected
):
    assert (
        goal_status(
            target=Decimal(target),
            higher_is_better=higher_is_better,
            latest=None if latest is None else Decimal(latest),
            baseline=None if baseline is None else Decimal(baseline),
            due_on=DUE,
            today=today,
        )
        == expected
    )

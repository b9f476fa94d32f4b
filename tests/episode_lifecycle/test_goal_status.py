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

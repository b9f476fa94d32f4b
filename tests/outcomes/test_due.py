"""When a schedule's questionnaire is due: pure date rules."""

from datetime import date

import pytest

from apps.outcomes import due

MONDAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("today", "current", "following"),
    [
        (date(2026, 3, 1), None, MONDAY),  # before the start
        (MONDAY, MONDAY, date(2026, 3, 9)),
        (date(2026, 3, 8), MONDAY, date(2026, 3, 9)),
        (date(2026, 3, 9), date(2026, 3, 9), date(2026, 3, 16)),
        (date(2026, 4, 1), date(2026, 3, 30), date(2026, 4, 6)),
    ],
)
def test_occurrences_every_7_days(today, current, following):
    assert due.current_occurrence(starts_on=MONDAY, every_days=7, today=today) == current
    assert due.next_occurrence(starts_on=MONDAY, every_days=7, today=today) == following


@pytest.mark.parametrize(
    ("today", "answered_on", "is_due"),
    [
        (date(2026, 3, 1), None, False),  # not started
        (MONDAY, None, True),
        (MONDAY, MONDAY, False),
        (date(2026, 3, 5), MONDAY, False),  # answered this week
        (date(2026, 3, 9), MONDAY, True),  # a new week
        (date(2026, 3, 9), date(2026, 3, 8), True),  # answered a day early: still due
        (date(2026, 3, 20), None, True),  # missed ones are not stacked: one due
    ],
)
def test_due_until_answered_on_or_after_the_occurrence(today, answered_on, is_due):
    assert (
        due.is_due(starts_on=MONDAY, every_days=7, today=today, last_answered_on=answered_on)
        is is_due
    )


def test_occurrences_between_two_days():
    days = list(
        due.occurrences_between(
            starts_on=MONDAY, every_days=3, first=date(2026, 3, 3), last=date(2026, 3, 12)
        )
    )
    assert days == [date(2026, 3, 5), date(2026, 3, 8), date(2026, 3, 11)]
    assert list(
        due.occurrences_between(starts_on=MONDAY, every_days=7, first=date(2026, 2, 1), last=MONDAY)
    ) == [MONDAY]

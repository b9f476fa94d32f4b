"""When a scheduled questionnaire is due: pure functions over dates (no ORM).

A schedule asks for a response on `starts_on` and every `every_days` days after it (the
occurrences). An occurrence is due from its day, in the patient's zone, until a response
of the schedule is completed on or after that day; a missed occurrence is not carried
over: the next one replaces it.
"""

from collections.abc import Iterator
from datetime import date, timedelta


def current_occurrence(*, starts_on: date, every_days: int, today: date) -> date | None:
    """The latest occurrence on or before today; None before the schedule starts."""
    if today < starts_on:
        return None
    steps = (today - starts_on).days // every_days
    return starts_on + timedelta(days=steps * every_days)


def next_occurrence(*, starts_on: date, every_days: int, today: date) -> date:
    """The first occurrence after today."""
    if today < starts_on:
        return starts_on
    steps = (today - starts_on).days // every_days + 1
    return starts_on + timedelta(days=steps * every_days)


def occurrences_between(
    *, starts_on: date, every_days: int, first: date, last: date
) -> Iterator[date]:
    """Every occurrence from `first` to `last`, both included."""
    day = current_occurrence(starts_on=starts_on, every_days=every_days, today=first)
    if day is None or day < first:
        day = next_occurrence(starts_on=starts_on, every_days=every_days, today=first)
    while day <= last:
        yield day
        day += timedelta(days=every_days)


def is_answered(occurrence: date, last_answered_on: date | None) -> bool:
    return last_answered_on is not None and last_answered_on >= occurrence


def is_due(*, starts_on: date, every_days: int, today: date, last_answered_on: date | None) -> bool:
    current = current_occurrence(starts_on=starts_on, every_days=every_days, today=today)
    return current is not None and not is_answered(current, last_answered_on)

import datetime as dt

from tests.clock import FROZEN_NOW
from tests.factories import ExerciseLogFactory, SymptomLogFactory


def day_at(days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
    """`hour:minute` UTC (London's time in November) `days_ago` days before the frozen
    Wednesday 18 November 2026."""
    day = FROZEN_NOW.date() - dt.timedelta(days=days_ago)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def add_sessions(item, days=(4, 3, 2, 1), **fields):
    """One session of `item` at 10:00 on each of `days` (days ago), as prescribed, pain 2,
    difficulty 3 unless `fields` say otherwise."""
    values = {
        "sets_done": item.sets,
        "reps_done": item.reps,
        "pain_during": 2,
        "difficulty": 3,
        **fields,
    }
    return [ExerciseLogFactory(plan_item=item, performed_at=day_at(d, 10), **values) for d in days]


def add_mornings(patient, pains_by_day: dict[int, int] | None = None):
    """A symptom log at 08:00 on each day (days ago → pain); by default pain 3 on each of
    the last five days (today included): every next morning equals the one before."""
    pains = {d: 3 for d in range(5)} if pains_by_day is None else pains_by_day
    return [
        SymptomLogFactory(patient=patient, recorded_at=day_at(d, 8), pain_score=pain)
        for d, pain in pains.items()
    ]

"""Request bodies as the phone and the physio's client send them, valid by default:
`symptom_log_body(pain_score=11)` is the same log with one thing wrong.

Times are relative to the (maybe frozen) clock when the body is made.
"""

import datetime as dt
import uuid

from django.utils import timezone

from tests.factories.plans import ALL_DAYS


def symptom_log_body(**overrides) -> dict:
    """A valid, unremarkable log as the phone sends it."""
    body = {
        "client_id": str(uuid.uuid4()),
        "recorded_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat(),
        "pain_score": 4,
        "side": "left",
        "locations": ["front_of_knee"],
        "qualities": ["aching"],
        "swelling": "none",
        "triggers": ["stairs"],
        "note": "Sore after the stairs.",
    }
    body.update(overrides)
    return body


def care_session_body(**overrides) -> dict:
    """A valid ice session as the phone sends it, started a minute ago."""
    body = {
        "client_id": str(uuid.uuid4()),
        "kind": "ice",
        "started_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat(),
        "planned_minutes": 15,
    }
    body.update(overrides)
    return body


def exercise_log_body(item, **overrides) -> dict:
    """One session of plan item `item`, done two minutes ago."""
    body = {
        "client_id": str(uuid.uuid4()),
        "plan_item": str(item.id),
        "performed_at": (timezone.now() - dt.timedelta(minutes=2)).isoformat(),
        "sets_done": 3,
        "reps_done": 10,
        "pain_during": 2,
        "difficulty": 3,
        "note": "Fine.",
    }
    body.update(overrides)
    return body


def plan_body(patient, **overrides) -> dict:
    """The plan `make_plan` makes, as the physio's client posts it: from yesterday for six
    weeks, a stretch twice a day every day and quad sets on Monday, Wednesday and Friday
    (the `exercise` and `other_exercise` fixtures)."""
    today = timezone.now().date()
    body = {
        "patient": str(patient.id),
        "title": "Calf and knee",
        "start_date": str(today - dt.timedelta(days=1)),
        "end_date": str(today + dt.timedelta(days=41)),
        "reminder_times": ["08:00", "18:30"],
        "items": [
            {
                "exercise": "wall-calf-stretch",
                "sets": 3,
                "hold_seconds": 30,
                "times_per_day": 2,
                "days_of_week": ALL_DAYS,
                "max_pain": 3,
            },
            {
                "exercise": "quad-sets",
                "sets": 2,
                "reps": 10,
                "days_of_week": [0, 2, 4],
                "max_pain": 4,
                "notes": "Slowly.",
            },
        ],
    }
    body.update(overrides)
    return body

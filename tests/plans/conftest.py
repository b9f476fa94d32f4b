import datetime as dt

import pytest
from django.utils import timezone

from apps.accounts.services import care_link_create
from apps.plans import services
from tests.content.factories import ExerciseFactory

ALL_DAYS = [0, 1, 2, 3, 4, 5, 6]


@pytest.fixture
def linked(physio, patient):
    return care_link_create(physio=physio, patient=patient)


@pytest.fixture
def exercise(db):
    return ExerciseFactory(
        slug="wall-calf-stretch",
        name="Wall calf stretch",
        default_reps=None,
        default_hold_seconds=30,
    )


@pytest.fixture
def other_exercise(db):
    return ExerciseFactory(slug="quad-sets", name="Quad sets", default_reps=10)


def plan_body(patient, **overrides) -> dict:
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


@pytest.fixture
def make_plan(physio, patient, linked, exercise, other_exercise):
    def make(**overrides):
        body = plan_body(patient, **overrides)
        items = []
        from apps.content.models import Exercise

        for item in body["items"]:
            items.append({**item, "exercise": Exercise.objects.get(slug=item["exercise"])})
        return services.plan_create(
            physio=physio,
            patient_id=patient.id,
            title=body["title"],
            start_date=dt.date.fromisoformat(body["start_date"]),
            end_date=dt.date.fromisoformat(body["end_date"]),
            reminder_times=body["reminder_times"],
            items=items,
        )

    return make

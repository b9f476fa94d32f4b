"""Fixtures for episodes, goals and discharge: the shipped instruments and helpers that
act as the physio's client and the patient's phone do."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from apps.outcomes.services import instruments_load
from tests.conftest import client_for

LEFS_ITEMS = [str(n) for n in range(1, 21)]


@pytest.fixture(autouse=True)
def _postgres_only(request):
    from django.db import connection

    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture
def instruments(db):
    """lefs, psfs and pain_week as `bootstrap` loads them."""
    return instruments_load()


def episode_body(**overrides) -> dict:
    body = {
        "title": "Right knee pain",
        "started_on": str(timezone.now().date()),
    }
    body.update(overrides)
    return body


def goal_body(**overrides) -> dict:
    body = {
        "description": "Climb a flight of stairs without the rail",
        "instrument": "lefs",
        "target": 60,
        "due_on": str(timezone.now().date() + dt.timedelta(days=42)),
    }
    body.update(overrides)
    return body


def lefs_response(patient, total_per_item: int, completed_at=None) -> dict:
    """A LEFS response (score = 20 × the value) posted by the patient's phone."""
    body = {
        "client_id": str(uuid.uuid4()),
        "instrument": "lefs",
        "answers": [{"item": item, "value": total_per_item} for item in LEFS_ITEMS],
        "completed_at": (completed_at or timezone.now() - dt.timedelta(minutes=1)).isoformat(),
    }
    response = client_for(patient).post("/api/v1/outcome-responses/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def open_episode(physio, patient, **overrides) -> dict:
    response = client_for(physio).post(
        f"/api/v1/patients/{patient.id}/episodes/", episode_body(**overrides), format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()

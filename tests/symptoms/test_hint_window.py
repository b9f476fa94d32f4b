"""The referred-pain hint on a new log looks back as far as the physio's summary does
(HINT_WINDOW, 14 days), not only as far as triage does (7 days)."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from tests.conftest import client_for


def referred_log(days_ago: float) -> dict:
    """A log with every sign of seed 004's pattern (pain referred from the lower back)."""
    return {
        "client_id": str(uuid.uuid4()),
        "recorded_at": (timezone.now() - dt.timedelta(days=days_ago)).isoformat(),
        "pain_score": 4,
        "side": "left",
        "locations": ["front_of_knee", "inner_knee"],
        "qualities": ["dull", "aching"],
        "triggers": ["bending_back"],
        "numbness_tingling": True,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("days_ago", "hinted"), [(10, True), (13.9, True), (14.1, False)])
def test_a_matching_log_earlier_in_the_window_makes_the_hint(patient, days_ago, hinted):
    client = client_for(patient)
    assert (
        client.post("/api/v1/symptom-logs/", referred_log(days_ago), format="json").status_code
        == 201
    )

    response = client.post("/api/v1/symptom-logs/", referred_log(0), format="json")

    assert response.status_code == 201
    assert bool(response.json()["hints"]) is hinted


@pytest.mark.django_db
def test_the_bulk_sync_uses_the_same_window(patient):
    response = client_for(patient).post(
        "/api/v1/symptom-logs/bulk/", [referred_log(10), referred_log(0)], format="json"
    )

    assert response.status_code == 200
    newest = response.json()["results"][1]["log"]
    assert newest["hints"]
    assert newest["hints"][0]["code"]

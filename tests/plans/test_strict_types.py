"""Numbers where the API wants strings are refused, not turned into text: a phone that
sends 12345 as a note has a bug the server should name, not hide."""

import pytest

from apps.care.models import CareSession
from apps.plans.models import ExerciseLog, ExercisePlan
from apps.symptoms.models import SymptomLog
from tests.bodies import care_session_body, exercise_log_body, plan_body, symptom_log_body
from tests.conftest import client_for


def refused(response, attr: str) -> None:
    assert response.status_code == 400, response.content
    assert attr in {error["attr"] for error in response.json()["errors"]}


@pytest.mark.django_db
def test_symptom_note_must_be_text(patient_client):
    refused(
        patient_client.post("/api/v1/symptom-logs/", symptom_log_body(note=12345), format="json"),
        "note",
    )
    assert not SymptomLog.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("since", ["2026-11-21T00:00:00", "2026-11-21"])
def test_symptom_ranges_need_an_offset(patient_client, since):
    refused(patient_client.get("/api/v1/symptom-logs/", {"since": since}), "since")


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [("title", 123), ("notes", 5)])
def test_plan_text_must_be_text(physio, patient, linked, exercise, other_exercise, field, value):
    body = plan_body(patient)
    if field == "notes":
        body["items"][0]["notes"] = value
        attr = "items.0.notes"
    else:
        body[field] = value
        attr = field
    refused(client_for(physio).post("/api/v1/plans/", body, format="json"), attr)
    assert not ExercisePlan.objects.exists()


@pytest.mark.django_db
def test_exercise_log_note_must_be_text(patient_client, make_plan):
    item = make_plan().items.first()
    response = patient_client.post(
        "/api/v1/exercise-logs/", exercise_log_body(item, note=7), format="json"
    )
    refused(response, "note")
    assert not ExerciseLog.objects.exists()


@pytest.mark.django_db
def test_care_session_client_id_must_be_a_uuid_string(patient_client):
    response = patient_client.post(
        "/api/v1/care-sessions/", care_session_body(client_id=5), format="json"
    )
    refused(response, "client_id")
    assert not CareSession.objects.exists()


@pytest.mark.django_db
def test_a_password_must_be_text(api_client):
    response = api_client.post(
        "/api/v1/auth/register/",
        {"email": "new@example.org", "password": 123456789012, "timezone": "UTC"},
        format="json",
    )
    refused(response, "password")

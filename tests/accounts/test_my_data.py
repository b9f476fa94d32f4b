"""A patient's right to their data: export everything, erase everything."""

import datetime as dt
import uuid

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from apps.accounts.models import CareTeamLink, User
from apps.alerts.models import Alert
from apps.care.services import care_session_start
from apps.interop.serializers import ExportSerializer
from apps.notifications.models import Notification, Reminder
from apps.plans.models import ExerciseLog, ExercisePlan, PlanItem
from apps.plans.services import exercise_log_create
from apps.symptoms.models import SymptomLog
from apps.symptoms.services import symptom_log_create
from tests.conftest import client_for


@pytest.fixture
def patient_with_data(patient, physio, make_plan):
    plan = make_plan()
    item = PlanItem.objects.filter(plan=plan).first()
    exercise_log_create(
        patient=patient,
        plan_item=item,
        client_id=uuid.uuid4(),
        performed_at=timezone.now(),
        sets_done=2,
        pain_during=2,
    )
    symptom_log_create(
        patient=patient,
        client_id=uuid.uuid4(),
        recorded_at=timezone.now(),
        pain_score=5,
        locations=["calf"],
        redness=True,
        note="Sore calf",
    )
    care_session_start(
        patient=patient,
        client_id=uuid.uuid4(),
        kind="ice",
        started_at=timezone.now() - dt.timedelta(minutes=1),
        planned_minutes=15,
    )
    client_for(physio).get(f"/api/v1/patients/{patient.id}/symptom-logs/")  # an audited read
    return patient


@pytest.mark.django_db
def test_the_export_holds_every_record_the_patient_owns(patient_with_data, other_patient):
    symptom_log_create(
        patient=other_patient,
        client_id=uuid.uuid4(),
        recorded_at=timezone.now(),
        pain_score=1,
        locations=["calf"],
    )

    response = client_for(patient_with_data).get("/api/v1/me/export/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["profile"]["email"] == patient_with_data.email
    assert [log["note"] for log in data["symptom_logs"]] == ["Sore calf"]
    assert len(data["exercise_plans"]) == 1
    assert len(data["plan_items"]) == 2
    assert len(data["exercise_logs"]) == 1
    assert len(data["care_sessions"]) == 1
    assert len(data["alerts"]) == 1
    assert len(data["care_team"]) == 1
    assert data["record_access"][0]["what"] == "symptom_logs.list"
    assert any(r["kind"] == "care" for r in data["reminders"])
    # The schema's shape of the export names exactly its sections.
    assert set(data) == set(ExportSerializer().fields)


@pytest.mark.django_db
def test_only_patients_export(physio_client, editor_client, api_client):
    assert physio_client.get("/api/v1/me/export/").status_code == 403
    assert editor_client.get("/api/v1/me/export/").status_code == 403
    assert api_client.get("/api/v1/me/export/").status_code == 401


@pytest.mark.django_db
def test_erasing_the_account_removes_all_its_data_and_nobody_elses(
    patient_with_data, other_patient, physio
):
    patient = patient_with_data
    symptom_log_create(
        patient=other_patient,
        client_id=uuid.uuid4(),
        recorded_at=timezone.now(),
        pain_score=1,
        locations=["calf"],
    )
    AccessAttempt.objects.create(
        username=patient.email, ip_address="203.0.113.1", user_agent="x", failures_since_start=1
    )
    client = client_for(patient)

    response = client.delete("/api/v1/me/")

    assert response.status_code == 204
    assert not User.objects.filter(pk=patient.pk).exists()
    for model, field in (
        (SymptomLog, "patient"),
        (ExercisePlan, "patient"),
        (ExerciseLog, "patient"),
        (Alert, "patient"),
        (CareTeamLink, "patient"),
        (Reminder, "user"),
        (Notification, "user"),
    ):
        assert not model.objects.filter(**{f"{field}_id": patient.pk}).exists(), model
    assert not AccessAttempt.objects.filter(username=patient.email).exists()
    assert SymptomLog.objects.filter(patient=other_patient).count() == 1
    assert User.objects.filter(pk=physio.pk).exists()
    assert client.get("/api/v1/me/").status_code == 401  # the token's user is gone


@pytest.mark.django_db
def test_physios_and_editors_cannot_erase_themselves_here(physio, editor):
    for user in (physio, editor):
        assert client_for(user).delete("/api/v1/me/").status_code == 403
        assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_erase_refuses_a_body_it_does_not_understand(patient_client, patient):
    response = patient_client.delete("/api/v1/me/", {"confirm": "yes"}, format="json")
    assert response.status_code == 400
    assert User.objects.filter(pk=patient.pk).exists()

"""Logging and triage never depend on the broker (DESIGN.md, Flows)."""

import pytest

from apps.alerts.models import Alert
from apps.symptoms.models import SymptomLog
from tests.symptoms.conftest import log_body


@pytest.mark.django_db
def test_with_the_broker_unreachable_a_red_flag_log_is_stored_with_its_alert(
    patient_client, patient, celery_broker, django_capture_on_commit_callbacks
):
    # A real connection attempt to a port where nothing listens.
    celery_broker("redis://127.0.0.1:1/0")

    with django_capture_on_commit_callbacks(execute=True):
        response = patient_client.post(
            "/api/v1/symptom-logs/",
            log_body(locations=["calf"], redness=True, warmth=True),
            format="json",
        )

    assert response.status_code == 201
    assert response.json()["triage"]["level"] == "urgent"
    assert SymptomLog.objects.filter(patient=patient).count() == 1
    assert Alert.objects.filter(patient=patient, level="urgent").count() == 1

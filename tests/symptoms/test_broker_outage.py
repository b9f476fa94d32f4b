"""Logging and triage never depend on Redis, as broker or as cache (docs/architecture.md, Flows)."""

import pytest

from apps.alerts.models import Alert
from apps.symptoms.models import SymptomLog
from backend.settings.cache import redis_cache
from tests.bodies import symptom_log_body

NOTHING_LISTENS = "redis://127.0.0.1:1/0"  # a real connection attempt that is refused


@pytest.fixture
def redis_down(settings, celery_broker):
    """Broker and cache both on a Redis that is not there, as in production when it dies."""
    celery_broker(NOTHING_LISTENS)
    settings.CACHES = redis_cache(NOTHING_LISTENS)


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_down")
def test_with_redis_unreachable_a_red_flag_log_is_stored_with_its_alert(
    patient_client, patient, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = patient_client.post(
            "/api/v1/symptom-logs/",
            symptom_log_body(locations=["calf"], redness=True, warmth=True),
            format="json",
        )

    assert response.status_code == 201
    assert response.json()["triage"]["level"] == "urgent"
    assert SymptomLog.objects.filter(patient=patient).count() == 1
    assert Alert.objects.filter(patient=patient, level="urgent").count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_down")
def test_with_redis_unreachable_a_bulk_sync_is_stored(
    patient_client, patient, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = patient_client.post(
            "/api/v1/symptom-logs/bulk/",
            [symptom_log_body(), symptom_log_body(locations=["calf"], redness=True)],
            format="json",
        )

    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["created", "created"]
    assert SymptomLog.objects.filter(patient=patient).count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_down")
def test_with_redis_unreachable_patients_can_still_sign_in(api_client, patient):
    # Login throttling counts in the cache; with the cache gone it fails open, while
    # django-axes (in the database) still locks out password guessing.
    patient.set_password("Knee-pain-2026")
    patient.save()

    response = api_client.post(
        "/api/v1/auth/token/",
        {"email": patient.email, "password": "Knee-pain-2026"},
        format="json",
    )

    assert response.status_code == 200

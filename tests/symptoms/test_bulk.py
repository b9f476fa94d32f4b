import json
import math
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.alerts.models import Alert
from apps.symptoms.models import SymptomLog
from tests.bodies import symptom_log_body
from tests.conftest import client_for

URL = "/api/v1/symptom-logs/bulk/"


def offline_logs(count: int, **overrides) -> list[dict]:
    start = timezone.now() - timedelta(days=2)
    return [
        symptom_log_body(
            recorded_at=(start + timedelta(minutes=5 * n)).isoformat(),
            pain_score=n % 11,
            **overrides,
        )
        for n in range(count)
    ]


@pytest.mark.django_db
def test_valid_items_are_stored_and_bad_ones_reported_in_order(patient_client, patient):
    good, bad, urgent = (
        symptom_log_body(),
        symptom_log_body(pain_score=12),
        symptom_log_body(locations=["calf"], redness=True),
    )

    response = patient_client.post(URL, [good, bad, urgent], format="json")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["index"] for r in results] == [0, 1, 2]
    assert [r["status"] for r in results] == ["created", "invalid", "created"]
    assert results[1]["errors"] == [
        {"code": "max_value", "detail": results[1]["errors"][0]["detail"], "attr": "pain_score"}
    ]
    assert results[2]["log"]["triage"]["level"] == "urgent"
    assert SymptomLog.objects.filter(patient=patient).count() == 2
    assert Alert.objects.filter(patient=patient).count() == 1


@pytest.mark.django_db
def test_known_client_ids_come_back_as_existing_and_are_not_duplicated(patient_client, patient):
    first = symptom_log_body()
    patient_client.post("/api/v1/symptom-logs/", first, format="json")

    response = patient_client.post(
        URL, [first, {**first, "pain_score": 9}, symptom_log_body()], format="json"
    )

    assert [r["status"] for r in response.json()["results"]] == ["existing", "existing", "created"]
    assert response.json()["results"][1]["log"]["pain_score"] == 4
    assert SymptomLog.objects.count() == 2


@pytest.mark.django_db
def test_the_same_client_id_twice_in_one_batch_is_stored_once(patient_client):
    item = symptom_log_body()

    response = patient_client.post(URL, [item, item], format="json")

    assert [r["status"] for r in response.json()["results"]] == ["created", "existing"]
    assert SymptomLog.objects.count() == 1


@pytest.mark.django_db
def test_triage_within_a_batch_sees_earlier_items_of_the_batch(patient_client):
    base = timezone.now() - timedelta(hours=30)
    earlier = symptom_log_body(
        recorded_at=base.isoformat(), swelling="none", locations=["back_of_knee"]
    )
    later = symptom_log_body(
        recorded_at=(base + timedelta(hours=24)).isoformat(),
        swelling="significant",
        locations=["back_of_knee"],
    )

    response = patient_client.post(URL, [later, earlier], format="json")

    codes = [f["code"] for f in response.json()["results"][0]["log"]["triage"]["flags"]]
    assert "sudden_severe_pain_swelling" in codes  # swelling grew within 48 hours


@pytest.mark.django_db
def test_500_logs_are_stored_with_a_bounded_number_of_queries(
    patient_client, patient, django_assert_max_num_queries
):
    items = offline_logs(500)
    items[7] = {**items[7], "locations": ["calf"], "redness": True}

    # user, savepoint pair, known ids, history, alerts, alert events, the
    # patient's physios (for their notifications): 8, plus the
    # bulk insert, which is one statement on PostgreSQL and SQLite's parameter limit
    # splits into batches.
    fields = [f for f in SymptomLog._meta.concrete_fields]
    insert_batches = math.ceil(500 / connection.ops.bulk_batch_size(fields, [None] * 500))
    with django_assert_max_num_queries(8 + insert_batches):
        response = patient_client.post(URL, items, format="json")

    assert response.status_code == 200
    assert {r["status"] for r in response.json()["results"]} == {"created"}
    assert SymptomLog.objects.filter(patient=patient).count() == 500
    assert Alert.objects.filter(patient=patient).count() == 1


@pytest.mark.django_db
def test_more_than_500_is_refused_whole(patient_client):
    response = patient_client.post(URL, offline_logs(501), format="json")

    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_many_items"
    assert not SymptomLog.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("payload", [{"pain_score": 3}, "logs", 12])
def test_a_body_that_is_not_a_list_is_a_400(patient_client, payload):
    response = patient_client.post(URL, payload, format="json")
    assert response.status_code == 400
    assert not SymptomLog.objects.exists()


@pytest.mark.django_db
def test_an_object_with_a_logs_list_is_accepted(patient_client):
    response = patient_client.post(URL, {"logs": [symptom_log_body()]}, format="json")
    assert response.json()["results"][0]["status"] == "created"


@pytest.mark.django_db
def test_non_object_items_are_reported_not_fatal(patient_client):
    response = patient_client.post(URL, ["nope", symptom_log_body(), None], format="json")

    assert [r["status"] for r in response.json()["results"]] == ["invalid", "created", "invalid"]


@pytest.mark.django_db
def test_an_empty_batch_stores_nothing(patient_client):
    response = patient_client.post(URL, [], format="json")
    assert response.status_code == 200
    assert response.json() == {"results": []}


@pytest.mark.django_db
def test_only_patients_sync(physio_client):
    assert physio_client.post(URL, [symptom_log_body()], format="json").status_code == 403
    assert not SymptomLog.objects.exists()


@pytest.mark.django_db
def test_ids_are_the_patients_own(patient_client, patient):
    response = patient_client.post(URL, [symptom_log_body()], format="json")
    log_id = response.json()["results"][0]["log"]["id"]
    assert SymptomLog.objects.get(pk=uuid.UUID(log_id)).patient == patient


def a_week_of_logs() -> list[dict]:
    """Twenty logs over six days: a local knee problem first, then the pattern of pain
    referred from the back, so hints depend on which earlier logs each one sees."""
    start = timezone.now() - timedelta(days=6)
    local = {
        "locations": ["outer_knee"],
        "qualities": ["sharp"],
        "triggers": ["stairs"],
        "swelling": "mild",
        "recent_knee_injury": True,
    }
    referred = {
        "locations": ["front_of_knee", "inner_knee"],
        "qualities": ["dull", "aching"],
        "triggers": ["bending_back"],
        "numbness_tingling": True,
    }
    return [
        symptom_log_body(
            recorded_at=(start + timedelta(hours=7 * n)).isoformat(),
            pain_score=3 + n % 5,
            **(local if n < 10 else referred),
        )
        for n in range(20)
    ]


def assessments(logs: list[dict]) -> list[tuple]:
    return [(log["triage"]["level"], log["triage"]["flags"], log["hints"]) for log in logs]


@pytest.mark.django_db
def test_a_synced_batch_is_assessed_exactly_like_the_same_logs_sent_one_by_one(
    patient_client, other_patient
):
    """Offline sync must not change what a log's triage and hints say: each item sees the
    logs before it, newest first, whatever the order of the batch."""
    logs = a_week_of_logs()
    one_by_one = [
        patient_client.post("/api/v1/symptom-logs/", body, format="json").json() for body in logs
    ]
    batch = [{**body, "client_id": str(uuid.uuid4())} for body in logs]
    shuffled = list(reversed(batch[10:])) + batch[:10]

    response = client_for(other_patient).post(URL, shuffled, format="json")

    synced = {r["log"]["client_id"]: r["log"] for r in response.json()["results"]}
    assert assessments([synced[body["client_id"]] for body in batch]) == assessments(one_by_one)
    assert any(log["hints"] for log in one_by_one[10:])  # the sequence does exercise hints


@pytest.mark.django_db
def test_the_largest_legal_sync_is_accepted(patient_client, patient):
    """500 logs with 1,000-character notes, JSON-escaped: some 3 MB, over Django's default
    2.5 MB upload limit."""
    logs = offline_logs(500, note="é" * 1000)
    body = json.dumps(logs, ensure_ascii=True)
    assert len(body) > 2.5 * 1024 * 1024

    response = patient_client.post(URL, body, content_type="application/json")

    assert response.status_code == 200
    assert SymptomLog.objects.filter(patient=patient).count() == 500


@pytest.mark.django_db
def test_a_non_object_item_is_reported_with_a_null_attr(patient_client):
    response = patient_client.post(URL, [symptom_log_body(), 5], format="json")

    assert response.json()["results"][1]["errors"][0]["attr"] is None


@pytest.mark.django_db
def test_500_urgent_logs_with_three_physios_cost_the_same_queries_as_one(
    patient_client, patient, django_assert_max_num_queries
):
    """Alerts, their events, physio notifications and push deliveries are written in
    bulk: the query count does not grow with the number of red flags or physios."""
    from apps.accounts.services import care_link_create
    from apps.notifications.models import Device, Notification
    from tests.factories import PhysioFactory

    for n in range(3):
        physio = PhysioFactory()
        care_link_create(physio=physio, patient=patient)
        Device.objects.create(
            user=physio, platform="android", token=f"t{n}", token_hash=f"{n}" * 64
        )

    def urgent(count: int) -> list[dict]:
        return offline_logs(count, locations=["calf"], redness=True, swelling="significant")

    with CaptureQueriesContext(connection) as one:
        patient_client.post(URL, urgent(1), format="json")
    SymptomLog.objects.all().delete()

    fields = list(SymptomLog._meta.concrete_fields)
    insert_batches = math.ceil(500 / connection.ops.bulk_batch_size(fields, [None] * 500))
    # Beyond the one-log case, only SQLite's parameter limit may split bulk inserts: of
    # logs, alerts, events, notifications and deliveries (generously bounded here).
    with django_assert_max_num_queries(len(one) + 5 * insert_batches):
        response = patient_client.post(URL, urgent(500), format="json")

    assert response.status_code == 200
    assert Alert.objects.filter(patient=patient, level="urgent").count() == 500
    assert Notification.objects.filter(kind="alert").count() >= 500 * 3

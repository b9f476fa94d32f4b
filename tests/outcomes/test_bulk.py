"""Offline sync: `POST outcome-responses/bulk/` takes up to 500 responses; one result per
item in order, valid items stored even when others fail, a fixed number of queries."""

import math
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.alerts.models import Alert
from apps.outcomes.models import OutcomeResponse
from apps.outcomes.services import outcome_schedule_create
from tests.outcomes.conftest import lefs_answers, lefs_body, psfs_answers, response_body

URL = "/api/v1/outcome-responses/bulk/"


def at(days_ago: float) -> str:
    return (timezone.now() - timedelta(days=days_ago)).isoformat()


def test_valid_items_are_stored_and_bad_ones_reported_in_order(
    instruments, patient_client, patient
):
    good = lefs_body(2, completed_at=at(3))
    bad_shape = lefs_body(answers=[{"item": "1", "value": "4"}])
    bad_answer = lefs_body(answers=lefs_answers(4)[:19])
    later = lefs_body(3, completed_at=at(1))

    response = patient_client.post(URL, [good, bad_shape, bad_answer, later], format="json")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["index"], r["status"]) for r in results] == [
        (0, "created"),
        (1, "invalid"),
        (2, "invalid"),
        (3, "created"),
    ]
    assert [(e["attr"], e["code"]) for e in results[1]["errors"]] == [
        ("answers.0.value", "invalid")
    ]
    assert [(e["attr"], e["code"]) for e in results[2]["errors"]] == [("answers", "missing_item")]
    assert results[0]["response"]["is_baseline"] is True
    assert (results[3]["response"]["change"], results[3]["response"]["responder"]) == (
        20,
        "improved",
    )
    assert OutcomeResponse.objects.filter(patient=patient).count() == 2


def test_known_and_repeated_client_ids_are_not_duplicated(instruments, patient_client):
    first = lefs_body(4, completed_at=at(2))
    patient_client.post("/api/v1/outcome-responses/", first, format="json")
    fresh = lefs_body(1)

    response = patient_client.post(
        URL, [first, fresh, fresh, {**first, "answers": lefs_answers(0)}], format="json"
    )

    assert [r["status"] for r in response.json()["results"]] == [
        "existing",
        "created",
        "existing",
        "existing",  # the stored response wins over a changed copy
    ]
    assert response.json()["results"][3]["response"]["score"] == 80
    assert OutcomeResponse.objects.count() == 2


def test_a_repeated_bad_item_is_reported_each_time(instruments, patient_client):
    bad = lefs_body(answers=lefs_answers(4)[:5])
    results = patient_client.post(URL, [bad, bad], format="json").json()["results"]
    assert [r["status"] for r in results] == ["invalid", "invalid"]
    assert results[0]["errors"] == results[1]["errors"]
    assert not OutcomeResponse.objects.exists()


def test_the_first_psfs_of_a_batch_names_the_activities(instruments, patient_client, patient):
    first = response_body("psfs", psfs_answers(("stairs", 3), ("running", 2)), completed_at=at(9))
    same = response_body("psfs", psfs_answers(("stairs", 6), ("running", 6)), completed_at=at(2))
    renamed = response_body("psfs", psfs_answers(("stairs", 6), ("cycling", 6)), completed_at=at(1))

    # Sent newest first: the oldest is still the one that names the activities.
    results = patient_client.post(URL, [renamed, same, first], format="json").json()["results"]

    assert [r["status"] for r in results] == ["invalid", "created", "created"]
    assert results[0]["errors"][0]["attr"] == "answers.1.label"
    assert results[1]["response"]["responder"] == "improved"
    assert results[2]["response"]["is_baseline"]


def test_a_batch_is_a_json_array_of_at_most_500(instruments, patient_client):
    too_many = patient_client.post(URL, [lefs_body()] * 501, format="json")
    assert too_many.status_code == 413
    assert too_many.json()["errors"][0]["code"] == "too_many_items"
    not_a_list = patient_client.post(URL, {"client_id": "x"}, format="json")
    assert not_a_list.status_code == 400
    assert not_a_list.json()["errors"][0]["code"] == "not_a_list"
    wrapped = patient_client.post(URL, {"responses": [lefs_body()]}, format="json")
    assert wrapped.status_code == 200
    assert OutcomeResponse.objects.count() == 1


def test_only_patients_sync(instruments, physio_client, editor_client, api_client):
    for client, expected in ((physio_client, 403), (editor_client, 403), (api_client, 401)):
        assert client.post(URL, [lefs_body()], format="json").status_code == expected
    assert not OutcomeResponse.objects.exists()


def batch(count: int) -> list[dict]:
    start = timezone.now() - timedelta(days=30)
    items = [
        lefs_body(3 if n % 2 else 4, completed_at=(start + timedelta(hours=n)).isoformat())
        for n in range(count)
    ]
    items[-1] = lefs_body(1, completed_at=at(0.01))  # worsened: raises the alert
    return items


def insert_batches(count: int) -> int:
    fields = list(OutcomeResponse._meta.concrete_fields)
    return math.ceil(count / connection.ops.bulk_batch_size(fields, [None] * count))


@pytest.mark.parametrize("other_sources", [False, True])
def test_queries_do_not_grow_with_the_number_of_items(
    instruments, linked, physio, patient, patient_client, other_sources
):
    if other_sources:  # a schedule to join and reminders to re-plan
        outcome_schedule_create(
            physio=physio,
            patient=patient,
            instrument="lefs",
            every_days=7,
            starts_on=timezone.now().astimezone(patient.zone).date() - timedelta(days=1),
        )
    counts = {}
    for count in (3, 500):
        OutcomeResponse.objects.all().delete()
        Alert.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            response = patient_client.post(URL, batch(count), format="json")
        assert response.status_code == 200
        assert {r["status"] for r in response.json()["results"]} == {"created"}
        counts[count] = len(queries) - insert_batches(count)
    assert counts[3] == counts[500], counts
    assert Alert.objects.filter(patient=patient).count() == 1
    assert OutcomeResponse.objects.filter(patient=patient).count() == 500

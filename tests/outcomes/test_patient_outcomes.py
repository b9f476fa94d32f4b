"""`GET patients/{id}/outcomes/`: a linked physiotherapist reads the series per
instrument; every read is audited."""

import uuid
from datetime import timedelta

from django.utils import timezone

from apps.accounts.models import PatientAccessAudit
from apps.outcomes.services import outcome_responses_store
from tests.conftest import client_for
from tests.outcomes.conftest import bulk_item, lefs_answers, pain_answers


def store(patient, instrument, answers, days_ago):
    outcome_responses_store(
        patient=patient,
        items=[
            bulk_item(
                0,
                fields={
                    "client_id": uuid.uuid4(),
                    "instrument": instrument,
                    "answers": answers,
                    "completed_at": timezone.now() - timedelta(days=days_ago),
                },
            )
        ],
    )


def test_a_linked_physio_reads_each_instruments_series(
    instruments, linked, physio, physio_client, patient
):
    store(patient, "lefs", lefs_answers(2), 14)
    store(patient, "lefs", lefs_answers(3), 7)
    store(patient, "pain_week", pain_answers(6, 8), 7)
    store(patient, "pain_week", pain_answers(5, 8), 1)

    response = physio_client.get(f"/api/v1/patients/{patient.id}/outcomes/")

    assert response.status_code == 200
    lefs, pain = response.json()["results"]
    assert lefs["instrument"] == "lefs"
    assert (lefs["baseline"], lefs["latest"], lefs["change"], lefs["mcid"]) == (40, 60, 20, 9)
    assert lefs["responder"] == "improved"
    assert [point["score"] for point in lefs["series"]] == [40, 60]
    assert (pain["instrument"], pain["change"], pain["responder"]) == ("pain_week", -1, "no_change")
    assert list(PatientAccessAudit.objects.values_list("physio", "patient", "what")) == [
        (physio.id, patient.id, "outcomes.series")
    ]


def test_others_get_404_or_403_and_nothing_is_audited(
    instruments, linked, patient, patient_client, other_physio, editor_client, api_client
):
    store(patient, "lefs", lefs_answers(2), 1)
    path = f"/api/v1/patients/{patient.id}/outcomes/"

    assert client_for(other_physio).get(path).status_code == 404
    assert patient_client.get(path).status_code == 403
    assert editor_client.get(path).status_code == 403
    assert api_client.get(path).status_code == 401
    assert not PatientAccessAudit.objects.exists()


def test_a_patient_without_responses_has_an_empty_list(instruments, linked, physio_client, patient):
    response = physio_client.get(f"/api/v1/patients/{patient.id}/outcomes/")
    assert response.json()["results"] == []

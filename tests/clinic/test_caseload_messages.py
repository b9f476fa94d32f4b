"""Messages reach the caseload and the export: the dashboard counts a patient's unread
messages to this physio; the patient's export holds their threads."""

import uuid

import pytest

from apps.accounts.services import care_link_create
from tests.conftest import client_for


def post_message(user, link, body: str):
    return client_for(user).post(
        f"/api/v1/care-team/{link.id}/messages/",
        {"client_id": str(uuid.uuid4()), "body": body},
        format="json",
    )


@pytest.mark.django_db
def test_the_dashboard_counts_unread_messages_from_each_patient(
    physio, other_physio, patient, other_patient
):
    link = care_link_create(physio=physio, patient=patient)
    care_link_create(physio=physio, patient=other_patient)
    other_link = care_link_create(physio=other_physio, patient=patient)
    assert post_message(patient, link, "Can I swim?").status_code == 201
    assert post_message(patient, link, "And cycle?").status_code == 201
    assert post_message(patient, other_link, "For the other physio").status_code == 201

    rows = {
        row["email"]: row for row in client_for(physio).get("/api/v1/patients/").json()["results"]
    }

    assert rows[patient.email]["unread_count"] == 2
    assert rows[other_patient.email]["unread_count"] == 0
    summary = client_for(physio).get(f"/api/v1/patients/{patient.id}/summary/").json()
    assert summary["unread_count"] == 2


@pytest.mark.django_db
def test_the_export_holds_the_patients_threads(physio, patient):
    link = care_link_create(physio=physio, patient=patient)
    post_message(patient, link, "Can I swim?")
    post_message(physio, link, "Yes, gently.")

    export = client_for(patient).get("/api/v1/me/export/").json()

    assert [m["body"] for m in export["messages"]] == ["Can I swim?", "Yes, gently."]

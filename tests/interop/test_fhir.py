import uuid

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from apps.accounts.models import PatientAccessAudit
from apps.accounts.services import care_link_end
from apps.symptoms.services import symptom_log_create
from tests.conftest import client_for


@pytest.mark.django_db
def test_a_linked_physio_gets_a_valid_fhir_bundle(physio_client, physio, patient, make_plan):
    make_plan()
    for pain in (3, 7):
        symptom_log_create(
            patient=patient,
            client_id=uuid.uuid4(),
            recorded_at=timezone.now(),
            pain_score=pain,
            locations=["calf"],
            redness=pain > 5,
        )

    response = physio_client.get(f"/api/v1/patients/{patient.id}/fhir/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    Bundle.model_validate(body)  # FHIR R4(B) structure, types and cardinalities
    kinds = [entry["resource"]["resourceType"] for entry in body["entry"]]
    assert kinds.count("Patient") == 1
    assert kinds.count("Observation") == 2
    assert kinds.count("CarePlan") == 1
    assert kinds.count("Flag") == 1
    observations = [
        e["resource"] for e in body["entry"] if e["resource"]["resourceType"] == "Observation"
    ]
    assert {o["code"]["coding"][0]["code"] for o in observations} == {"72514-3"}
    assert sorted(o["valueInteger"] for o in observations) == [3, 7]
    patient_ref = f"urn:uuid:{patient.id}"
    assert all(o["subject"]["reference"] == patient_ref for o in observations)
    assert (
        PatientAccessAudit.objects.filter(
            physio=physio, patient=patient, what="fhir.bundle"
        ).count()
        == 1
    )


@pytest.mark.django_db
def test_the_bundle_is_404_for_anyone_not_linked(patient, physio, other_physio, linked):
    url = f"/api/v1/patients/{patient.id}/fhir/"
    assert client_for(other_physio).get(url).status_code == 404
    care_link_end(link=linked, by=patient)
    assert client_for(physio).get(url).status_code == 404
    assert client_for(patient).get(url).status_code == 403
    assert not PatientAccessAudit.objects.exists()

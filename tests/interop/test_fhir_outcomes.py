"""Outcome measures in the FHIR bundle: a Questionnaire (canonical URL and version) per
instrument version answered, a QuestionnaireResponse per response and an Observation of
each score derived from it; the whole bundle validates."""

import json

import pytest
from fhir.resources.R4B.bundle import Bundle

from apps.outcomes.services import instruments_load
from tests.conftest import client_for
from tests.outcomes.conftest import lefs_body, psfs_answers, response_body


@pytest.fixture
def _outcomes(db):
    """lefs, psfs and pain_week as bootstrap loads them."""
    instruments_load()


@pytest.mark.django_db
@pytest.mark.usefixtures("_outcomes")
def test_the_bundle_with_outcomes_validates_and_links_each_score_to_its_answers(
    physio, patient, linked
):
    patient_client = client_for(patient)
    assert (
        patient_client.post("/api/v1/outcome-responses/", lefs_body(3), format="json").status_code
        == 201
    )
    assert (
        patient_client.post("/api/v1/outcome-responses/", lefs_body(2), format="json").status_code
        == 201
    )
    psfs = response_body(
        "psfs", psfs_answers(("climbing stairs", 2), ("kneeling", 5), ("running", 8))
    )
    assert patient_client.post("/api/v1/outcome-responses/", psfs, format="json").status_code == 201

    response = client_for(physio).get(f"/api/v1/patients/{patient.id}/fhir/")

    assert response.status_code == 200
    body = json.loads(response.content)
    Bundle.model_validate(body)
    by_type: dict[str, list[dict]] = {}
    for entry in body["entry"]:
        by_type.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    questionnaires = {q["url"]: q for q in by_type["Questionnaire"]}
    assert set(questionnaires) == {
        "urn:knee-calf-selfcare:questionnaire:lefs",
        "urn:knee-calf-selfcare:questionnaire:psfs",
    }
    lefs = questionnaires["urn:knee-calf-selfcare:questionnaire:lefs"]
    assert lefs["version"] == "1"
    assert len(lefs["item"]) == 20
    assert lefs["item"][0]["answerOption"][0]["valueCoding"]["display"] == (
        "extreme difficulty or unable"
    )
    answered = by_type["QuestionnaireResponse"]
    assert [r["questionnaire"] for r in answered] == [
        "urn:knee-calf-selfcare:questionnaire:lefs|1",
        "urn:knee-calf-selfcare:questionnaire:lefs|1",
        "urn:knee-calf-selfcare:questionnaire:psfs|1",
    ]
    assert [item["text"] for item in answered[2]["item"]] == [
        "climbing stairs",
        "kneeling",
        "running",
    ]
    scores = [o for o in by_type["Observation"] if "valueQuantity" in o]
    assert [o["valueQuantity"]["value"] for o in scores] == [60, 40, 5]
    urns = {entry["fullUrl"] for entry in body["entry"]}
    assert all(o["derivedFrom"][0]["reference"] in urns for o in scores)
    assert all(entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}" for entry in body["entry"])

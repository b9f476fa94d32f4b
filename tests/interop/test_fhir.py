"""The FHIR export: each resource built with fhir.resources models, the Bundle over HTTP,
and a resource that breaks FHIR's rules failing the whole export without health data."""

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.reference import Reference

from apps.accounts.models import PatientAccessAudit
from apps.accounts.services import care_link_end
from apps.alerts.models import Alert
from apps.alerts.services import alert_resolve
from apps.interop import fhir
from apps.plans.models import ExercisePlan, PlanItem
from apps.plans.services import plan_archive
from apps.symptoms.models import SymptomLog
from apps.symptoms.services import symptom_log_create
from tests.conftest import client_for

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def log_pain(patient, pain: int, **fields) -> SymptomLog:
    fields = {"locations": ["calf"], "recorded_at": timezone.now(), **fields}
    outcome = symptom_log_create(patient=patient, client_id=uuid.uuid4(), pain_score=pain, **fields)
    return outcome.log


def subject_of(patient) -> Reference:
    return Reference(reference=f"urn:uuid:{patient.id}")


def entries(body: dict, resource_type: str) -> list[dict]:
    return [entry for entry in body["entry"] if entry["resource"]["resourceType"] == resource_type]


def fhir_get(client, patient):
    return client.get(f"/api/v1/patients/{patient.id}/fhir/")


# --- Each resource --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_patient_is_identified_by_id_and_reached_by_email(patient):
    resource = fhir.patient_resource(patient)

    assert resource.model_dump(mode="json") == {
        "resourceType": "Patient",
        "id": str(patient.id),
        "identifier": [{"system": "urn:knee-calf-selfcare/patient", "value": str(patient.id)}],
        "telecom": [{"system": "email", "value": patient.email}],
    }


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_pain_score_is_a_loinc_72514_3_observation(patient):
    log = log_pain(patient, 6, locations=["calf", "back_of_knee"], note="Worse after stairs")

    resource = fhir.pain_observation(log, subject_of(patient))

    assert resource.model_dump(mode="json") == {
        "resourceType": "Observation",
        "id": str(log.id),
        "identifier": [
            {"system": "urn:knee-calf-selfcare/symptom-log", "value": str(log.client_id)}
        ],
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                        "display": "Survey",
                    }
                ]
            }
        ],
        "code": {
            "coding": [
                {
                    "system": "http://loinc.org",
                    "code": "72514-3",
                    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
                }
            ],
            "text": "Pain score",
        },
        "subject": {"reference": f"urn:uuid:{patient.id}"},
        "effectiveDateTime": "2026-03-02T09:30:00Z",
        "valueInteger": 6,
        "bodySite": {"text": "calf, back of knee"},
        "note": [{"text": "Worse after stairs"}],
    }


@pytest.mark.django_db
def test_a_pain_score_without_locations_or_note_leaves_them_out(patient):
    log = log_pain(patient, 0, locations=[], note="")

    resource = fhir.pain_observation(log, subject_of(patient)).model_dump(mode="json")

    assert resource["valueInteger"] == 0
    assert "bodySite" not in resource
    assert "note" not in resource


@pytest.mark.django_db
def test_an_active_plan_is_an_active_careplan_of_its_current_exercises(patient, make_plan):
    plan = make_plan()
    PlanItem.objects.filter(plan=plan, exercise__slug="quad-sets").update(retired_at=timezone.now())

    resource = fhir.care_plan(plan, subject_of(patient)).model_dump(mode="json")

    assert resource["id"] == str(plan.id)
    assert (resource["status"], resource["intent"], resource["title"]) == (
        "active",
        "plan",
        "Calf and knee",
    )
    assert resource["period"] == {
        "start": plan.start_date.isoformat(),
        "end": plan.end_date.isoformat(),
    }
    assert resource["activity"] == [
        {
            "detail": {
                "status": "in-progress",
                "code": {"text": "Wall calf stretch"},
                "description": "3 sets, hold 30 s, 2× a day, every day; stop above pain 3/10",
            }
        }
    ]


@pytest.mark.django_db
def test_an_archived_plan_is_a_completed_careplan(patient, physio, make_plan):
    plan = plan_archive(plan=make_plan(), by=physio)

    resource = fhir.care_plan(plan, subject_of(patient)).model_dump(mode="json")

    assert resource["status"] == "completed"
    assert {activity["detail"]["status"] for activity in resource["activity"]} == {"completed"}
    assert resource["activity"][1]["detail"]["description"] == (
        "2 sets, 10 reps, 1× a day, 3 days a week; stop above pain 4/10"
    )


@pytest.mark.django_db
def test_a_plan_whose_exercises_are_all_retired_has_no_activity_element(patient, make_plan):
    # FHIR JSON forbids empty arrays: the element is left out instead.
    plan = make_plan()
    PlanItem.objects.filter(plan=plan).update(retired_at=timezone.now())

    resource = fhir.care_plan(plan, subject_of(patient)).model_dump(mode="json")

    assert "activity" not in resource


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_alert_is_a_clinical_flag(patient, linked):
    log_pain(patient, 7, redness=True)
    alert = Alert.objects.get(patient=patient)

    resource = fhir.flag(alert, subject_of(patient)).model_dump(mode="json")

    assert resource == {
        "resourceType": "Flag",
        "id": str(alert.id),
        "status": "active",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/flag-category",
                        "code": "clinical",
                        "display": "Clinical",
                    }
                ]
            }
        ],
        "code": {"text": f"red_flag ({alert.level}): {', '.join(alert.codes)}"},
        "subject": {"reference": f"urn:uuid:{patient.id}"},
        "period": {"start": "2026-03-02T09:30:00Z"},
    }


@pytest.mark.django_db
def test_a_resolved_alert_is_an_inactive_flag(patient, physio, linked):
    log_pain(patient, 7, redness=True)
    alert = alert_resolve(alert=Alert.objects.get(patient=patient), by=physio)

    assert fhir.flag(alert, subject_of(patient)).status == "inactive"


# --- The bundle -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_patient_with_no_data_is_a_bundle_of_the_patient_alone(patient):
    bundle = fhir.patient_bundle(patient=patient, logs=[], plans=[], alerts=[])

    body = json.loads(fhir.bundle_json(bundle))

    Bundle.model_validate(body)
    assert body["type"] == "collection"
    assert [entry["fullUrl"] for entry in body["entry"]] == [f"urn:uuid:{patient.id}"]
    assert body["entry"][0]["resource"]["resourceType"] == "Patient"


@pytest.mark.django_db
def test_an_invalid_resource_fails_the_export_naming_elements_not_values(patient):
    log = SymptomLog(patient=patient, client_id=uuid.uuid4(), pain_score="seven", note="")
    log.recorded_at = timezone.now()

    with pytest.raises(fhir.FhirExportError) as raised:
        fhir.patient_bundle(patient=patient, logs=[log], plans=[], alerts=[])

    message = str(raised.value)
    assert message.startswith("pain_observation: Observation is not valid FHIR")
    assert "valueInteger: int_parsing" in message
    assert "seven" not in message
    # Raised outside the except block: pydantic's message, which quotes the value, is
    # neither the cause nor the context.
    assert raised.value.__cause__ is None
    assert raised.value.__context__ is None


# --- Over HTTP ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_linked_physio_gets_a_valid_fhir_bundle(physio_client, physio, patient, make_plan):
    plan = make_plan()
    logs = [log_pain(patient, pain, redness=pain > 5) for pain in (3, 7)]

    response = fhir_get(physio_client, patient)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    body = json.loads(response.content)
    Bundle.model_validate(body)  # FHIR R4(B) structure, types and cardinalities
    assert (body["resourceType"], body["type"]) == ("Bundle", "collection")
    kinds = [entry["resource"]["resourceType"] for entry in body["entry"]]
    # The plan opened its episode of care: one EpisodeOfCare, after the alerts; the plan's
    # 7-day adherence follows the CarePlan (nothing done of today's sessions: 0 %).
    assert kinds == [
        "Patient",
        "Observation",
        "Observation",
        "CarePlan",
        "Observation",
        "Flag",
        "EpisodeOfCare",
    ]
    alert = Alert.objects.get(patient=patient)
    adherence = body["entry"][4]["resource"]
    ids = [
        str(patient.id),
        *(str(log.id) for log in logs),
        str(plan.id),
        adherence["id"],
        str(alert.id),
        str(plan.episode_id),
    ]
    assert [entry["resource"]["id"] for entry in body["entry"]] == ids
    assert [entry["fullUrl"] for entry in body["entry"]] == [f"urn:uuid:{id_}" for id_ in ids]
    observations = [entry["resource"] for entry in entries(body, "Observation")][:2]
    assert {o["code"]["coding"][0]["code"] for o in observations} == {"72514-3"}
    assert [o["valueInteger"] for o in observations] == [3, 7]
    assert adherence["code"]["coding"][0]["code"] == "exercise-sessions-7d"
    assert adherence["valueQuantity"] == {
        "value": 0,
        "unit": "%",
        "system": "http://unitsofmeasure.org",
        "code": "%",
    }
    patient_ref = f"urn:uuid:{patient.id}"
    assert all(
        # EpisodeOfCare names its patient in `patient`; the others in `subject`.
        (entry["resource"].get("subject") or entry["resource"]["patient"])["reference"]
        == patient_ref
        for entry in body["entry"][1:]
    )
    assert (
        PatientAccessAudit.objects.filter(
            physio=physio, patient=patient, what="fhir.bundle"
        ).count()
        == 1
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "accept",
    [
        "application/fhir+json",  # what FHIR clients send
        "application/fhir+json; fhirVersion=4.0",
        "application/json",
        "*/*",
    ],
)
def test_the_bundle_answers_fhir_and_plain_json_clients(physio_client, patient, linked, accept):
    response = physio_client.get(f"/api/v1/patients/{patient.id}/fhir/", HTTP_ACCEPT=accept)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    Bundle.model_validate_json(response.content)


@pytest.mark.django_db
def test_a_fhir_client_refused_gets_the_error_envelope(patient, other_physio):
    response = client_for(other_physio).get(
        f"/api/v1/patients/{patient.id}/fhir/", HTTP_ACCEPT="application/fhir+json"
    )

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.django_db
def test_an_xml_only_client_is_told_406(physio_client, patient, linked):
    response = physio_client.get(
        f"/api/v1/patients/{patient.id}/fhir/", HTTP_ACCEPT="application/fhir+xml"
    )

    assert response.status_code == 406
    assert not PatientAccessAudit.objects.exists()


@pytest.mark.django_db
def test_the_bundle_leaves_out_resolved_alerts(physio_client, physio, patient, linked):
    log_pain(patient, 7, redness=True)
    alert_resolve(alert=Alert.objects.get(patient=patient), by=physio)

    body = json.loads(fhir_get(physio_client, patient).content)

    assert entries(body, "Flag") == []
    assert len(entries(body, "Observation")) == 1


@pytest.mark.django_db
def test_a_bundle_timestamp_is_the_time_of_export(physio, patient, linked):
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        body = json.loads(fhir_get(client_for(physio), patient).content)

    assert body["timestamp"] == "2026-03-05T09:30:00Z"


@pytest.mark.django_db
def test_data_fhir_cannot_hold_is_a_500_envelope_with_nothing_logged_or_audited(
    patient, physio, make_plan, caplog
):
    # A title the API never accepts, as a bug or a hand edit could leave it: FHIR strings
    # must not be empty. The export fails whole rather than send a half bundle.
    log_pain(patient, 8, note="Cannot sleep for the pain")
    plan = make_plan()
    ExercisePlan.objects.filter(pk=plan.pk).update(title="")
    client = client_for(physio)
    client.raise_request_exception = False

    with caplog.at_level(logging.INFO):
        response = fhir_get(client, patient)

    assert response.status_code == 500
    assert response.json() == {
        "type": "server_error",
        "errors": [{"code": "error", "detail": "Server Error (500)", "attr": None}],
    }
    assert "care_plan: CarePlan is not valid FHIR (title: string_pattern_mismatch)" in caplog.text
    # pydantic's own rendering quotes each failing value: it must not reach the log.
    for leak in ("input_value", "errors.pydantic.dev", "Cannot sleep", "Wall calf", patient.email):
        assert leak not in caplog.text
    assert not PatientAccessAudit.objects.exists()


@pytest.mark.django_db
def test_the_bundle_is_404_for_anyone_not_linked(patient, physio, other_physio, linked):
    url = f"/api/v1/patients/{patient.id}/fhir/"
    assert client_for(other_physio).get(url).status_code == 404
    care_link_end(link=linked, by=patient)
    assert client_for(physio).get(url).status_code == 404
    assert client_for(patient).get(url).status_code == 403
    assert not PatientAccessAudit.objects.exists()

"""A patient's records as a FHIR R4 Bundle (API.md, Physiotherapist views).

Plain dictionaries in the FHIR JSON shape; tests validate them with fhir.resources.
Pain scores are Observations coded LOINC 72514-3 (pain severity, 0–10 numeric rating,
reported); plans are CarePlans; active alerts are Flags.
"""

from typing import Any

from django.utils import timezone

from apps.accounts.models import User

LOINC = "http://loinc.org"
PAIN_CODE = "72514-3"
PAIN_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
APP_SYSTEM = "urn:knee-calf-selfcare"


def _ref(resource: dict[str, Any]) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource['id']}"}


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def _patient(patient: User) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": str(patient.id),
        "identifier": [{"system": f"{APP_SYSTEM}/patient", "value": str(patient.id)}],
        "telecom": [{"system": "email", "value": patient.email}],
    }


def _pain_observation(log, subject: dict[str, str]) -> dict[str, Any]:
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(log.id),
        "identifier": [{"system": f"{APP_SYSTEM}/symptom-log", "value": str(log.client_id)}],
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
            "coding": [{"system": LOINC, "code": PAIN_CODE, "display": PAIN_DISPLAY}],
            "text": "Pain score",
        },
        "subject": subject,
        "effectiveDateTime": log.recorded_at.isoformat(),
        "valueInteger": log.pain_score,
    }
    if log.locations:
        observation["bodySite"] = {
            "text": ", ".join(location.replace("_", " ") for location in log.locations)
        }
    if log.note:
        observation["note"] = [{"text": log.note}]
    return observation


def _care_plan(plan, subject: dict[str, str]) -> dict[str, Any]:
    return {
        "resourceType": "CarePlan",
        "id": str(plan.id),
        "status": "active" if plan.status == "active" else "completed",
        "intent": "plan",
        "title": plan.title,
        "subject": subject,
        "period": {"start": plan.start_date.isoformat(), "end": plan.end_date.isoformat()},
        "activity": [
            {
                "detail": {
                    "status": "in-progress" if plan.status == "active" else "completed",
                    "code": {"text": item.exercise.name},
                    "description": _dosage(item),
                }
            }
            for item in plan.items.all()
            if item.retired_at is None
        ],
    }


def _dosage(item) -> str:
    parts = [f"{item.sets} sets"]
    if item.reps:
        parts.append(f"{item.reps} reps")
    if item.hold_seconds:
        parts.append(f"hold {item.hold_seconds} s")
    days = "every day" if len(item.days_of_week) == 7 else f"{len(item.days_of_week)} days a week"
    parts.append(f"{item.times_per_day}× a day, {days}; stop above pain {item.max_pain}/10")
    return ", ".join(parts)


def _flag(alert, subject: dict[str, str]) -> dict[str, Any]:
    return {
        "resourceType": "Flag",
        "id": str(alert.id),
        "status": "active" if alert.status != "resolved" else "inactive",
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
        "code": {"text": f"{alert.kind} ({alert.level}): {', '.join(alert.codes)}"},
        "subject": subject,
        "period": {"start": alert.created_at.isoformat()},
    }


def patient_bundle(*, patient: User, logs, plans, alerts) -> dict[str, Any]:
    patient_resource = _patient(patient)
    subject = _ref(patient_resource)
    resources = [
        patient_resource,
        *(_pain_observation(log, subject) for log in logs),
        *(_care_plan(plan, subject) for plan in plans),
        *(_flag(alert, subject) for alert in alerts),
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": [_entry(resource) for resource in resources],
    }

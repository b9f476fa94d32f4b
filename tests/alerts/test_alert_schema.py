"""Every alert code's `details`, as the rules really write them, against the published
schema (docs/openapi.yaml, `AlertDetails`): the alerts list, the physio's summary and the
patient's sync pull, all of which serve the same alert."""

import datetime as dt
import json
import uuid

import pytest
import time_machine
from django.http import HttpResponse
from django.utils import timezone

from apps.alerts.models import AlertKind
from apps.alerts.services import missed_exercises_sweep, worsening_check_patient
from apps.alerts.worsening import WorseningCode
from apps.outcomes.services import instruments_load
from apps.plans.models import PlanItem
from apps.plans.services import exercise_log_create
from apps.symptoms.models import SymptomLog
from apps.symptoms.services import symptom_log_create
from tests.conftest import client_for
from tests.factories import AlertFactory
from tests.schema_conformance import answer_problems
from tests.seed import _log

OUTCOME_CODES = {"lefs_worsened", "psfs_worsened"}
MISSED_CODE = "adherence_below_half"


def _symptoms(patient, days_ago: float, pain: int, **fields) -> None:
    # Rows as a synced phone leaves them; the worsening rules read nothing else.
    SymptomLog.objects.create(
        patient=patient,
        client_id=uuid.uuid4(),
        recorded_at=timezone.now() - dt.timedelta(days=days_ago),
        pain_score=pain,
        locations=["front_of_knee"],
        triage_level="self_care",
        **fields,
    )


def _questionnaire(client, instrument: str, answers: list[dict], days_ago: float) -> None:
    body = {
        "client_id": str(uuid.uuid4()),
        "instrument": instrument,
        "answers": answers,
        "completed_at": (timezone.now() - dt.timedelta(days=days_ago)).isoformat(),
    }
    response = client.post("/api/v1/outcome-responses/", body, format="json")
    assert response.status_code == 201, response.content


@pytest.fixture
def every_code(patient, physio, make_plan):
    """The patient's alerts, one of every code: a red flag; a worsening alert holding
    every symptom, exercise and questionnaire finding; missed exercises; and a resolved
    worsening alert from before findings named their plan items."""
    instruments_load()
    with time_machine.travel(timezone.now() - dt.timedelta(days=10)):
        plan = make_plan()  # old enough for its adherence to be judged
    item = PlanItem.objects.get(plan=plan, exercise__slug="wall-calf-stretch")  # max_pain 3
    for minutes in (20, 10):
        exercise_log_create(
            patient=patient,
            plan_item=item,
            client_id=uuid.uuid4(),
            performed_at=timezone.now() - dt.timedelta(minutes=minutes),
            sets_done=2,
            pain_during=6,
        )
    for days_ago in (9, 7, 5, 4):
        _symptoms(patient, days_ago, 2)
    _symptoms(patient, 1, 8, swelling="mild", numbness_tingling=True, can_bear_weight=False)
    patient_client = client_for(patient)
    lefs = [{"item": str(n), "value": 3} for n in range(1, 21)]  # 60
    _questionnaire(patient_client, "lefs", lefs, days_ago=8)
    _questionnaire(patient_client, "lefs", [{**a, "value": 1} for a in lefs], days_ago=2)  # 20
    psfs = [{"item": "1", "value": 8, "label": "stairs"}]
    _questionnaire(patient_client, "psfs", psfs, days_ago=8)
    _questionnaire(patient_client, "psfs", [{**psfs[0], "value": 2}], days_ago=2)
    worsening_check_patient(patient_id=patient.pk, now=timezone.now())
    missed_exercises_sweep()
    symptom_log_create(
        patient=patient, **_log(20, locations=["calf"], redness=True, warmth=True, pain_score=6)
    )
    AlertFactory(
        patient=patient,
        kind=AlertKind.WORSENING,
        status="resolved",
        codes=["exercise_pain_above_limit"],
        details={"exercise_pain_above_limit": {"times": 2, "last": "2026-01-05T10:00:00+00:00"}},
    )
    return patient


def _codes_and_details(alerts: list[dict]) -> tuple[set[str], set[str]]:
    codes = {code for alert in alerts for code in alert["codes"]}
    keys = {key for alert in alerts for key in alert["details"]}
    return codes, keys


@pytest.mark.django_db
def test_every_alert_codes_details_are_as_the_schema_says(every_code, physio):
    patient = every_code
    physio_client, patient_client = client_for(physio), client_for(patient)

    listed = physio_client.get("/api/v1/alerts/")
    alerts = listed.json()["results"]
    codes, keys = _codes_and_details(alerts)
    worsening = set(WorseningCode.values)
    # Not a vacuous pass: every code is there, with its details.
    assert {AlertKind.RED_FLAG, AlertKind.WORSENING, AlertKind.MISSED_EXERCISES} <= {
        alert["kind"] for alert in alerts
    }
    assert worsening | OUTCOME_CODES | {MISSED_CODE} <= codes
    assert keys == worsening | OUTCOME_CODES | {"adherence_7d"}
    assert any("items" in a["details"].get("exercise_pain_above_limit", {}) for a in alerts)
    assert answer_problems("/api/v1/alerts/", "/api/v1/alerts/", listed) == []

    mine = patient_client.get("/api/v1/alerts/")
    assert len(mine.json()["results"]) == len(alerts)
    assert answer_problems("/api/v1/alerts/", "/api/v1/alerts/", mine) == []

    summary_url = f"/api/v1/patients/{patient.pk}/summary/"
    summary = physio_client.get(summary_url)
    assert _codes_and_details(summary.json()["alerts"])[1] == keys
    assert answer_problems("/api/v1/patients/{patient_id}/summary/", summary_url, summary) == []

    pulled = patient_client.get("/api/v1/sync/")
    assert _codes_and_details(pulled.json()["changes"]["alerts"])[1] == keys
    assert answer_problems("/api/v1/sync/", "/api/v1/sync/", pulled) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "details",
    [
        pytest.param(
            {"pain_rising": {"recent_mean": 7.0, "baseline_mean": 2.0}}, id="missing_rise"
        ),
        pytest.param({"pain_rose": {"rise": 5.0}}, id="a_code_the_schema_does_not_name"),
        pytest.param({"new_swelling": {"first_seen": "yesterday"}}, id="not_a_date_time"),
        pytest.param({"adherence_7d": 1.5}, id="adherence_above_one"),
    ],
)
def test_the_published_schema_refuses_details_it_does_not_describe(
    details, patient, physio, linked
):
    alert = AlertFactory(patient=patient, kind=AlertKind.WORSENING, details={})
    answer = client_for(physio).get("/api/v1/alerts/")
    assert answer_problems("/api/v1/alerts/", "/api/v1/alerts/", answer) == []

    page = answer.json()
    [served] = [row for row in page["results"] if row["id"] == str(alert.pk)]
    served["details"] = details
    forged = HttpResponse(json.dumps(page), content_type="application/json")

    assert answer_problems("/api/v1/alerts/", "/api/v1/alerts/", forged) != []

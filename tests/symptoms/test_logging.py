import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.alerts.models import Alert, AlertKind
from apps.symptoms.models import SymptomLog
from tests.bodies import symptom_log_body
from tests.conftest import client_for, post_at_once

URL = "/api/v1/symptom-logs/"


@pytest.mark.django_db
def test_it_stores_a_log_and_answers_with_triage(patient_client, patient):
    body = symptom_log_body()

    response = patient_client.post(URL, body, format="json")

    assert response.status_code == 201
    data = response.json()
    assert data["client_id"] == body["client_id"]
    assert data["pain_score"] == 4
    assert data["can_bear_weight"] is True
    assert data["triage"]["level"] == "self_care"
    assert data["triage"]["flags"] == []
    assert "does not diagnose" in data["triage"]["disclaimer"]
    assert data["hints"] == []
    log = SymptomLog.objects.get(patient=patient)
    assert (log.locations, log.qualities, log.triggers) == (
        ["front_of_knee"],
        ["aching"],
        ["stairs"],
    )
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_an_urgent_log_raises_an_alert_with_the_log(patient_client, patient):
    body = symptom_log_body(locations=["calf"], redness=True, warmth=True, tenderness=True)

    response = patient_client.post(URL, body, format="json")

    assert response.status_code == 201
    triage = response.json()["triage"]
    assert triage["level"] == "urgent"
    codes = [flag["code"] for flag in triage["flags"]]
    assert "possible_dvt" in codes
    flag = triage["flags"][0]
    assert flag["title"]
    assert flag["advice"]
    assert flag["source"]["code"].startswith(("seed-", "clinical-"))
    alert = Alert.objects.get(patient=patient)
    assert alert.kind == AlertKind.RED_FLAG
    assert alert.level == "urgent"
    assert set(alert.codes) == set(codes)
    assert alert.symptom_log_id == uuid.UUID(response.json()["id"])
    assert alert.events.get().action == "raised"


@pytest.mark.django_db
def test_an_emergency_log_raises_an_emergency_alert(patient_client, patient):
    response = patient_client.post(URL, symptom_log_body(saddle_numbness=True), format="json")

    assert response.json()["triage"]["level"] == "emergency"
    assert Alert.objects.get(patient=patient).level == "emergency"


@pytest.mark.django_db
def test_a_soon_log_raises_no_alert(patient_client):
    response = patient_client.post(URL, symptom_log_body(knee_locking=True), format="json")

    assert response.json()["triage"]["level"] == "soon"
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_the_same_client_id_again_returns_the_stored_log_and_changes_nothing(
    patient_client, patient
):
    body = symptom_log_body(locations=["calf"], redness=True)
    first = patient_client.post(URL, body, format="json")

    again = patient_client.post(URL, {**body, "pain_score": 9, "note": "changed"}, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert SymptomLog.objects.count() == 1
    assert SymptomLog.objects.get().pain_score == 4
    assert Alert.objects.count() == 1


@pytest.mark.django_db
def test_another_patient_may_reuse_a_client_id_without_seeing_the_first(
    patient_client, other_patient
):
    body = symptom_log_body()
    patient_client.post(URL, body, format="json")

    response = client_for(other_patient).post(URL, {**body, "pain_score": 2}, format="json")

    assert response.status_code == 201
    assert response.json()["pain_score"] == 2


@pytest.mark.django_db(transaction=True)
def test_racing_copies_of_one_log_make_exactly_one_row(patient):
    """Two phones (or a retry) sending the same log at the same instant."""
    body = symptom_log_body(locations=["calf"], redness=True)
    statuses = [r.status_code for r in post_at_once([(patient, URL, body)] * 4)]

    assert sorted(statuses) == [200, 200, 200, 201]
    assert SymptomLog.objects.filter(patient=patient).count() == 1
    assert Alert.objects.filter(patient=patient).count() == 1


@pytest.mark.django_db
def test_only_patients_log_symptoms(physio_client, editor_client, api_client):
    for client, expected in ((physio_client, 403), (editor_client, 403), (api_client, 401)):
        assert client.post(URL, symptom_log_body(), format="json").status_code == expected
    assert not SymptomLog.objects.exists()


NOW_PLUS_10 = lambda: (timezone.now() + timedelta(minutes=10)).isoformat()  # noqa: E731


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "attr", "code"),
    [
        ({"pain_score": 11}, "pain_score", "max_value"),
        ({"pain_score": -1}, "pain_score", "min_value"),
        ({"pain_score": 4.5}, "pain_score", "invalid"),
        ({"pain_score": 4.0}, "pain_score", "invalid"),
        ({"pain_score": "4"}, "pain_score", "invalid"),
        ({"pain_score": True}, "pain_score", "invalid"),
        ({"locations": ["elbow"]}, "locations.0", "invalid_choice"),
        ({"locations": "calf"}, "locations", "not_a_list"),
        ({"locations": []}, "locations", "required"),
        ({"locations": ["calf", "calf"]}, "locations", "duplicate"),
        ({"swelling": "huge"}, "swelling", "invalid_choice"),
        ({"swelling": 2}, "swelling", "invalid_choice"),
        ({"client_id": "not-a-uuid"}, "client_id", "invalid"),
        ({"recorded_at": "yesterday at noon"}, "recorded_at", "invalid"),
        ({"recorded_at": "2026-11-21T08:00:00"}, "recorded_at", "naive"),
        ({"recorded_at": "1999-01-01T00:00:00Z"}, "recorded_at", "too_old"),
        ({"triggers": ["running"]}, "triggers.0", "invalid_choice"),
        ({"qualities": ["stabbing"]}, "qualities.0", "invalid_choice"),
        ({"note": "x" * 1001}, "note", "max_length"),
        ({"fever": "yes"}, "fever", "invalid"),
        ({"fever": 1}, "fever", "invalid"),
        ({"side": "middle"}, "side", "invalid_choice"),
        ({"mood": "grumpy"}, "mood", "unknown_field"),
        ({"triage_level": "self_care"}, "triage_level", "unknown_field"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(
    patient_client, overrides, attr, code
):
    response = patient_client.post(URL, symptom_log_body(**overrides), format="json")

    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["type"] == "validation_error"
    assert (attr, code) in {(e["attr"], e["code"]) for e in body["errors"]}
    assert not SymptomLog.objects.exists()
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_a_future_recorded_at_is_refused(patient_client):
    response = patient_client.post(URL, symptom_log_body(recorded_at=NOW_PLUS_10()), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "code": "in_future",
        "detail": "Cannot be more than 5 minutes in the future.",
        "attr": "recorded_at",
    }
    assert not SymptomLog.objects.exists()


@pytest.mark.django_db
def test_four_minutes_ahead_is_tolerated_for_clock_drift(patient_client):
    ahead = (timezone.now() + timedelta(minutes=4)).isoformat()
    assert (
        patient_client.post(URL, symptom_log_body(recorded_at=ahead), format="json").status_code
        == 201
    )


@pytest.mark.django_db
@pytest.mark.parametrize("payload", ['{"pain_score": 3', "[1, 2]", '"a string"', "null"])
def test_a_body_that_is_not_a_log_object_is_a_400(patient_client, payload):
    response = patient_client.post(URL, payload, content_type="application/json")
    assert response.status_code == 400
    assert not SymptomLog.objects.exists()


@pytest.mark.django_db
def test_a_painless_check_in_needs_no_location(patient_client):
    response = patient_client.post(URL, symptom_log_body(pain_score=0, locations=[]), format="json")
    assert response.status_code == 201


# Each row of docs/domain.md's red-flag table, through the API as the phone sends it.
RED_FLAG_ROWS = [
    ({"locations": ["calf"], "tenderness": True}, "possible_dvt", "urgent"),
    ({"fever": True}, "possible_infection", "urgent"),
    ({"can_bear_weight": False}, "cannot_bear_weight", "urgent"),
    (
        {"sudden_onset": True, "pain_score": 8, "swelling": "mild"},
        "sudden_severe_pain_swelling",
        "urgent",
    ),
    (
        {"locations": ["calf"], "recent_knee_injury": True},
        "calf_pain_after_knee_injury",
        "soon",
    ),
    ({"neuro_worsening": True}, "worsening_neuro", "soon"),
    ({"sleep_disturbed": True}, "daily_life_or_sleep", "soon"),
    ({"knee_locking": True}, "mechanical_locking", "soon"),
    ({"bladder_bowel_change": True}, "cauda_equina", "emergency"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "code", "level"), RED_FLAG_ROWS, ids=[r[1] for r in RED_FLAG_ROWS]
)
def test_every_red_flag_row_answers_with_its_code_and_level(
    patient_client, patient, fields, code, level
):
    response = patient_client.post(URL, symptom_log_body(**fields), format="json")

    assert response.status_code == 201
    triage = response.json()["triage"]
    assert [flag["code"] for flag in triage["flags"]] == [code]
    assert triage["level"] == level
    stored = patient_client.get(f"{URL}{response.json()['id']}/").json()["triage"]
    assert stored == triage
    assert Alert.objects.filter(patient=patient).exists() is (triage["level"] in ALERTING)


ALERTING = {"urgent", "emergency"}


# --- What a log costs the database ---------------------------------------------------------


@pytest.mark.django_db
def test_a_new_log_costs_the_user_the_history_and_one_insert(
    patient_client, patient, django_assert_num_queries
):
    """No read before the insert: the unique constraint decides a duplicate. (The
    savepoint pair is the test's transaction; in production it is BEGIN and COMMIT.)"""
    patient_client.post(URL, symptom_log_body(), format="json")  # some history to read

    # user, savepoint, history (values), INSERT … ON CONFLICT DO NOTHING, release
    with django_assert_num_queries(5) as captured:
        response = patient_client.post(URL, symptom_log_body(), format="json")

    assert response.status_code == 201
    history = next(
        q["sql"] for q in captured if q["sql"].startswith("SELECT") and "symptom" in q["sql"]
    )
    # Only the columns the rules read.
    assert '"note"' not in history
    assert '"hints"' not in history


@pytest.mark.django_db
def test_a_copy_sent_again_costs_one_more_read_and_changes_nothing(
    patient_client, patient, django_assert_num_queries
):
    body = symptom_log_body()
    first = patient_client.post(URL, body, format="json")

    # user, savepoint, history, the insert the database skips, the stored copy, release
    with django_assert_num_queries(6):
        again = patient_client.post(URL, body, format="json")

    assert again.status_code == 200
    assert again.json() == first.json()
    assert SymptomLog.objects.filter(patient=patient).count() == 1

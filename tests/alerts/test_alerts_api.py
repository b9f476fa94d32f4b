import uuid

import pytest
from django.utils import timezone

from apps.accounts.models import PatientAccessAudit
from apps.accounts.services import care_link_create, care_link_end
from apps.alerts.models import Alert, AlertEvent, AlertStatus
from apps.symptoms.services import symptom_log_create
from tests.conftest import client_for


def red_flag_alert(patient) -> Alert:
    log = symptom_log_create(
        patient=patient,
        client_id=uuid.uuid4(),
        recorded_at=timezone.now(),
        pain_score=5,
        locations=["calf"],
        redness=True,
    ).log
    return Alert.objects.get(symptom_log=log)


@pytest.fixture
def alert(patient):
    return red_flag_alert(patient)


@pytest.mark.django_db
def test_a_patient_sees_own_alerts_only(patient_client, alert, other_patient):
    red_flag_alert(other_patient)

    results = patient_client.get("/api/v1/alerts/").json()["results"]

    assert [a["id"] for a in results] == [str(alert.id)]
    assert set(results[0]) >= {
        "id",
        "patient",
        "kind",
        "level",
        "codes",
        "status",
        "created_at",
        "updated_at",
    }
    assert results[0]["kind"] == "red_flag"
    assert results[0]["status"] == "open"


@pytest.mark.django_db
def test_a_physio_sees_linked_patients_alerts_only_while_linked(
    physio_client, physio, alert, linked, other_patient
):
    red_flag_alert(other_patient)

    assert [a["id"] for a in physio_client.get("/api/v1/alerts/").json()["results"]] == [
        str(alert.id)
    ]

    care_link_end(link=linked, by=physio)
    assert physio_client.get("/api/v1/alerts/").json()["results"] == []


@pytest.mark.django_db
def test_status_filter_and_bad_status(physio_client, alert, linked):
    assert len(physio_client.get("/api/v1/alerts/", {"status": "open"}).json()["results"]) == 1
    assert physio_client.get("/api/v1/alerts/", {"status": "resolved"}).json()["results"] == []
    bad = physio_client.get("/api/v1/alerts/", {"status": "closed"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["attr"] == "status"


@pytest.mark.django_db
def test_editors_and_anonymous_see_no_alerts(editor_client, api_client, alert):
    assert editor_client.get("/api/v1/alerts/").status_code == 403
    assert api_client.get("/api/v1/alerts/").status_code == 401


@pytest.mark.django_db
def test_a_linked_physio_acknowledges_then_resolves_with_who_and_when(
    physio_client, physio, alert, linked
):
    acknowledged = physio_client.post(f"/api/v1/alerts/{alert.id}/acknowledge/")
    resolved = physio_client.post(f"/api/v1/alerts/{alert.id}/resolve/")

    assert acknowledged.status_code == 200
    assert acknowledged.json()["status"] == "acknowledged"
    assert resolved.json()["status"] == "resolved"
    alert.refresh_from_db()
    assert alert.acknowledged_by == physio
    assert alert.resolved_by == physio
    assert alert.acknowledged_at <= alert.resolved_at
    events = list(AlertEvent.objects.filter(alert=alert).values_list("action", "actor"))
    assert events == [("raised", None), ("acknowledged", physio.pk), ("resolved", physio.pk)]


@pytest.mark.django_db
def test_invalid_transitions_are_a_409_and_change_nothing(physio_client, alert, linked):
    physio_client.post(f"/api/v1/alerts/{alert.id}/resolve/")

    again = physio_client.post(f"/api/v1/alerts/{alert.id}/resolve/")
    acknowledge = physio_client.post(f"/api/v1/alerts/{alert.id}/acknowledge/")

    assert again.status_code == 409
    assert acknowledge.status_code == 409
    assert again.json()["errors"][0]["code"] == "invalid_transition"
    assert AlertEvent.objects.filter(alert=alert).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_only_a_linked_physio_changes_an_alert(
    action, alert, patient, other_physio, other_patient, editor
):
    url = f"/api/v1/alerts/{alert.id}/{action}/"
    assert client_for(other_physio).post(url).status_code == 404
    assert client_for(patient).post(url).status_code == 403
    assert client_for(other_patient).post(url).status_code == 403
    assert client_for(editor).post(url).status_code == 403
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    assert alert.events.count() == 1


@pytest.mark.django_db
def test_unknown_fields_on_a_transition_are_refused(physio_client, alert, linked):
    response = physio_client.post(
        f"/api/v1/alerts/{alert.id}/acknowledge/", {"status": "resolved"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "status"
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


@pytest.mark.django_db
def test_alert_list_query_count_is_fixed(physio_client, physio, django_assert_max_num_queries):
    from tests.factories import PatientFactory

    for patient in PatientFactory.create_batch(6):
        care_link_create(physio=physio, patient=patient)
        red_flag_alert(patient)
    # user, count, page, one insert of the audit rows
    with django_assert_max_num_queries(4):
        assert len(physio_client.get("/api/v1/alerts/").json()["results"]) == 6


@pytest.mark.django_db
def test_a_physio_reading_alerts_is_audited_per_patient_shown(
    physio_client, physio, patient, alert, linked, patient_client
):
    red_flag_alert(patient)  # two alerts of one patient: one audit row

    physio_client.get("/api/v1/alerts/")
    patient_client.get("/api/v1/alerts/")  # a patient's own read is not a physio's access

    rows = PatientAccessAudit.objects.values_list("physio", "patient", "what")
    assert list(rows) == [(physio.id, patient.id, "alerts.list")]

"""Clinical use: a worsened LEFS or PSFS raises or updates the patient's one active
`worsening` alert (codes name the instrument) and tells the linked physiotherapists
(docs/domain.md, "Outcome measures"). Through the API, as the phone does it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.services import care_link_create
from apps.alerts.models import Alert, AlertEvent, AlertKind, AlertStatus
from apps.alerts.services import alert_upsert
from apps.notifications.models import Notification, NotificationKind
from tests.outcomes.conftest import lefs_body, pain_answers, psfs_answers, response_body

URL = "/api/v1/outcome-responses/"


def at(days_ago: float) -> str:
    return (timezone.now() - timedelta(days=days_ago)).isoformat()


def post(client, body) -> dict:
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def physio_alert_notifications(physio) -> list[Notification]:
    return list(Notification.objects.filter(user=physio, kind=NotificationKind.ALERT))


@pytest.fixture
def baseline_60(instruments, linked, patient_client):
    return post(patient_client, lefs_body(3, completed_at=at(21)))  # 20 × 3 = 60


def test_a_lefs_falling_by_9_raises_one_worsening_alert(
    baseline_60, patient_client, patient, physio, other_physio
):
    worse = post(patient_client, lefs_body([3] * 11 + [2] * 9, completed_at=at(14)))  # 51

    assert (worse["change"], worse["responder"]) == (-9, "worsened")
    alert = Alert.objects.get(patient=patient)
    assert (alert.kind, alert.status, alert.level, alert.codes) == (
        AlertKind.WORSENING,
        AlertStatus.OPEN,
        "soon",
        ["lefs_worsened"],
    )
    assert alert.details["lefs_worsened"] == {
        "instrument": "lefs",
        "version": "1",
        "score": 51.0,
        "baseline": 60.0,
        "change": -9.0,
        "mcid": 9.0,
        "response_id": worse["id"],
        "completed_at": alert.details["lefs_worsened"]["completed_at"],
    }
    notes = physio_alert_notifications(physio)
    assert len(notes) == 1
    assert notes[0].alert == alert
    assert "LEFS" not in notes[0].title + notes[0].body  # nothing clinical on a lock screen
    assert physio_alert_notifications(other_physio) == []


def test_falling_again_updates_the_open_alert(baseline_60, patient_client, patient, physio):
    post(patient_client, lefs_body([3] * 11 + [2] * 9, completed_at=at(14)))  # 51
    first = Alert.objects.get(patient=patient)

    again = post(patient_client, lefs_body(2, completed_at=at(7)))  # 40

    assert again["responder"] == "worsened"
    alert = Alert.objects.get(patient=patient)
    assert alert.pk == first.pk
    assert alert.details["lefs_worsened"]["score"] == 40.0
    assert alert.details["lefs_worsened"]["change"] == -20.0
    assert alert.updated_at > first.updated_at
    assert list(alert.events.values_list("action", flat=True)) == ["raised", "updated"]
    assert len(physio_alert_notifications(physio)) == 2

    # Still worse than the baseline, but better than the alert says: recorded, no new push.
    post(patient_client, lefs_body([2] * 10 + [3] * 10, completed_at=at(1)))  # 50
    alert.refresh_from_db()
    assert alert.details["lefs_worsened"]["score"] == 50.0
    assert AlertEvent.objects.filter(alert=alert).count() == 3
    assert len(physio_alert_notifications(physio)) == 2
    assert Alert.objects.filter(patient=patient).count() == 1


def test_a_fall_under_the_mcid_or_a_rise_raises_nothing(baseline_60, patient_client, patient):
    assert post(patient_client, lefs_body([3] * 12 + [2] * 8))["responder"] == "no_change"
    assert post(patient_client, lefs_body(4))["responder"] == "improved"
    assert not Alert.objects.filter(patient=patient).exists()


def test_a_worsened_psfs_adds_its_code_to_the_open_alert(baseline_60, patient_client, patient):
    post(patient_client, lefs_body(2, completed_at=at(14)))
    post(
        patient_client,
        response_body("psfs", psfs_answers(("stairs", 6), ("running", 6)), completed_at=at(10)),
    )

    psfs = post(patient_client, response_body("psfs", psfs_answers(("stairs", 4), ("running", 4))))

    assert psfs["responder"] == "worsened"
    alert = Alert.objects.get(patient=patient)
    assert alert.codes == ["lefs_worsened", "psfs_worsened"]
    assert alert.details["psfs_worsened"]["change"] == -2.0


def test_an_open_symptom_worsening_alert_gains_the_outcome_code(
    baseline_60, patient_client, patient
):
    existing, _ = alert_upsert(
        patient=patient,
        kind=AlertKind.WORSENING,
        level="soon",
        codes=["pain_rising"],
        details={"pain_rising": {}},
    )

    post(patient_client, lefs_body(1))

    alert = Alert.objects.get(patient=patient)
    assert alert.pk == existing.pk
    assert alert.codes == ["lefs_worsened", "pain_rising"]


def test_a_worsened_pain_week_does_not_raise_an_alert(instruments, linked, patient_client, patient):
    post(patient_client, response_body("pain_week", pain_answers(3, 5), completed_at=at(7)))
    worse = post(patient_client, response_body("pain_week", pain_answers(7, 9)))
    assert worse["responder"] == "worsened"
    assert not Alert.objects.filter(patient=patient).exists()


def test_an_acknowledged_alert_is_updated_rather_than_doubled(
    baseline_60, patient_client, patient, physio, physio_client
):
    post(patient_client, lefs_body(2, completed_at=at(7)))
    alert = Alert.objects.get(patient=patient)
    assert physio_client.post(f"/api/v1/alerts/{alert.id}/acknowledge/").status_code == 200

    post(patient_client, lefs_body(1))

    assert Alert.objects.filter(patient=patient).count() == 1
    assert Alert.objects.get(patient=patient).details["lefs_worsened"]["score"] == 20.0


def test_every_linked_physio_is_told(baseline_60, patient_client, patient, physio, other_physio):
    care_link_create(physio=other_physio, patient=patient)
    post(patient_client, lefs_body(2))
    assert len(physio_alert_notifications(physio)) == 1
    assert len(physio_alert_notifications(other_physio)) == 1

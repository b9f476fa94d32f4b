"""A red-flag alert reaches every linked physiotherapist through the outbox."""

import pytest

from apps.accounts.services import care_link_create, care_link_end
from apps.alerts.models import Alert
from apps.notifications.models import Device, Notification, PushDelivery
from tests.bodies import symptom_log_body
from tests.workers import purge_suite_queues

URL = "/api/v1/symptom-logs/"


@pytest.mark.django_db
def test_an_urgent_log_notifies_each_linked_physio_in_the_same_transaction(
    patient_client, patient, physio, other_physio, django_capture_on_commit_callbacks
):
    purge_suite_queues()
    care_link_create(physio=physio, patient=patient)
    care_link_create(physio=other_physio, patient=patient)
    Device.objects.create(user=physio, platform="android", token="fcm-token", token_hash="x" * 64)

    with django_capture_on_commit_callbacks() as callbacks:
        response = patient_client.post(
            URL, symptom_log_body(locations=["calf"], redness=True), format="json"
        )

    assert response.status_code == 201
    notes = Notification.objects.filter(kind="alert")
    assert {n.user for n in notes} == {physio, other_physio}
    note = notes.get(user=physio)
    assert note.alert.symptom_log_id is not None
    assert note.data["patient_id"] == str(patient.id)
    assert "calf" not in note.title.lower()  # no clinical detail on a lock screen
    delivery = PushDelivery.objects.get(notification=note)
    assert delivery.status == "pending"
    # Nothing reached the broker inside the transaction; on commit, the push task does.
    assert queued_pushes() == []
    for callback in callbacks:
        callback()
    assert queued_pushes() == [str(delivery.id)]


def queued_pushes() -> list[str]:
    """Delivery ids of the push tasks waiting on the broker's notifications queue."""
    from backend.celery import app

    found = []
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue("notifications")
        try:
            while True:
                try:
                    message = queue.get(block=False)
                except queue.Empty:
                    break
                if message.headers.get("task") == "apps.notifications.tasks.deliver_push":
                    found.append(message.payload[0][0])
                message.ack()
        finally:
            queue.close()
    return found


@pytest.mark.django_db
def test_no_physio_is_notified_without_an_active_link(patient_client, patient, physio):
    link = care_link_create(physio=physio, patient=patient)
    care_link_end(link=link, by=patient)

    response = patient_client.post(
        URL, symptom_log_body(locations=["calf"], redness=True), format="json"
    )

    # The log is stored and raises its alert; only the notification has nobody to go to.
    assert response.status_code == 201, response.content
    assert response.json()["triage"]["level"] == "urgent"
    assert Alert.objects.filter(patient=patient).exists()
    assert not Notification.objects.filter(kind="alert").exists()


@pytest.mark.django_db
def test_a_self_care_log_notifies_nobody(patient_client, patient, physio):
    care_link_create(physio=physio, patient=patient)
    response = patient_client.post(URL, symptom_log_body(), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["triage"]["level"] == "self_care"
    assert not Notification.objects.exists()

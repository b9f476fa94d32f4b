"""A message reaches the other side's inbox and devices, and its text never leaves the
server in a push: checked on the wire, at local stand-ins for FCM and Web Push
(tests/notifications/push_servers.py), with the real deliver task."""

import json
import uuid

import http_ece
import pytest

from apps.notifications.devices import device_token_hash
from apps.notifications.models import DeliveryStatus, Device, Notification, PushDelivery
from apps.notifications.tasks import deliver_push
from tests.messaging.conftest import URL
from tests.notifications.push_servers import (
    PROJECT,
    fcm_stand_in,
    running_provider,
    webpush_stand_in,
)
from tests.workers import purge_suite_queues, wait_until

SECRET = "Zebrafish: my calf is swollen and red since the long walk"
SECRET_WORDS = ("Zebrafish", "swollen", "long walk")


@pytest.fixture
def provider():
    with running_provider() as server:
        yield server


def device_for(user, platform: str, token: str) -> Device:
    return Device.objects.create(
        user=user, platform=platform, token=token, token_hash=device_token_hash(token)
    )


def post(client, link, body: str):
    return client.post(
        URL.format(link.id), {"client_id": str(uuid.uuid4()), "body": body}, format="json"
    )


def assert_no_secret(raw: bytes) -> None:
    text = raw.decode(errors="replace")
    for word in SECRET_WORDS:
        assert word not in text


@pytest.mark.django_db
def test_a_patients_message_reaches_the_physios_inbox_and_phone_without_its_text(
    provider,
    tmp_path,
    settings,
    patient,
    physio,
    patient_client,
    physio_client,
    link,
    django_capture_on_commit_callbacks,
):
    with fcm_stand_in(provider, tmp_path, settings) as fcm:
        device_for(physio, "android", "physio-phone")
        device_for(patient, "ios", "patient-phone")  # the sender's own phone gets nothing
        with django_capture_on_commit_callbacks(execute=True):
            response = post(patient_client, link, SECRET)
        assert response.status_code == 201
        message_id = response.json()["id"]

        # The inbox: a generic title, ids only.
        [note] = Notification.objects.all()
        assert (note.user, note.kind) == (physio, "message")
        assert note.title == "New message from your patient"
        assert note.data == {"link_id": str(link.id), "message_id": message_id}
        inbox = physio_client.get("/api/v1/notifications/").json()["results"]
        assert [row["id"] for row in inbox] == [str(note.id)]
        assert_no_secret(json.dumps(inbox).encode())

        # The push, sent by the deliver task to the FCM stand-in.
        [delivery] = PushDelivery.objects.all()
        assert delivery.device.user == physio
        assert deliver_push.run(str(delivery.id)) == "sent"
        [sent] = fcm.server.sent()
        assert sent.path == f"/v1/projects/{PROJECT}/messages:send"
        assert sent.json()["message"] == {
            "token": "physio-phone",
            "notification": {
                "title": "New message from your patient",
                "body": "Open the app to read it.",
            },
            "data": {
                "link_id": str(link.id),
                "message_id": message_id,
                "notification_id": str(note.id),
                "kind": "message",
                "route": f"app://care-team/{link.id}/messages",
            },
            "android": {
                "priority": "NORMAL",
                "collapse_key": "message",
                "notification": {"tag": str(note.id)},
            },
            "apns": {
                "headers": {
                    "apns-priority": "5",
                    "apns-collapse-id": "message",
                    "apns-id": str(delivery.id),
                }
            },
        }
        assert_no_secret(sent.body)
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.SENT


@pytest.mark.django_db
def test_a_physios_message_reaches_the_patients_browser_encrypted_and_without_its_text(
    provider, settings, patient, physio, physio_client, link, django_capture_on_commit_callbacks
):
    web = webpush_stand_in(provider, settings)
    device_for(patient, "web", web.token)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(physio_client, link, SECRET)
    message_id = response.json()["id"]

    [delivery] = PushDelivery.objects.all()
    assert deliver_push.run(str(delivery.id)) == "sent"

    [sent] = web.server.sent()
    assert_no_secret(sent.body)
    plaintext = http_ece.decrypt(
        sent.body, private_key=web.browser_key, auth_secret=web.auth_secret, version="aes128gcm"
    )
    assert_no_secret(plaintext)
    note = Notification.objects.get(user=patient)
    assert json.loads(plaintext) == {
        "title": "New message from your physiotherapist",
        "body": "Open the app to read it.",
        "data": {
            "link_id": str(link.id),
            "message_id": message_id,
            "notification_id": str(note.id),
            "kind": "message",
            "route": f"app://care-team/{link.id}/messages",
        },
    }


@pytest.mark.django_db
def test_an_inactive_recipient_is_not_notified(patient, physio, patient_client, link):
    physio.is_active = False
    physio.save()

    assert post(patient_client, link, "hello").status_code == 201
    assert not Notification.objects.exists()


@pytest.mark.integration
def test_a_worker_delivers_the_push_on_commit_through_the_broker(
    provider, tmp_path, settings, patient, physio, link, start_worker
):
    """End to end: the post commits, the outbox hands the delivery to the broker, a real
    `celery -A backend worker` process sends it to the FCM stand-in."""
    from tests.conftest import client_for

    with fcm_stand_in(provider, tmp_path, settings) as fcm:
        purge_suite_queues()
        start_worker(
            extra_env={
                "PUSH_ANDROID_BACKEND": "fcm",
                "FCM_SERVICE_ACCOUNT_FILE": str(fcm.service_account_file),
                "FCM_PROJECT_ID": PROJECT,
                "FCM_ENDPOINT": settings.FCM_ENDPOINT,
            }
        )
        device_for(physio, "android", "physio-phone")

        response = post(client_for(patient), link, SECRET)

        assert response.status_code == 201
        [sent] = wait_until(lambda: fcm.server.sent(), timeout=60, what="the push at FCM")
        assert sent.json()["message"]["notification"]["title"] == "New message from your patient"
        assert sent.json()["message"]["data"]["message_id"] == response.json()["id"]
        assert_no_secret(sent.body)
        wait_until(
            lambda: PushDelivery.objects.filter(status=DeliveryStatus.SENT).exists(),
            what="the delivery marked sent",
        )

"""What every push carries (kind, notification_id, route; ids only), how urgent it is, and
the keys that make a push resent after a dead worker show once (apps/notifications/payloads.py),
over real HTTP to the local provider stand-ins."""

import json
import re
import threading
import uuid
from datetime import timedelta

import http_ece
import pytest
import time_machine
from django.utils import timezone

from apps.notifications import delivery as delivery_module
from apps.notifications.delivery import (
    CLAIM_TIMEOUT,
    deliveries_pending,
    push_deliver,
    push_message_for,
)
from apps.notifications.models import DeliveryStatus, PushDelivery
from apps.notifications.payloads import PUSH_DATA_KEYS, route_for
from apps.notifications.tasks import deliver_push
from tests.factories.alerts import AlertFactory
from tests.notifications.push_servers import (
    PROJECT,
    fcm_stand_in,
    fcm_worker_environment,
    make_delivery,
    running_provider,
    webpush_stand_in,
)
from tests.seed import seed_state
from tests.workers import wait_until


@pytest.fixture
def provider():
    with running_provider() as server:
        yield server


@pytest.fixture
def fcm(provider, tmp_path, settings):
    with fcm_stand_in(provider, tmp_path, settings) as setup:
        yield setup


NOTE = "11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize(
    ("kind", "data", "route"),
    [
        ("reminder", {"reminder_kind": "exercise"}, "app://today"),
        ("reminder", {"reminder_kind": "checkin"}, "app://log"),
        ("reminder", {"reminder_kind": "care"}, "app://care"),
        ("reminder", {"reminder_kind": "questionnaire"}, "app://outcomes"),
        ("reminder", {}, f"app://notifications/{NOTE}"),
        ("alert", {"patient_id": "p", "alert_id": "a"}, "app://patients/p/alerts/a"),
        ("alert", {"alert_id": "a"}, f"app://notifications/{NOTE}"),
        ("advice", {"alert_id": "a"}, f"app://notifications/{NOTE}"),
        ("message", {"link_id": "l", "message_id": "m"}, "app://care-team/l/messages"),
        ("plan_changed", {"plan": "x"}, "app://plans/x"),
        ("something_new", {}, f"app://notifications/{NOTE}"),
    ],
)
def test_every_kind_has_a_route(kind, data, route):
    assert route_for(kind, NOTE, data) == route


def red_flag_delivery(physio, **device):
    alert = AlertFactory()
    return make_delivery(
        physio,
        kind="alert",
        title="Urgent: red flag",
        body="Open the app to review this patient's alert.",
        data={"alert_id": str(alert.id), "patient_id": str(alert.patient_id), "level": alert.level},
        alert=alert,
        **device,
    )


@pytest.mark.django_db
def test_a_red_flag_goes_at_high_priority_and_collapses_with_no_other(fcm, physio):
    delivery = red_flag_delivery(physio)

    assert push_deliver(delivery_id=delivery.id) == "sent"

    [sent] = fcm.server.sent()
    message = sent.json()["message"]
    note = str(delivery.notification_id)
    # Android: delivered at once and never dropped for a later one (no collapse key).
    assert message["android"] == {"priority": "HIGH", "notification": {"tag": note}}
    assert message["apns"]["headers"] == {
        "apns-priority": "10",
        "apns-collapse-id": f"red-flag-{note}",
        "apns-id": str(delivery.id),
    }
    alert = delivery.notification.alert
    assert message["data"] == {
        "alert_id": str(alert.id),
        "patient_id": str(alert.patient_id),
        "kind": "alert",
        "notification_id": note,
        "route": f"app://patients/{alert.patient_id}/alerts/{alert.id}",
    }


@pytest.mark.django_db
def test_other_alerts_go_at_normal_priority_collapsed_by_kind(fcm, physio):
    alert = AlertFactory(worsening=True)
    delivery = make_delivery(physio, kind="alert", data={"alert_id": str(alert.id)}, alert=alert)

    assert push_deliver(delivery_id=delivery.id) == "sent"

    message = fcm.server.sent()[0].json()["message"]
    assert message["android"]["priority"] == "NORMAL"
    assert message["android"]["collapse_key"] == "alert"
    assert message["apns"]["headers"]["apns-priority"] == "5"


@pytest.mark.django_db
def test_a_red_flag_over_web_push_is_urgent_with_a_topic_of_its_own(provider, settings, physio):
    keys = webpush_stand_in(provider, settings)
    delivery = red_flag_delivery(physio, platform="web", token=keys.token)

    assert push_deliver(delivery_id=delivery.id) == "sent"

    [sent] = keys.server.sent()
    assert sent.headers["urgency"] == "high"
    assert sent.headers["topic"] == uuid.UUID(str(delivery.notification_id)).hex
    plaintext = http_ece.decrypt(
        sent.body, private_key=keys.browser_key, auth_secret=keys.auth_secret, version="aes128gcm"
    )
    assert json.loads(plaintext)["data"]["route"].startswith("app://patients/")


class WorkerKilled(BaseException):
    """What a worker killed mid-send looks like from the database: the provider got the
    message, and the outcome was never written."""


@pytest.mark.django_db
def test_a_resend_after_a_worker_died_mid_send_reuses_every_key(fcm, physio, monkeypatch):
    """The measured rate: a worker killed between the provider's 200 and the row's update
    costs exactly one second request to the provider, per killed send; it carries the same
    apns-id, collapse id and tray tag, so the phone shows the notification once. No
    provider offers a key that drops the second request itself (at-least-once)."""
    delivery = red_flag_delivery(physio)
    real_finish = delivery_module._finish

    def die(*args, **kwargs):
        raise WorkerKilled

    monkeypatch.setattr(delivery_module, "_finish", die)
    with pytest.raises(WorkerKilled):
        push_deliver(delivery_id=delivery.id)
    monkeypatch.setattr(delivery_module, "_finish", real_finish)
    assert PushDelivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENDING

    with time_machine.travel(timezone.now() + CLAIM_TIMEOUT + timedelta(seconds=1)):
        assert deliveries_pending(older_than=timedelta(minutes=1)).filter(pk=delivery.pk).exists()
        assert push_deliver(delivery_id=delivery.id) == "sent"

    first, second = (sent.json()["message"] for sent in fcm.server.sent())
    assert first == second  # the same body: apns-id, apns-collapse-id, tag, data
    assert first["apns"]["headers"]["apns-id"] == str(delivery.id)
    assert first["android"]["notification"]["tag"] == str(delivery.notification_id)
    assert PushDelivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT


UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
KINDS = {"reminder", "alert", "advice", "message", "plan_changed"}
REMINDER_KINDS = {"exercise", "checkin", "care", "questionnaire"}


@pytest.mark.django_db
def test_no_push_of_a_seeded_state_carries_health_data():
    """Every delivery of a state with one of every record (red flags, messages, plan
    changes, reminders): its data holds ids, the kind and the route, nothing else."""
    seed_state()
    deliveries = list(PushDelivery.objects.select_related("notification", "notification__alert"))
    assert {d.notification.kind for d in deliveries} >= {"alert", "message"}

    for delivery in deliveries:
        data = push_message_for(delivery).data
        assert set(data) <= {*PUSH_DATA_KEYS, "kind", "notification_id", "route"}, data
        for key, value in data.items():
            if key == "kind":
                assert value in KINDS
            elif key == "reminder_kind":
                assert value in REMINDER_KINDS
            elif key == "route":
                assert re.fullmatch(r"app://[a-z-]+(/[0-9a-f-]+|/[a-z-]+)*", value), value
            else:
                assert UUID.match(value), (key, value)


@pytest.mark.integration
def test_a_real_worker_killed_mid_send_costs_one_identical_resend(
    start_worker, provider, tmp_path, settings, patient
):
    """A Celery worker is SIGKILLed while the provider holds its answer (the message has
    reached the provider, the outcome is not written). Five minutes later, as far as the
    claim knows, the sweep's resend goes out once more: two requests to the provider, the
    same body (apns-id, collapse id, tag, data), one delivery row sent."""
    with fcm_stand_in(provider, tmp_path, settings) as fcm:
        delivery = make_delivery(patient)
        held = threading.Event()
        provider.answer(200, {"name": f"projects/{PROJECT}/messages/1"}, hold=held)
        worker = start_worker(extra_env=fcm_worker_environment(fcm))

        deliver_push.delay(str(delivery.id))
        wait_until(lambda: len(provider.sent()) == 1, timeout=60, what="the first send")
        worker.kill()
        held.set()
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.SENDING
        PushDelivery.objects.filter(pk=delivery.pk).update(
            claimed_at=timezone.now() - CLAIM_TIMEOUT - timedelta(seconds=1)
        )
        assert deliveries_pending(older_than=timedelta(minutes=1)).filter(pk=delivery.pk).exists()

        assert push_deliver(delivery_id=delivery.id) == "sent"

    first, second = provider.sent()
    assert first.json() == second.json()
    assert first.json()["message"]["apns"]["headers"]["apns-id"] == str(delivery.id)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)

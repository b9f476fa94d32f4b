"""push_deliver: claims, retries and what is recorded, whatever the provider."""

import logging
import threading
import time
from datetime import timedelta
from email.utils import formatdate

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from apps.notifications import push
from apps.notifications.delivery import (
    CLAIM_TIMEOUT,
    MAX_ATTEMPTS,
    RETRY_BACKOFF_MAX_SECONDS,
    RETRY_GRACE,
    deliveries_pending,
    push_deliver,
    push_message_for,
    retry_countdown,
)
from apps.notifications.models import (
    AttemptOutcome,
    DeliveryStatus,
    Notification,
    PushDelivery,
)
from apps.notifications.tasks import deliver_push
from tests.factories import DeviceFactory
from tests.notifications.push_servers import (
    fcm_error,
    fcm_stand_in,
    fcm_worker_environment,
    make_delivery,
    running_provider,
    webpush_stand_in,
    webpush_worker_environment,
)
from tests.workers import wait_until


@pytest.fixture
def provider():
    with running_provider() as server:
        yield server


@pytest.fixture
def fcm(provider, tmp_path, settings):
    with fcm_stand_in(provider, tmp_path, settings) as setup:
        yield setup


@pytest.fixture
def console(settings):
    settings.PUSH_BACKENDS = {"android": "console", "ios": "console", "web": "console"}


def set_row(delivery, **fields):
    PushDelivery.objects.filter(pk=delivery.pk).update(**fields)


@pytest.mark.django_db(transaction=True)
def test_a_second_worker_skips_a_delivery_being_sent(fcm, patient):
    delivery = make_delivery(patient)
    release = threading.Event()
    fcm.server.answer(200, {"name": "held"}, hold=release)
    outcome = {}

    def first_worker():
        try:
            outcome["first"] = push_deliver(delivery_id=delivery.id)
        finally:
            connection.close()

    worker = threading.Thread(target=first_worker)
    worker.start()
    try:
        assert fcm.server.received.wait(timeout=10)
        # The first worker is inside the provider call, holding no database lock.
        assert push_deliver(delivery_id=delivery.id) == "skipped"
    finally:
        release.set()
        worker.join(timeout=10)

    assert outcome["first"] == "sent"
    assert len(fcm.server.sent()) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert delivery.attempt_log.count() == 1


@pytest.mark.django_db
def test_a_finished_delivery_is_not_sent_again(fcm, patient):
    delivery = make_delivery(patient)

    assert push_deliver(delivery_id=delivery.id) == "sent"
    assert push_deliver(delivery_id=delivery.id) == "skipped"

    assert len(fcm.server.sent()) == 1
    assert delivery.attempt_log.count() == 1


@pytest.mark.django_db
def test_a_stale_claim_of_a_dead_worker_is_taken_over(fcm, patient):
    delivery = make_delivery(patient)
    set_row(
        delivery,
        status=DeliveryStatus.SENDING,
        attempts=1,
        claimed_at=timezone.now() - CLAIM_TIMEOUT - timedelta(seconds=1),
    )

    assert push_deliver(delivery_id=delivery.id) == "sent"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert len(fcm.server.sent()) == 1


@pytest.mark.django_db
def test_a_fresh_claim_is_left_to_its_worker(fcm, patient):
    delivery = make_delivery(patient)
    set_row(delivery, status=DeliveryStatus.SENDING, attempts=1, claimed_at=timezone.now())

    assert push_deliver(delivery_id=delivery.id) == "skipped"

    assert fcm.server.sent() == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENDING, 1)


@pytest.mark.django_db
def test_a_stale_claim_past_max_attempts_fails_without_sending(fcm, patient):
    delivery = make_delivery(patient)
    set_row(
        delivery,
        status=DeliveryStatus.SENDING,
        attempts=MAX_ATTEMPTS,
        claimed_at=timezone.now() - CLAIM_TIMEOUT - timedelta(minutes=1),
    )

    assert push_deliver(delivery_id=delivery.id) == "failed"

    assert fcm.server.sent() == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


@pytest.mark.django_db
def test_an_overtaken_worker_does_not_overwrite_the_new_owner(console, patient, monkeypatch):
    delivery = make_delivery(patient)
    taken_over_at = timezone.now() + timedelta(minutes=6)

    def slow_send(self, device, message):
        # Meanwhile another worker judged this claim dead and took the row.
        set_row(delivery, claimed_at=taken_over_at, attempts=2)

    monkeypatch.setattr(push.ConsoleBackend, "send", slow_send)

    assert push_deliver(delivery_id=delivery.id) == "sent"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.claimed_at) == (DeliveryStatus.SENDING, taken_over_at)
    assert delivery.attempt_log.get().outcome == AttemptOutcome.SENT  # the send did happen


@pytest.mark.django_db
def test_a_disabled_device_is_not_sent_to(fcm, patient):
    delivery = make_delivery(patient)
    delivery.device.active = False
    delivery.device.save()

    assert push_deliver(delivery_id=delivery.id) == "failed"

    assert fcm.server.sent() == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, "device disabled")
    assert delivery.attempt_log.count() == 0


@pytest.mark.django_db
def test_an_unknown_delivery_is_skipped(console):
    assert push_deliver(delivery_id="00000000-0000-0000-0000-000000000000") == "skipped"


@pytest.mark.django_db
def test_the_console_backend_logs_no_title_body_or_token(console, patient, caplog):
    delivery = make_delivery(
        patient,
        token="secret-fcm-token",
        title="Pain is worse today",
        body="Your knee pain rose to 8/10",
    )

    with caplog.at_level(logging.DEBUG):
        assert push_deliver(delivery_id=delivery.id) == "sent"

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert str(delivery.device_id) in logged
    assert "android" in logged
    for secret in ("secret-fcm-token", "Pain is worse", "8/10", "exercises"):
        assert secret not in logged
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    attempt = delivery.attempt_log.get()
    assert (attempt.backend, attempt.outcome, attempt.status_code) == ("console", "sent", None)


@pytest.mark.django_db
def test_a_misconfigured_backend_gives_the_delivery_back(settings, patient):
    settings.PUSH_BACKENDS = {"android": "carrier-pigeon", "ios": "console", "web": "console"}
    delivery = make_delivery(patient)

    with pytest.raises(ImproperlyConfigured):
        push_deliver(delivery_id=delivery.id)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    attempt = delivery.attempt_log.get()
    assert (attempt.outcome, attempt.error) == (
        AttemptOutcome.TRANSIENT_ERROR,
        "error: ImproperlyConfigured",
    )
    assert delivery.device.active is True


@pytest.mark.django_db
def test_the_task_calls_the_service(console, patient):
    delivery = make_delivery(patient)

    assert deliver_push.run(str(delivery.id)) == "sent"


@pytest.mark.django_db
def test_the_sweep_finds_old_pending_and_stale_sending_deliveries(console, patient):
    def delivery_in(status, **fields):
        delivery = make_delivery(patient, token=f"token-{status}-{len(fields)}-{fields}")
        set_row(delivery, status=status, **fields)
        return delivery

    old = timezone.now() - timedelta(minutes=10)
    old_pending = delivery_in(DeliveryStatus.PENDING, updated_at=old)
    delivery_in(DeliveryStatus.PENDING)
    stale_sending = delivery_in(
        DeliveryStatus.SENDING, claimed_at=timezone.now() - CLAIM_TIMEOUT - timedelta(seconds=1)
    )
    delivery_in(DeliveryStatus.SENDING, claimed_at=timezone.now(), updated_at=old)
    delivery_in(DeliveryStatus.SENT, updated_at=old)
    delivery_in(DeliveryStatus.FAILED, updated_at=old)

    found = set(deliveries_pending(older_than=timedelta(minutes=1)).values_list("pk", flat=True))

    assert found == {old_pending.pk, stale_sending.pk}


@pytest.mark.django_db
def test_a_retried_delivery_is_not_swept_before_its_backoff(fcm, patient):
    delivery = make_delivery(patient)
    fcm.server.answer(503)
    set_row(delivery, updated_at=timezone.now() - timedelta(hours=1))

    with pytest.raises(push.TransientPushError):
        push_deliver(delivery_id=delivery.id)

    # update() skips auto_now: the release must touch updated_at itself. While the retry
    # chain backs off (up to 10 minutes), the sweep leaves the row to it: no second chain.
    assert not deliveries_pending(older_than=timedelta(minutes=1)).filter(pk=delivery.pk).exists()
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert (
            not deliveries_pending(older_than=timedelta(minutes=1)).filter(pk=delivery.pk).exists()
        )
    with time_machine.travel(timezone.now() + RETRY_GRACE + timedelta(minutes=1)):
        assert deliveries_pending(older_than=timedelta(minutes=1)).filter(pk=delivery.pk).exists()


@pytest.mark.django_db
def test_the_message_carries_ids_kind_and_route_and_nothing_else(patient):
    note = Notification.objects.create(
        user=patient,
        kind="alert",
        title="Red flag",
        body="Open the app",
        data={
            "alert_id": "a-1",
            "patient_id": "p-1",
            "level": "emergency",
            "urgent": True,
            "kind": "spoofed",
            "extra": None,
        },
    )
    delivery = PushDelivery.objects.create(notification=note, device=DeviceFactory(user=patient))

    message = push_message_for(delivery)

    assert message == push.PushMessage(
        title="Red flag",
        body="Open the app",
        data={
            "alert_id": "a-1",
            "patient_id": "p-1",
            "kind": "alert",
            "notification_id": str(note.id),
            "route": "app://patients/p-1/alerts/a-1",
        },
        urgent=False,  # no red-flag alert row behind it
        collapse_key="alert",
        tag=str(note.id),
        idempotency_key=str(delivery.id),
    )


# --- Retries: the task's backoff and the provider's Retry-After -------------------------------


@pytest.mark.parametrize(
    ("retries", "retry_after", "low", "high"),
    [
        (0, None, 0, 5),  # no Retry-After: 5 s doubling, full jitter
        (3, None, 0, 40),
        (10, None, 0, RETRY_BACKOFF_MAX_SECONDS),
        (0, 30, 30, 30),  # never sooner than the provider asked
        (0, 2.2, 3, 5),  # whole seconds, rounded up; a longer backoff still applies
        (6, 30, 30, 320),
        (0, 0, 0, 5),
        (0, 86_400, RETRY_BACKOFF_MAX_SECONDS, RETRY_BACKOFF_MAX_SECONDS),  # capped
    ],
)
def test_the_retry_countdown(retries, retry_after, low, high):
    countdowns = {retry_countdown(retries, retry_after) for _ in range(200)}

    assert low <= min(countdowns)
    assert max(countdowns) <= high


def test_no_retry_waits_longer_than_the_sweep_leaves_a_retry_chain_alone():
    assert timedelta(seconds=RETRY_BACKOFF_MAX_SECONDS) < RETRY_GRACE


def wait_until_sent(delivery) -> None:
    def sent() -> bool:
        delivery.refresh_from_db()
        return delivery.status == DeliveryStatus.SENT

    wait_until(sent, timeout=60, what="the delivery sent on its retry")


@pytest.mark.integration
def test_a_worker_retries_fcm_no_sooner_than_retry_after_seconds(
    start_worker, provider, tmp_path, settings, patient
):
    with fcm_stand_in(provider, tmp_path, settings) as fcm:
        delivery = make_delivery(patient)
        # Longer than the first backoff can be (5 s): only Retry-After explains the wait.
        provider.answer(503, fcm_error(503, "UNAVAILABLE"), headers={"Retry-After": "7"})
        start_worker(extra_env=fcm_worker_environment(fcm))

        deliver_push.delay(str(delivery.id))
        wait_until_sent(delivery)

    first, second = provider.sent()
    assert second.at - first.at >= 7
    assert delivery.attempts == 2
    assert [a.outcome for a in delivery.attempt_log.all()] == [
        AttemptOutcome.TRANSIENT_ERROR,
        AttemptOutcome.SENT,
    ]


@pytest.mark.integration
def test_a_worker_retries_web_push_no_sooner_than_a_retry_after_date(
    start_worker, provider, settings, patient
):
    setup = webpush_stand_in(provider, settings)
    delivery = make_delivery(patient, platform="web", token=setup.token)
    start_worker(extra_env=webpush_worker_environment(setup))
    # An HTTP-date has whole seconds: at least 7 s from now, more than the first backoff.
    asked = int(time.time()) + 8
    provider.answer(429, b"slow down", headers={"Retry-After": formatdate(asked, usegmt=True)})

    deliver_push.delay(str(delivery.id))
    wait_until_sent(delivery)

    first, second = provider.sent()
    assert first.at < asked <= second.at
    assert delivery.attempts == 2


@pytest.mark.django_db
def test_a_batch_s_pushes_are_published_in_chunks_and_each_is_sent(
    django_capture_on_commit_callbacks, monkeypatch
):
    from apps.notifications import inbox
    from apps.notifications.models import Notification, PushDelivery
    from apps.notifications.tasks import deliver_pushes
    from backend import queue

    published = []
    monkeypatch.setattr(
        queue, "send_many", lambda name, args, **kw: published.append((name, args)) or len(args)
    )
    devices = DeviceFactory.create_batch(inbox.PUSH_CHUNK + 5)
    with django_capture_on_commit_callbacks(execute=True):
        inbox.notifications_bulk_create(
            [Notification(user=device.user, kind="reminder", title="Hi") for device in devices]
        )
    queue.hand_off.drain()

    assert [(name, [len(ids) for (ids,) in args]) for name, args in published] == [
        (inbox.DELIVER_PUSHES, [inbox.PUSH_CHUNK, 5])
    ]
    ids = [delivery_id for (chunk,) in published[0][1] for delivery_id in chunk]
    assert deliver_pushes.run(ids[:3]) == {"sent": 3}
    assert PushDelivery.objects.filter(status="sent").count() == 3

"""Delivery survives a broker outage; an ice reminder arrives with the default stack."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from apps.accounts.services import care_link_create
from apps.alerts.models import Alert
from apps.notifications.inbox import deliveries_sweep
from apps.notifications.models import Device, Notification, PushDelivery, Reminder
from backend.queue import hand_off
from backend.settings.cache import redis_cache
from tests.bodies import symptom_log_body
from tests.conftest import client_for
from tests.workers import ManagedProcess, beat_argv, wait_until, worker_argv, worker_environment

pytestmark = pytest.mark.integration


def test_with_redis_stopped_an_urgent_log_still_reaches_the_physio_once_it_is_back(
    transactional_db, redis_server, celery_broker, patient, physio, tmp_path, settings
):
    care_link_create(physio=physio, patient=patient)
    Device.objects.create(user=physio, platform="android", token="fcm-token", token_hash="a" * 64)
    redis_server.start()
    redis_server.stop()  # Redis goes down: the broker and, as in production, the cache
    celery_broker(redis_server.url)
    settings.CACHES = redis_cache(redis_server.url)

    response = client_for(patient).post(
        "/api/v1/symptom-logs/",
        symptom_log_body(locations=["calf"], redness=True, warmth=True),
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["triage"]["level"] == "urgent"
    alert = Alert.objects.get(patient=patient)
    note = Notification.objects.get(user=physio, alert=alert)
    delivery = PushDelivery.objects.get(notification=note)
    assert delivery.status == "pending"  # its task could not be enqueued
    assert hand_off.drain(timeout=30)  # the handed-off publish has given up, Redis still down

    redis_server.start()  # the broker is back
    worker = ManagedProcess(
        worker_argv(), worker_environment(broker=redis_server.url), tmp_path / "worker.log"
    )
    worker.start("ready.")
    try:
        celery_broker(redis_server.url)
        assert deliveries_sweep(older_than=dt.timedelta(0)) >= 1  # what beat runs every minute
        wait_until(
            lambda: PushDelivery.objects.filter(pk=delivery.pk, status="sent").exists(),
            timeout=60,
            what="the push to be delivered",
        )
    finally:
        worker.stop()
    assert delivery.attempt_log.filter(outcome="sent").count() == 1


def test_an_ice_session_started_16_minutes_ago_reminds_within_two_minutes_with_the_default_stack(
    transactional_db, patient, tmp_path
):
    """The README's run command: no PostgreSQL, no Redis — the embedded broker, a worker
    and beat. (Beat ticks every 5 s here instead of 60 s to keep the test short.)"""
    broker_dir = tmp_path / "broker"
    env = {
        **worker_environment(broker="embedded", broker_dir=broker_dir),
        "REMINDER_DISPATCH_INTERVAL": "5",
    }
    worker = ManagedProcess(worker_argv(), env, tmp_path / "worker.log")
    beat = ManagedProcess(beat_argv(tmp_path / "beat-schedule"), env, tmp_path / "beat.log")

    started = timezone.now() - dt.timedelta(minutes=16)
    response = client_for(patient).post(
        "/api/v1/care-sessions/",
        {
            "client_id": str(uuid.uuid4()),
            "kind": "ice",
            "started_at": started.isoformat(),
            "planned_minutes": 15,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    try:
        worker.start("ready.")
        beat.start("beat: Starting...")
        note = wait_until(
            lambda: Notification.objects.filter(user=patient, kind="reminder").first(),
            timeout=120,
            what="the take-the-ice-off notification",
        )
    finally:
        beat.stop()
        worker.stop()

    assert note.title == "Time to take the ice off"
    reminder = Reminder.objects.get(user=patient, kind="care")
    assert reminder.status == "sent"
    inbox = client_for(patient).get("/api/v1/notifications/").json()["results"]
    assert inbox[0]["title"] == "Time to take the ice off"
    reminders = client_for(patient).get("/api/v1/reminders/").json()["results"]
    assert [r["status"] for r in reminders if r["kind"] == "care"] == ["sent"]

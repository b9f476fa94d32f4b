"""Reminders are sent exactly once, whatever runs at the same time and whatever crashes.

Real `celery worker` processes against this run's database and broker (PostgreSQL and
Redis in CI's second run, where claims use SELECT ... FOR UPDATE SKIP LOCKED)."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from apps.notifications.models import Notification, Reminder, ReminderKind, ReminderStatus
from apps.notifications.tasks import dispatch_due_reminders
from tests.factories import PatientFactory
from tests.workers import wait_until

pytestmark = pytest.mark.integration


def due_reminders(count: int) -> list[Reminder]:
    patients = PatientFactory.create_batch(5)
    now = timezone.now()
    return Reminder.objects.bulk_create(
        [
            Reminder(
                user=patients[n % 5],
                kind=ReminderKind.EXERCISE,
                source=f"test:{uuid.uuid4()}",
                scheduled_for=now - dt.timedelta(seconds=n),
                due_at=now - dt.timedelta(seconds=n),
                title="Time for your exercises",
            )
            for n in range(count)
        ]
    )


def all_sent() -> bool:
    return not Reminder.objects.filter(status=ReminderStatus.SCHEDULED).exists()


def test_two_schedulers_and_four_workers_send_each_reminder_once(start_worker):
    reminders = due_reminders(300)
    workers = [start_worker() for _ in range(4)]

    # Two beats ticking at once, several times: eight dispatch tasks race for the rows.
    for _ in range(8):
        dispatch_due_reminders.delay()
    wait_until(all_sent, timeout=120, what="every reminder sent")

    assert Notification.objects.count() == 300
    assert Notification.objects.values("reminder").distinct().count() == 300
    assert {n.reminder_id for n in Notification.objects.all()} == {r.id for r in reminders}
    for worker in workers:
        assert "Traceback" not in worker.log
        assert "IntegrityError" not in worker.log


def test_a_worker_killed_mid_batch_loses_nothing(start_worker):
    due_reminders(50)
    # A test-only app pauses the dispatcher inside its transaction (no hook in production).
    doomed = start_worker(app="tests.integration.paused_worker")

    dispatch_due_reminders.delay()
    doomed.wait_for_log("pausing", timeout=60)
    doomed.kill()  # SIGKILL inside the dispatcher's transaction

    assert Reminder.objects.filter(status=ReminderStatus.SCHEDULED).count() == 50
    assert not Notification.objects.exists()

    start_worker()
    dispatch_due_reminders.delay()  # the next beat tick
    wait_until(all_sent, timeout=120, what="every reminder sent after the crash")

    assert Notification.objects.count() == 50
    assert Notification.objects.values("reminder").distinct().count() == 50

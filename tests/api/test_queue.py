"""backend/queue.py: tasks by name or object, published after commit, never holding the
request longer than a fifth of a second."""

import threading
import time

import pytest

from backend.queue import HandOff, enqueue_on_commit, send_now
from tests.workers import purge_suite_queues


def queued(queue_name: str) -> list[tuple[str, list]]:
    """(task name, args) of the messages waiting on one of this run's queues."""
    from backend.celery import app

    found = []
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue(queue_name)
        try:
            while True:
                try:
                    message = queue.get(block=False)
                except queue.Empty:
                    break
                found.append((message.headers["task"], message.payload[0]))
                message.ack()
        finally:
            queue.close()
    return found


@pytest.mark.django_db
def test_a_task_name_is_published_and_routed_like_the_task_itself():
    from apps.notifications.tasks import deliver_push

    purge_suite_queues()

    assert send_now("apps.notifications.tasks.deliver_push", "by-name")
    assert send_now(deliver_push, "by-object")

    # Both on the task's own queue; the embedded broker's folder does not keep the order of
    # two messages written within the same clock tick, so the order is not asserted.
    assert sorted(queued("notifications")) == [
        ("apps.notifications.tasks.deliver_push", ["by-name"]),
        ("apps.notifications.tasks.deliver_push", ["by-object"]),
    ]


@pytest.mark.django_db
def test_a_task_sent_by_name_does_not_subscribe_to_its_result(monkeypatch):
    """Celery cannot see a named task's ignore_result; subscribing for every message would
    cost a Redis round trip, and 20 s of reconnects with Redis down."""
    from backend.celery import app

    subscribed = []
    monkeypatch.setattr(app.backend, "on_task_call", lambda *a, **k: subscribed.append(a))
    purge_suite_queues()

    assert send_now("apps.notifications.tasks.deliver_push", "by-name")

    assert subscribed == []
    purge_suite_queues()


@pytest.mark.django_db
def test_send_now_is_false_when_the_broker_refuses(celery_broker):
    celery_broker("redis://127.0.0.1:1/0")

    assert send_now("apps.alerts.tasks.check_worsening", "x") is False


@pytest.mark.django_db
def test_enqueue_on_commit_publishes_after_commit_only(django_capture_on_commit_callbacks):
    purge_suite_queues()

    with django_capture_on_commit_callbacks() as callbacks:
        enqueue_on_commit("apps.alerts.tasks.check_worsening", "patient-1", countdown=60)
    assert queued("default") == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert queued("default") == [("apps.alerts.tasks.check_worsening", ["patient-1"])]


def test_a_job_slower_than_the_wait_holds_one_submission_briefly_and_the_rest_not_at_all():
    hand_off = HandOff()
    release = threading.Event()
    ran = []

    started = time.monotonic()
    hand_off.submit(lambda: release.wait(10), wait=0.2)  # a publish to a hung broker
    first = time.monotonic() - started
    started = time.monotonic()
    for n in range(5):
        hand_off.submit(lambda n=n: ran.append(n), wait=0.2)
    rest = time.monotonic() - started

    assert 0.2 <= first < 0.4
    assert rest < 0.05
    assert ran == []  # queued behind the stuck job
    release.set()
    assert hand_off.drain(timeout=5)
    assert ran == [0, 1, 2, 3, 4]  # in order, once the broker answers


def test_with_a_healthy_broker_the_job_has_run_when_submit_returns():
    hand_off = HandOff()
    ran = []

    hand_off.submit(lambda: ran.append(1), wait=0.2)

    assert ran == [1]


def test_a_full_hand_off_drops_the_job_instead_of_growing(caplog):
    hand_off = HandOff(maxsize=2)
    release = threading.Event()
    hand_off.submit(lambda: release.wait(10))
    time.sleep(0.05)  # the stuck job left the queue for the thread
    ran = []
    for n in range(4):
        hand_off.submit(lambda n=n: ran.append(n))

    release.set()
    assert hand_off.drain(timeout=5)
    assert ran == [0, 1]
    assert "queue full" in caplog.text


def test_a_failing_job_does_not_stop_the_thread():
    hand_off = HandOff()
    ran = []

    hand_off.submit(lambda: 1 / 0, wait=0.2)
    hand_off.submit(lambda: ran.append(1), wait=0.2)

    assert ran == [1]

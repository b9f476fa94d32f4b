"""The Celery configuration docs/style.md asks for, checked on the app the worker loads."""

import pytest

from backend.celery import app

app.loader.import_default_modules()  # what a worker does at start: find every app's tasks
PROJECT_TASKS = sorted(name for name in app.tasks if name.startswith(("apps.", "backend.")))


def test_only_json_crosses_the_broker():
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert list(app.conf.accept_content) == ["json"]


def test_a_plain_worker_consumes_every_queue_tasks_are_routed_to():
    declared = {queue.name for queue in app.conf.task_queues}
    routed = {app.amqp.router.route({}, name)["queue"].name for name in PROJECT_TASKS}

    assert declared == {"default", "notifications"}
    assert routed <= declared


def test_notification_work_has_its_own_queue():
    route = app.amqp.router.route({}, "apps.notifications.tasks.deliver_push")
    assert route["queue"].name == "notifications"
    assert app.amqp.router.route({}, "apps.alerts.tasks.check_worsening")["queue"].name == (
        "default"
    )


def test_the_project_tasks_are_all_found():
    assert "apps.notifications.tasks.deliver_push" in PROJECT_TASKS
    assert "apps.alerts.tasks.check_worsening" in PROJECT_TASKS


def test_every_task_has_time_limits():
    assert app.conf.task_time_limit == 300
    assert app.conf.task_soft_time_limit == 240


@pytest.mark.parametrize("name", [n for n in PROJECT_TASKS if n.startswith("apps.")])
def test_every_app_task_is_idempotent_and_acknowledged_late(name):
    assert app.tasks[name].acks_late is True


def test_the_beat_schedule_names_only_registered_tasks():
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled
    assert scheduled <= set(app.tasks)


def test_a_batch_s_messages_carry_a_bounded_plain_repr_of_their_arguments(monkeypatch):
    """send_many gives Celery the logged form of each message's arguments (the C repr, cut
    at Celery's own bound) instead of letting it run saferepr per message."""
    from backend import queue
    from tests.workers import purge_suite_queues

    made = []
    real = app.amqp.create_task_message

    def spy(*args, **kwargs):
        made.append((kwargs.get("argsrepr"), kwargs.get("kwargsrepr")))
        return real(*args, **kwargs)

    monkeypatch.setattr(app.amqp, "create_task_message", spy)
    ids = [f"{n:036d}" for n in range(40)]
    try:
        sent = queue.send_many("apps.notifications.tasks.deliver_pushes", [(ids[:2],), (ids,)])
    finally:
        purge_suite_queues()

    assert sent == 2
    assert made[0] == (repr((ids[:2],)), "{}")
    assert made[1][0] == repr((ids,))[: queue.ARGSREPR_MAX]
    assert len(made[1][0]) == queue.ARGSREPR_MAX < len(repr((ids,)))

"""A real `celery -A backend worker` process runs tasks end to end."""

import pytest
from celery import Celery
from django.db import connection

from backend.celery import ping
from tests.workers import redis_reachable, redis_url, require

pytestmark = pytest.mark.integration


def test_a_worker_runs_a_task_through_this_runs_broker_and_database(start_worker):
    worker = start_worker()

    result = ping.delay("hello").get(timeout=30)

    assert result == {"value": "hello", "database": connection.settings_dict["NAME"]}
    assert "Connected to" in worker.log


def publisher(
    broker_url: str, result_backend: str, transport_options: dict | None = None
) -> Celery:
    """A client app configured independently of settings, as another process would be."""
    # set_as_current=False: shared_task proxies elsewhere in the suite must keep using
    # the project's app, not this one.
    return Celery(
        "publisher",
        set_as_current=False,
        broker=broker_url,
        backend=result_backend,
        broker_transport_options=transport_options or {},
        task_serializer="json",
        accept_content=["json"],
    )


def test_the_embedded_broker_needs_no_server(start_worker, tmp_path):
    broker_dir = tmp_path / "broker"
    for folder in ("queue", "control", "results"):
        (broker_dir / folder).mkdir(parents=True)
    worker = start_worker(broker="embedded", broker_dir=broker_dir)
    client = publisher(
        "filesystem://localhost/",
        f"file://{broker_dir / 'results'}",
        {
            "data_folder_in": str(broker_dir / "queue"),
            "data_folder_out": str(broker_dir / "queue"),
            "control_folder": str(broker_dir / "control"),
        },
    )

    result = client.send_task("backend.ping", args=["offline"], queue="default").get(timeout=30)

    assert result["value"] == "offline"
    assert "filesystem://" in worker.log


def test_redis_carries_tasks_to_a_worker(start_worker):
    require(redis_reachable(), "Redis")
    worker = start_worker(broker="redis")
    client = publisher(redis_url(), redis_url())

    result = client.send_task("backend.ping", args=["via redis"], queue="default").get(timeout=30)

    assert result["value"] == "via redis"
    assert "Connected to redis://" in worker.log

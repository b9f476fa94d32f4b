"""The Celery app, named `backend` (`celery -A backend worker|beat`)."""

import gc
import os
from pathlib import Path

from celery import Celery
from celery.signals import worker_process_init, worker_ready
from django.db import connection

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.local")

app = Celery("backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _ensure_embedded_broker_folders() -> None:
    # kombu's filesystem transport expects its folders to exist.
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    backend = app.conf.result_backend or ""
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _on_after_configure(sender, **kwargs) -> None:
    _ensure_embedded_broker_folders()


def freeze_startup_heap() -> None:
    """Hide what is alive once a worker has started (Django, the apps, every task module)
    from the garbage collector, as gunicorn's `pre_fork` does for the web workers
    (docs/decisions/gc-freeze.md): a full collection inside a task then walks only what
    the task made. A nightly sweep that raises 500 alerts makes a few hundred thousand
    objects and met one or two full collections over the whole framework (~50 ms of a
    0.4 s sweep measured in-process)."""
    gc.collect()
    gc.freeze()


@worker_process_init.connect
def _freeze_pool_process(**kwargs) -> None:
    # Each prefork child, after the fork: what runs tasks there.
    freeze_startup_heap()


@worker_ready.connect
def _freeze_worker(**kwargs) -> None:
    # The worker's own process: where the solo and threads pools run tasks.
    freeze_startup_heap()


@app.task(name="backend.ping", ignore_result=False)
def ping(value: str = "pong") -> dict:
    """Round trip through broker, worker and database; used by the integration tests."""

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"value": value, "database": connection.settings_dict["NAME"]}

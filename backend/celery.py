"""The Celery app, named `backend` (`celery -A backend worker|beat`)."""

import os
from pathlib import Path

from celery import Celery
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


@app.task(name="backend.ping", ignore_result=False)
def ping(value: str = "pong") -> dict:
    """Round trip through broker, worker and database; used by the integration tests."""

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"value": value, "database": connection.settings_dict["NAME"]}

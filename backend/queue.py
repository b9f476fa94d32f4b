"""Enqueue Celery work after the current transaction commits, never failing the caller.

The rows a task needs are committed before it can run, and a broker outage never turns
a patient's request into an error: whatever was not enqueued is picked up by the
periodic sweeps that look for undelivered work (DESIGN.md, Flows).
"""

import logging

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def send_now(task: Task | str, *args, countdown: float | None = None, **kwargs) -> bool:
    """Publish one task, given as a Task or by its name (so that services need not import
    their tasks: tasks import services). False, and a log line with ids only, when the
    broker refuses."""
    name = task if isinstance(task, str) else task.name
    try:
        if isinstance(task, str):
            from backend.celery import app

            app.send_task(name, args=args, kwargs=kwargs, countdown=countdown, retry=False)
        else:
            task.apply_async(args=args, kwargs=kwargs, countdown=countdown, retry=False)
    except Exception:
        logger.warning("broker unavailable: %s not enqueued; the sweep will retry", name)
        return False
    return True


def enqueue_on_commit(task: Task | str, *args, countdown: float | None = None, **kwargs) -> None:
    transaction.on_commit(lambda: send_now(task, *args, countdown=countdown, **kwargs))

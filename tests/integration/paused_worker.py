"""A Celery app whose reminder dispatcher pauses inside its transaction, so that a test can
kill the worker mid-batch (`celery -A tests.integration.paused_worker worker`).

Production code has no test hook: the pause is patched in here, in the worker process,
just before the dispatch task runs.
"""

import logging
import os
import time

from celery.signals import task_prerun

from backend.celery import app

__all__ = ["app"]
logger = logging.getLogger(__name__)


@task_prerun.connect
def _pause_dispatch_mid_batch(sender=None, **kwargs) -> None:
    from apps.notifications import dispatch

    if getattr(dispatch.reminder_notifications_create, "paused", False):
        return
    original = dispatch.reminder_notifications_create

    def paused(reminders):
        logger.info("dispatch: claimed %d reminders, pausing", len(reminders))
        time.sleep(float(os.environ.get("DISPATCH_PAUSE_SECONDS", "30")))
        return original(reminders)

    paused.paused = True
    dispatch.reminder_notifications_create = paused

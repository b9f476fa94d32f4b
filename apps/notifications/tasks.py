"""Celery tasks: thin wrappers that take ids, re-fetch and call one service. All are
safe to run twice, so they are acknowledged late (a worker that dies mid-task leaves
the message to be delivered again)."""

from backend.celery import app

from . import dispatch, inbox, reminders
from .delivery import MAX_ATTEMPTS
from .push import TransientPushError


@app.task(acks_late=True)
def dispatch_due_reminders() -> int:
    return dispatch.reminders_dispatch_due()


@app.task(
    acks_late=True,
    autoretry_for=(TransientPushError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_ATTEMPTS,  # the delivery row counts attempts and has the last word
)
def deliver_push(delivery_id: str) -> str:
    from .delivery import push_deliver

    return push_deliver(delivery_id=delivery_id)


@app.task(acks_late=True)
def sweep_undelivered() -> int:
    return inbox.deliveries_sweep()


@app.task(acks_late=True)
def plan_reminders_ahead() -> int:
    return reminders.reminders_plan_ahead()

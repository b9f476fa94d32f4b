"""Celery tasks: thin wrappers that take ids, re-fetch and call one service. All are
safe to run twice, so they are acknowledged late (a worker that dies mid-task leaves
the message to be delivered again)."""

from backend.celery import app

from . import dispatch, inbox, reminders
from .delivery import MAX_ATTEMPTS, retry_countdown
from .push import TransientPushError


@app.task(acks_late=True)
def dispatch_due_reminders() -> int:
    """The beat tick: fans the due backlog out to batch tasks; claims nothing itself."""
    return dispatch.reminders_fan_out()


@app.task(acks_late=True)
def dispatch_reminder_batch(batch_size: int = dispatch.DISPATCH_BATCH) -> int:
    return dispatch.reminders_dispatch_batch(batch_size=batch_size)


@app.task(bind=True, acks_late=True, max_retries=MAX_ATTEMPTS)
def deliver_push(self, delivery_id: str) -> str:
    # max_retries is a backstop: the delivery row counts attempts and has the last word.
    from .delivery import push_deliver

    try:
        return push_deliver(delivery_id=delivery_id)
    except TransientPushError as exc:
        countdown = retry_countdown(self.request.retries, exc.retry_after)
        raise self.retry(exc=exc, countdown=countdown) from exc


@app.task(acks_late=True)
def sweep_undelivered() -> int:
    return inbox.deliveries_sweep()


@app.task(acks_late=True)
def plan_reminders_ahead() -> int:
    return reminders.reminders_plan_ahead()

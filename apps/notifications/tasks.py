"""Celery tasks: thin wrappers that take ids, re-fetch and call one service. All are
safe to run twice, so they are acknowledged late (a worker that dies mid-task leaves
the message to be delivered again)."""

import logging
from collections import Counter

from backend.celery import app
from backend.queue import send_now

from . import dispatch, inbox, reminders
from .delivery import MAX_ATTEMPTS, push_deliver, retry_countdown
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

    try:
        return push_deliver(delivery_id=delivery_id)
    except TransientPushError as exc:
        countdown = retry_countdown(self.request.retries, exc.retry_after)
        raise self.retry(exc=exc, countdown=countdown) from exc


@app.task(acks_late=True)
def deliver_pushes(delivery_ids: list[str]) -> dict:
    """Several deliveries published as one message (a batch's pushes, PUSH_CHUNK at most):
    each is sent as deliver_push sends it; one the provider asks to retry goes on as its
    own deliver_push with backoff, so a slow provider never holds the others. A delivery
    left claimed by an error is found again by the sweep."""

    outcomes: Counter = Counter()
    for delivery_id in delivery_ids:
        try:
            outcomes[push_deliver(delivery_id=delivery_id)] += 1
        except TransientPushError as exc:
            send_now(deliver_push, delivery_id, countdown=retry_countdown(0, exc.retry_after))
            outcomes["retrying"] += 1
        except Exception as exc:  # the class name only: messages may hold anything
            logging.getLogger(__name__).warning(
                "deliver_pushes: %s on delivery %s; the sweep will retry",
                type(exc).__name__,
                delivery_id,
            )
            outcomes["error"] += 1
    return dict(outcomes)


@app.task(acks_late=True)
def sweep_undelivered() -> int:
    return inbox.deliveries_sweep()


@app.task(acks_late=True)
def plan_reminders_ahead() -> int:
    return reminders.reminders_plan_ahead()

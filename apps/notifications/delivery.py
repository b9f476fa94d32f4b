"""Sending one push delivery (an outbox row) to its device, at most once at a time.

A worker claims the row with a conditional update and only sends when it won the claim
(Healthchecks); every call to a provider leaves a DeliveryAttempt row. No transaction is
open while the provider is called: a slow provider must not hold a database lock (on
SQLite, the single writer lock for the whole site).
"""

from __future__ import annotations

import logging
import math
import uuid
from datetime import datetime, timedelta

from celery.utils.time import get_exponential_backoff_interval
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .models import (
    AttemptOutcome,
    DeliveryAttempt,
    DeliveryStatus,
    Device,
    PushDelivery,
)
from .payloads import push_options
from .push import PermanentPushError, PushError, PushMessage, TransientPushError, backend_for
from .texts import in_language_of, rendered

logger = logging.getLogger(__name__)

# With the task's backoff (5 s doubling, capped at 10 minutes, jittered) twelve attempts
# span roughly half an hour to an hour of provider trouble before a delivery fails.
MAX_ATTEMPTS = 12
RETRY_BACKOFF_SECONDS = 5
RETRY_BACKOFF_MAX_SECONDS = 10 * 60
# A delivery waiting for a retry is the retry chain's business; the sweep takes it back
# only when the chain has clearly died (longer than the longest backoff).
RETRY_GRACE = timedelta(minutes=15)
# A claim older than this belongs to a worker that died mid-send (the provider timeout is
# seconds, the task's hard time limit minutes): another worker may take the row over.
CLAIM_TIMEOUT = timedelta(minutes=5)

SKIPPED, SENT, FAILED = "skipped", "sent", "failed"

_ERROR_LENGTH = PushDelivery._meta.get_field("last_error").max_length
_REASON_LENGTH = Device._meta.get_field("disabled_reason").max_length


def _claimable(now: datetime) -> Q:
    stale = now - CLAIM_TIMEOUT
    return Q(status=DeliveryStatus.PENDING) | Q(
        Q(claimed_at__lt=stale) | Q(claimed_at__isnull=True), status=DeliveryStatus.SENDING
    )


def deliveries_pending(older_than: timedelta) -> QuerySet[PushDelivery]:
    """Deliveries the sweep should enqueue again: never tried and untouched for
    `older_than` (the broker lost or never got the task), waiting for a retry far longer
    than any backoff (the retry chain died), or claimed by a worker that died."""
    now = timezone.now()
    stale = now - CLAIM_TIMEOUT
    return PushDelivery.objects.filter(
        Q(status=DeliveryStatus.PENDING, attempts=0, updated_at__lt=now - older_than)
        | Q(
            status=DeliveryStatus.PENDING,
            attempts__gt=0,
            updated_at__lt=now - max(older_than, RETRY_GRACE),
        )
        | Q(
            Q(claimed_at__lt=stale) | Q(claimed_at__isnull=True),
            status=DeliveryStatus.SENDING,
        )
    ).order_by("updated_at")


def retry_countdown(retries: int, retry_after: float | None) -> int:
    """Seconds before the next try of a delivery that failed `retries + 1` times.

    Exponential backoff with full jitter (Celery's own helper, as autoretry uses it); when
    the provider sent Retry-After, no sooner than it asked, and no later than the longest
    backoff: a provider asking for hours must not outlast RETRY_GRACE and start a second
    retry chain through the sweep.
    """
    backoff = get_exponential_backoff_interval(
        factor=RETRY_BACKOFF_SECONDS,
        retries=retries,
        maximum=RETRY_BACKOFF_MAX_SECONDS,
        full_jitter=True,
    )
    if retry_after is None:
        return backoff
    return min(max(math.ceil(retry_after), backoff), RETRY_BACKOFF_MAX_SECONDS)


def push_message_for(delivery: PushDelivery) -> PushMessage:
    """What the device shows, the ids the app needs to open the right screen (`kind`,
    `notification_id`, `route` and the ids of payloads.PUSH_DATA_KEYS: no health data),
    its urgency and the keys that make a resent push show once (apps/notifications/payloads.py).
    Title and body in the recipient's language as it is now (texts.py)."""
    notification = delivery.notification
    alert = notification.alert
    options = push_options(
        kind=notification.kind,
        notification_id=str(notification.id),
        data=notification.data,
        alert_kind=alert.kind if alert is not None else None,
        delivery_id=str(delivery.id),
    )
    with in_language_of(getattr(delivery, "recipient_language", None)):
        title = rendered(notification.title, notification.text_params)
        body = rendered(notification.body, notification.text_params)
    return PushMessage(
        title=title,
        body=body,
        data=options.data,
        urgent=options.urgent,
        collapse_key=options.collapse_key,
        tag=options.tag,
        idempotency_key=options.idempotency_key,
    )


def push_deliver(*, delivery_id: uuid.UUID | str) -> str:
    """Send one delivery. Returns "sent", "failed" or "skipped" (another worker has it, or
    it is finished); raises TransientPushError when the task should retry with backoff."""
    now = timezone.now()
    won = (
        PushDelivery.objects.filter(_claimable(now), pk=delivery_id).update(
            status=DeliveryStatus.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            # update() skips auto_now; the sweep reads updated_at.
            updated_at=now,
        )
        == 1
    )
    if not won:
        return SKIPPED
    try:
        delivery = (
            PushDelivery.objects.select_related("device", "notification", "notification__alert")
            # The recipient's language only: never their row (it holds the password hash).
            .annotate(recipient_language=F("notification__user__language"))
            .get(pk=delivery_id)
        )
    except PushDelivery.DoesNotExist:  # the device was deleted meanwhile
        return SKIPPED
    device = delivery.device

    if delivery.attempts > MAX_ATTEMPTS:
        # Only a claim taken over from dead workers gets here: give up like a retry would.
        _finish(delivery, now, status=DeliveryStatus.FAILED, error="gave up: too many attempts")
        return FAILED
    if not device.active:
        _finish(delivery, now, status=DeliveryStatus.FAILED, error="device disabled")
        return FAILED

    backend_name = "?"
    try:
        backend = backend_for(device.platform)
        backend_name = backend.name
        status_code = backend.send(device, push_message_for(delivery))
    except PermanentPushError as exc:
        _permanent(delivery, now, backend_name, exc)
        return FAILED
    except TransientPushError as exc:
        if _transient(delivery, now, backend_name, str(exc), exc.status_code):
            raise
        return FAILED
    except PushError as exc:
        # The provider rejected the message itself: no retry, and the device stays on.
        _record(delivery, now, backend_name, AttemptOutcome.REJECTED, exc.status_code, str(exc))
        _log(delivery, backend_name, "rejected", exc.status_code)
        return FAILED
    except Exception as exc:
        # A bug or a configuration error: give the row back (the sweep will find it) and
        # let the task fail loudly. The class name only: messages may hold anything.
        if _transient(delivery, now, backend_name, f"error: {type(exc).__name__}", None):
            raise
        return FAILED

    with transaction.atomic():
        _finish(delivery, now, status=DeliveryStatus.SENT, error="", sent_at=timezone.now())
        _attempt(delivery, backend_name, AttemptOutcome.SENT, status_code, "")
    _log(delivery, backend_name, "sent", status_code)
    return SENT


def _finish(
    delivery: PushDelivery,
    claimed_at: datetime,
    *,
    status: str,
    error: str,
    sent_at: datetime | None = None,
) -> bool:
    """End our claim. The filter on our claim time keeps a worker whose claim was taken
    over (it looked dead) from overwriting the new owner's outcome."""
    fields: dict = {
        "status": status,
        "last_error": error[:_ERROR_LENGTH],
        "updated_at": timezone.now(),
    }
    if sent_at is not None:
        fields["sent_at"] = sent_at
    ended = (
        PushDelivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=claimed_at
        ).update(**fields)
        == 1
    )
    if not ended:
        logger.warning("push delivery %s: claim was taken over before it ended", delivery.pk)
    return ended


def _attempt(
    delivery: PushDelivery, backend: str, outcome: str, status_code: int | None, error: str
) -> None:
    DeliveryAttempt.objects.create(
        delivery=delivery,
        backend=backend[:32],
        outcome=outcome,
        status_code=status_code,
        error=error[:_ERROR_LENGTH],
    )


def _record(
    delivery: PushDelivery,
    claimed_at: datetime,
    backend: str,
    outcome: str,
    status_code: int | None,
    error: str,
    status: str = DeliveryStatus.FAILED,
) -> None:
    with transaction.atomic():
        _finish(delivery, claimed_at, status=status, error=error)
        _attempt(delivery, backend, outcome, status_code, error)


def _permanent(
    delivery: PushDelivery, claimed_at: datetime, backend: str, exc: PermanentPushError
) -> None:
    now = timezone.now()
    with transaction.atomic():
        # active=True keeps the first reason and time when several deliveries find out.
        Device.objects.filter(pk=delivery.device_id, active=True).update(
            active=False, disabled_at=now, disabled_reason=str(exc)[:_REASON_LENGTH]
        )
        _finish(delivery, claimed_at, status=DeliveryStatus.FAILED, error=str(exc))
        _attempt(delivery, backend, AttemptOutcome.PERMANENT_ERROR, exc.status_code, str(exc))
    _log(delivery, backend, "device disabled", exc.status_code)


def _transient(
    delivery: PushDelivery,
    claimed_at: datetime,
    backend: str,
    error: str,
    status_code: int | None,
) -> bool:
    """Record a failed try; True when it is to be retried (the row is pending again)."""
    retry = delivery.attempts < MAX_ATTEMPTS
    _record(
        delivery,
        claimed_at,
        backend,
        AttemptOutcome.TRANSIENT_ERROR,
        status_code,
        error,
        status=DeliveryStatus.PENDING if retry else DeliveryStatus.FAILED,
    )
    _log(delivery, backend, "will retry" if retry else "gave up", status_code)
    return retry


def _log(delivery: PushDelivery, backend: str, outcome: str, status_code: int | None) -> None:
    logger.info(
        "push delivery %s to device %s via %s: %s (HTTP %s, attempt %s)",
        delivery.pk,
        delivery.device_id,
        backend,
        outcome,
        status_code,
        delivery.attempts,
    )

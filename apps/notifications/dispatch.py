"""Sending due reminders: claim each row once, write its inbox notification.

Any number of dispatchers may run at once: rows are claimed with skip_locked on
PostgreSQL (SQLite serialises writers) and by a conditional update checked through a
claim token, and each reminder can make only one notification (unique). A crash mid-batch
rolls the batch back, so the rows are due again for the next run: nothing is lost.
"""

import logging
import uuid
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from .inbox import notifications_bulk_create
from .models import Notification, NotificationKind, Reminder, ReminderStatus

logger = logging.getLogger(__name__)

DISPATCH_BATCH = 100


def reminders_dispatch_due(
    *, now: datetime | None = None, batch_size: int = DISPATCH_BATCH, max_batches: int = 50
) -> int:
    """Send what is due, a batch per transaction."""
    total = 0
    for _ in range(max_batches):
        claimed, seen = _dispatch_batch(now=now or timezone.now(), batch_size=batch_size)
        total += claimed
        if seen < batch_size:
            break
    return total


@transaction.atomic
def _dispatch_batch(*, now: datetime, batch_size: int) -> tuple[int, int]:
    due = Reminder.objects.filter(status=ReminderStatus.SCHEDULED, due_at__lte=now).order_by(
        "due_at"
    )
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True)
    candidates = list(due.values_list("pk", flat=True)[:batch_size])
    if not candidates:
        return 0, 0
    token = uuid.uuid4()
    Reminder.objects.filter(pk__in=candidates, status=ReminderStatus.SCHEDULED).update(
        status=ReminderStatus.SENT, sent_at=now, claim_token=token, updated_at=now
    )
    # pk__in: the primary key's index finds the rows (claim_token has none).
    won = list(Reminder.objects.filter(pk__in=candidates, claim_token=token).select_related("user"))
    notifications_bulk_create(
        [
            Notification(
                user=reminder.user,
                kind=NotificationKind.REMINDER,
                title=reminder.title,
                body=reminder.body,
                data={"reminder_id": str(reminder.id), "reminder_kind": reminder.kind},
                reminder=reminder,
            )
            for reminder in won
        ]
    )
    logger.info("dispatch: sent %d reminders", len(won))
    return len(won), len(candidates)

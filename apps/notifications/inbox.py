"""The inbox and its push outbox (docs/decisions/transactional-outbox.md).

A notification is a row in the user's inbox, with one delivery row per active device,
written in the caller's transaction: if the alert or reminder exists, so do its
notifications. Pushes are enqueued after commit by task name; a sweep re-enqueues what the
broker never got, so an outage delays a push, never loses it.
"""

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from backend.inserts import json_rows
from backend.queue import enqueue_many_on_commit, send_now

from .delivery import deliveries_pending
from .models import DeliveryStatus, Device, Notification, NotificationKind, PushDelivery

DELIVER_PUSH = "apps.notifications.tasks.deliver_push"
DELIVER_PUSHES = "apps.notifications.tasks.deliver_pushes"
# Deliveries per published message: a dispatch batch of 1,000 reminders is 50 messages,
# not 1,000; a chunk's pushes are sent one after another, within the task's time limit
# even if every provider call timed out (20 × PUSH_TIMEOUT_SECONDS).
PUSH_CHUNK = 20


def notifications_create(
    *,
    users: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    data: dict | None = None,
    alert=None,
    text_params: Mapping[str, Any] | None = None,
) -> list[Notification]:
    """The same notification for several users (inbox rows and their deliveries). `title`
    and `body` are texts marked with gettext_noop, `text_params` their values: each user
    reads and is pushed them in their own language (texts.py)."""
    return notifications_bulk_create(
        [
            Notification(
                user=user,
                kind=kind,
                title=title,
                body=body,
                text_params=dict(text_params or {}),
                data=data or {},
                alert=alert,
            )
            for user in users
        ]
    )


def notifications_bulk_create(notifications: list[Notification]) -> list[Notification]:
    """Inbox rows and a push delivery per active device of each user, in the caller's
    transaction; the pushes are enqueued when it commits. Three queries for any number."""
    notifications = Notification.objects.bulk_create(notifications)
    if not notifications:
        return notifications
    by_user: dict = {}
    for notification in notifications:
        by_user.setdefault(notification.user_id, []).append(notification)
    devices = Device.objects.filter(user_id__in=by_user, active=True)
    deliveries = PushDelivery.objects.bulk_create(
        [
            PushDelivery(notification=notification, device=device)
            for device in devices
            for notification in by_user[device.user_id]
        ]
    )
    deliveries_publish_on_commit([str(delivery.id) for delivery in deliveries])
    return notifications


# Literal table names (this app's own): no SQL is built from data. Each inbox writer below
# is a `WITH inbox AS (INSERT … RETURNING id, user_id)` followed by this: a pending push
# delivery per active device of each new row's user.
_DELIVERIES_FOR_INBOX_SQL = """
    INSERT INTO notifications_pushdelivery
        (id, notification_id, device_id, status, attempts, last_error, created_at, updated_at)
    SELECT gen_random_uuid(), inbox.id, d.id, %(pending)s, 0, '', %(now)s, %(now)s
    FROM inbox JOIN notifications_device d ON d.user_id = inbox.user_id AND d.active
    RETURNING id
"""


def _inbox_and_deliveries_insert(inbox_sql: str, params: dict[str, Any]) -> None:
    """Run an inbox writer with its deliveries (params: now, pending and the writer's own)
    and publish the deliveries once the transaction commits."""
    with connection.cursor() as cursor:
        cursor.execute(inbox_sql + _DELIVERIES_FOR_INBOX_SQL, params)
        deliveries_publish_on_commit([str(row[0]) for row in cursor.fetchall()])


# The rows arrive as one JSON document, which PostgreSQL unpacks itself (one parameter,
# nothing quoted in Python).
_INBOX_ROWS_SQL = """
    WITH inbox AS (
        INSERT INTO notifications_notification
            (id, user_id, kind, title, body, text_params, data, alert_id, created_at)
        SELECT gen_random_uuid(), r.user_id, r.kind, r.title, COALESCE(r.body, ''),
            COALESCE(r.text_params, '{}'), COALESCE(r.data, '{}'), r.alert_id, %(now)s
        FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(
            user_id uuid, kind text, title text, body text, text_params jsonb, data jsonb,
            alert_id uuid)
        RETURNING id, user_id
    )
"""

# What a row of notifications_insert may hold (user_id, kind and title are required).
INBOX_ROW_FIELDS = frozenset(
    {"user_id", "kind", "title", "body", "text_params", "data", "alert_id"}
)


def notifications_insert(rows: list[dict[str, Any]]) -> int:
    """notifications_bulk_create for rows given as dicts (INBOX_ROW_FIELDS, ids as UUIDs),
    for the writers of hundreds at a time (the nightly sweeps): on PostgreSQL
    one INSERT … SELECT writes the inbox rows and their deliveries from a single JSON
    parameter, no model instance made; elsewhere notifications_bulk_create. Same rows
    either way; the pushes are published after commit. Returns the rows written."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        notifications_bulk_create([Notification(**row) for row in rows])
        return len(rows)
    unknown = set().union(*rows) - INBOX_ROW_FIELDS
    if unknown:
        raise TypeError(f"notifications_insert: unknown fields {sorted(unknown)}")
    params: dict[str, Any] = {
        "rows": json_rows(rows),
        "now": timezone.now(),
        "pending": DeliveryStatus.PENDING,
    }
    _inbox_and_deliveries_insert(_INBOX_ROWS_SQL, params)
    return len(rows)


def deliveries_publish_on_commit(ids: list[str]) -> None:
    """Published together after commit, over one broker connection: one deliver_push for
    a single delivery, else deliver_pushes messages of PUSH_CHUNK deliveries."""
    if len(ids) == 1:
        enqueue_many_on_commit(DELIVER_PUSH, [(ids[0],)])
    else:
        enqueue_many_on_commit(
            DELIVER_PUSHES,
            [(ids[start : start + PUSH_CHUNK],) for start in range(0, len(ids), PUSH_CHUNK)],
        )


_REMINDER_INBOX_SQL = """
    WITH inbox AS (
        INSERT INTO notifications_notification
            (id, user_id, kind, title, body, text_params, data, reminder_id, created_at)
        SELECT gen_random_uuid(), r.user_id, %(kind)s, r.title, r.body, r.text_params,
            jsonb_build_object('reminder_id', r.id::text, 'reminder_kind', r.kind), r.id, %(now)s
        FROM notifications_reminder r
        WHERE r.id = ANY(%(ids)s)
        RETURNING id, user_id
    )
"""


def reminder_notifications_create(reminders: list[dict]) -> int:
    """The inbox rows of claimed reminders (dicts of id, user_id, kind, title, body and,
    off PostgreSQL, text_params) and
    a push delivery per active device, in the caller's transaction; the pushes are
    published after commit. On PostgreSQL one INSERT … SELECT writes both (the rows never
    pass through Python); elsewhere notifications_bulk_create. Same rows either way."""

    if not reminders:
        return 0
    if connection.vendor == "postgresql":
        params: dict[str, Any] = {
            "kind": NotificationKind.REMINDER,
            "now": timezone.now(),
            "ids": [reminder["id"] for reminder in reminders],
            "pending": DeliveryStatus.PENDING,
        }
        _inbox_and_deliveries_insert(_REMINDER_INBOX_SQL, params)
        return len(reminders)
    notifications_bulk_create(
        [
            Notification(
                user_id=reminder["user_id"],
                kind=NotificationKind.REMINDER,
                title=reminder["title"],
                body=reminder["body"],
                text_params=reminder.get("text_params") or {},
                data={"reminder_id": str(reminder["id"]), "reminder_kind": reminder["kind"]},
                reminder_id=reminder["id"],
            )
            for reminder in reminders
        ]
    )
    return len(reminders)


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def deliveries_sweep(*, older_than: timedelta = timedelta(minutes=1), limit: int = 500) -> int:
    """Re-enqueue push deliveries still pending: the broker was down when they were made,
    or a worker died. Delayed, never lost."""
    ids = list(deliveries_pending(older_than=older_than).values_list("pk", flat=True)[:limit])
    for delivery_id in ids:
        send_now(DELIVER_PUSH, str(delivery_id))
    return len(ids)

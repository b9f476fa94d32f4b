"""What a push carries besides its title and body: the data the app opens a screen from,
how urgent it is, and the keys that let a device show a resent push once
(docs/api.md, "Push payloads"; docs/decisions/push-client.md).

Pure: built from a notification's kind, id and data, and whether it is a red flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .models import NotificationKind, ReminderKind

# The ids an app needs, and nothing else: no level, score, text or code of a symptom goes
# through Google's or Apple's servers. A key not listed here never leaves the server.
PUSH_DATA_KEYS = (
    "reminder_id",
    "reminder_kind",
    "alert_id",
    "patient_id",
    "link_id",
    "message_id",
    "plan",
)

# The alert kind that makes a push urgent. A string, not alerts' enum: notifications sits
# below alerts and imports nothing of it (the row's alert is read through the foreign key).
RED_FLAG_ALERT = "red_flag"

REMINDER_ROUTES: dict[str, str] = {
    ReminderKind.EXERCISE: "app://today",
    ReminderKind.CHECKIN: "app://log",
    ReminderKind.CARE: "app://care",
    ReminderKind.QUESTIONNAIRE: "app://outcomes",
}


@dataclass(frozen=True)
class PushOptions:
    """`data` (strings only: FCM's rule), `urgent` (a red flag: high priority everywhere),
    `collapse_key` (per kind; a red flag's is its own, so no red flag ever replaces
    another on a screen), `tag` (the notification's id: a device shows a resent push in
    place of the first) and `idempotency_key` (the delivery row's id, the same on every
    try of that row: APNs' `apns-id`)."""

    data: dict[str, str]
    urgent: bool
    collapse_key: str
    tag: str
    idempotency_key: str


def _inbox(notification_id: str) -> str:
    return f"app://notifications/{notification_id}"


def route_for(kind: str, notification_id: str, data: Mapping[str, Any]) -> str:
    """The app screen a push opens; the notification in the inbox when an id is missing."""
    if kind == NotificationKind.REMINDER:
        return REMINDER_ROUTES.get(str(data.get("reminder_kind")), _inbox(notification_id))
    if kind == NotificationKind.ALERT and data.get("patient_id") and data.get("alert_id"):
        return f"app://patients/{data['patient_id']}/alerts/{data['alert_id']}"
    if kind == NotificationKind.MESSAGE and data.get("link_id"):
        return f"app://care-team/{data['link_id']}/messages"
    if kind == NotificationKind.PLAN_CHANGED and data.get("plan"):
        return f"app://plans/{data['plan']}"
    # Advice (worsening) and anything unforeseen: the inbox item says what to do.
    return _inbox(notification_id)


def push_options(
    *,
    kind: str,
    notification_id: str,
    data: Mapping[str, Any] | None,
    alert_kind: str | None,
    delivery_id: str,
) -> PushOptions:
    data = data or {}
    sent = {key: str(data[key]) for key in PUSH_DATA_KEYS if data.get(key) is not None}
    sent.update(
        kind=kind,
        notification_id=notification_id,
        route=route_for(kind, notification_id, data),
    )
    urgent = kind == NotificationKind.ALERT and alert_kind == RED_FLAG_ALERT
    return PushOptions(
        data=sent,
        urgent=urgent,
        collapse_key=f"red-flag-{notification_id}" if urgent else kind,
        tag=notification_id,
        idempotency_key=delivery_id,
    )

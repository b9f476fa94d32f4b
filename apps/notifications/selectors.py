"""Reads for notifications, each scoped to the caller: a user reaches only their own
inbox, reminders, reminder settings and devices."""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import User

from .models import Device, Notification, Reminder, ReminderSettings

RECENT_REMINDERS = timedelta(days=7)


def notifications_for(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The caller's inbox, newest first."""
    inbox = Notification.objects.filter(user=user).order_by("-created_at")
    if unread_only:
        inbox = inbox.filter(read_at__isnull=True)
    return inbox


def reminders_for(
    *, user: User, status: str | None = None, now: datetime | None = None
) -> QuerySet[Reminder]:
    """The caller's upcoming reminders and those of the last week, in due order."""
    reminders = Reminder.objects.filter(
        user=user, due_at__gte=(now or timezone.now()) - RECENT_REMINDERS
    ).order_by("due_at")
    if status is not None:
        reminders = reminders.filter(status=status)
    return reminders


def reminder_settings_of(user: User) -> ReminderSettings:
    """The user's settings, or the defaults (not saved) for one who never changed them."""
    try:
        return user.reminder_settings
    except ReminderSettings.DoesNotExist:
        return ReminderSettings(user=user)


def devices_for(*, user: User) -> QuerySet[Device]:
    """The caller's push destinations, newest first."""
    return Device.objects.filter(user=user).order_by("-created_at")


def export_for(patient: User) -> dict[str, Any]:
    """Reminder settings, reminders, the inbox and devices (never their tokens)."""
    return {
        "reminder_settings": ReminderSettings.objects.filter(user=patient)
        .values(
            "checkin_time",
            "exercise_reminders",
            "checkin_reminders",
            "care_reminders",
            "questionnaire_reminders",
        )
        .first(),
        "reminders": list(
            Reminder.objects.filter(user=patient)
            .order_by("due_at")
            .values("id", "kind", "source", "scheduled_for", "due_at", "status", "sent_at")
        ),
        "notifications": list(
            Notification.objects.filter(user=patient)
            .order_by("created_at")
            .values("id", "kind", "title", "body", "created_at", "read_at")
        ),
        "devices": list(
            Device.objects.filter(user=patient).values("id", "platform", "active", "created_at")
        ),
    }

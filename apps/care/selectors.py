from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.notifications.models import Reminder

from .models import CareSession


def care_sessions_for(*, patient: User) -> QuerySet[CareSession]:
    """A patient's own sessions, newest first (id breaks ties, so pages are stable)."""
    return CareSession.objects.filter(patient=patient).order_by("-started_at", "-id")


def care_session_reminders(*, sessions: Iterable[CareSession]) -> dict[UUID, Reminder]:
    """Each session's end-of-session reminder, in one query.

    Reminders point at their source by a text key, not a foreign key (one table serves
    plans, check-ins and care), so they are matched here rather than joined.
    """
    by_source = {session.reminder_source: session.id for session in sessions}
    if not by_source:
        return {}
    reminders = Reminder.objects.filter(source__in=by_source).order_by("scheduled_for")
    return {by_source[reminder.source]: reminder for reminder in reminders}


def export_for(patient: User) -> dict[str, Any]:
    return {
        "care_sessions": list(
            CareSession.objects.filter(patient=patient)
            .order_by("started_at")
            .values("id", "client_id", "kind", "started_at", "planned_minutes", "finished_at")
        )
    }

"""Exercise-plan reminders: when a plan wants its patient reminded, planned a week ahead
with the generic engine of apps.notifications.reminders."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop

from apps.notifications.models import Reminder, ReminderKind
from apps.notifications.reminders import (
    plan_ahead_horizon,
    reminders_sync,
    reminders_wanted,
    upcoming_local_times,
)

from .models import ExercisePlan, PlanStatus

# Stored in English, sent in the patient's language (apps/notifications/texts.py).
REMINDER_TITLE = gettext_noop("Time for your exercises")
REMINDER_BODY = gettext_noop("Your plan “%(plan)s” has exercises due today.")


def plan_source(plan: ExercisePlan) -> str:
    return f"plan:{plan.id}"


def _plan_reminds(plan: ExercisePlan) -> bool:
    return (
        plan.status == PlanStatus.ACTIVE
        and plan.paused_at is None
        and bool(plan.reminder_times)
        and reminders_wanted(plan.patient, ReminderKind.EXERCISE)
    )


def _plan_times(plan: ExercisePlan, now: datetime) -> set[datetime]:
    """When the plan's reminders fall in the next days, in the patient's zone: on the days
    its current items are due, between its start and end dates."""
    if not _plan_reminds(plan):
        return set()
    weekdays = {
        day for item in plan.items.filter(retired_at__isnull=True) for day in item.days_of_week
    }
    times: set[datetime] = set()
    for text in plan.reminder_times:
        times |= upcoming_local_times(
            zone=plan.patient.zone,
            now=now,
            at=time.fromisoformat(text),
            days=weekdays,
            first=plan.start_date,
            last=plan.end_date,
        )
    return times


def plan_reminders_sync(*, plan: ExercisePlan, now: datetime | None = None) -> None:
    """Make the plan's future reminders match the plan: create what is missing, cancel
    what no longer applies (edited times, archived or paused plan). Safe to run any number of times."""
    now = now or timezone.now()
    reminders_sync(
        user=plan.patient,
        kind=ReminderKind.EXERCISE,
        source=plan_source(plan),
        wanted=_plan_times(plan, now),
        active=_plan_reminds(plan),
        title=REMINDER_TITLE,
        body=REMINDER_BODY,
        text_params={"plan": plan.title},
        now=now,
    )


def on_reminders_replan(sender, *, user, now: datetime, **kwargs) -> None:
    """The patient's zone, quiet hours or settings changed: re-plan their active plans."""
    for plan in ExercisePlan.objects.filter(patient=user, status=PlanStatus.ACTIVE):
        plan.patient = user
        plan_reminders_sync(plan=plan, now=now)


def on_reminders_plan_ahead(sender, *, now: datetime, batch: int = 500, **kwargs) -> int:
    """Top up every active plan that lacks reminders at the far end of the window (about
    once a day each, not every hour). Sources are compared as text in Python: casting a
    UUID key to text differs between databases (SQLite drops the hyphens)."""
    covered = set(
        Reminder.objects.filter(
            source__startswith="plan:", scheduled_for__gte=plan_ahead_horizon(now)
        )
        .values_list("source", flat=True)
        .distinct()
    )
    plans = ExercisePlan.objects.filter(
        status=PlanStatus.ACTIVE,
        paused_at__isnull=True,
        end_date__gte=(now - timedelta(days=1)).date(),
    ).select_related("patient")
    count = 0
    for plan in plans.iterator(chunk_size=batch):
        if plan_source(plan) not in covered:
            plan_reminders_sync(plan=plan, now=now)
            count += 1
    return count

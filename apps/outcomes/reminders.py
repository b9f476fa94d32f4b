"""Questionnaire reminders: when an outcome schedule wants its patient reminded, planned a
week ahead with the generic engine of apps.notifications.reminders (rows with a due time,
quiet hours, claim-once dispatch, push).

Each occurrence of a schedule is reminded at the patient's check-in time (the time they
chose to be asked about their knee), except the one due on the day the schedule was made:
that is reminded at once, since the physiotherapist has just asked. An answered occurrence
is not reminded. Reminder texts name no instrument: a lock screen is not a private place.
"""

from datetime import datetime, time, timedelta

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_noop

from apps.notifications.models import Reminder, ReminderKind, ReminderStatus
from apps.notifications.reminders import (
    HORIZON_DAYS,
    plan_ahead_horizon,
    reminder_schedule,
    reminders_cancel,
    reminders_sync,
    reminders_wanted,
)
from apps.notifications.selectors import reminder_settings_of

from . import due
from .models import InstrumentVersion, OutcomeSchedule

# Stored in English, sent in the patient's language (apps/notifications/texts.py).
TITLE = gettext_noop("A short questionnaire is due")
BODY = gettext_noop(
    "Your physiotherapist asked you to answer a questionnaire. Open the app when you can."
)
SOURCE_PREFIX = "outcome_schedule:"


def schedule_source(schedule: OutcomeSchedule) -> str:
    return f"{SOURCE_PREFIX}{schedule.id}"


def _instrument_available(schedule: OutcomeSchedule) -> bool:
    return InstrumentVersion.objects.filter(
        instrument_id=schedule.instrument_id, enabled=True
    ).exists()


def _reminds(schedule: OutcomeSchedule) -> bool:
    return (
        schedule.is_active
        and reminders_wanted(schedule.patient, ReminderKind.QUESTIONNAIRE)
        and _instrument_available(schedule)
    )


def _reminder_time(schedule: OutcomeSchedule) -> time:
    checkin = reminder_settings_of(schedule.patient).checkin_time
    return time.fromisoformat(checkin) if isinstance(checkin, str) else checkin


def _last_answered_on(schedule: OutcomeSchedule):
    last = schedule.responses.aggregate(last=Max("completed_at"))["last"]
    return last.astimezone(schedule.patient.zone).date() if last else None


def _schedule_times(schedule: OutcomeSchedule, now: datetime, *, active: bool) -> set[datetime]:
    """The reminders wanted after `now`, in the next HORIZON_DAYS days of the patient's zone."""
    if not active:
        return set()
    zone = schedule.patient.zone
    today = now.astimezone(zone).date()
    made_on = schedule.created_at.astimezone(zone).date()
    answered_on = _last_answered_on(schedule)
    at = _reminder_time(schedule)
    times = set()
    for day in due.occurrences_between(
        starts_on=schedule.starts_on,
        every_days=schedule.every_days,
        first=today,
        last=today + timedelta(days=HORIZON_DAYS - 1),
    ):
        if day == made_on or due.is_answered(day, answered_on):
            continue  # reminded when the schedule was made, or already answered
        moment = datetime.combine(day, at, tzinfo=zone)
        if moment > now:
            times.add(moment)
    return times


def schedule_reminders_sync(*, schedule: OutcomeSchedule, now: datetime | None = None) -> None:
    """Make the schedule's future reminders match it: create what is missing, cancel what no
    longer applies (ended schedule, instrument switched off, reminders switched off)."""
    now = now or timezone.now()
    active = _reminds(schedule)
    reminders_sync(
        user=schedule.patient,
        kind=ReminderKind.QUESTIONNAIRE,
        source=schedule_source(schedule),
        wanted=_schedule_times(schedule, now, active=active),
        active=active,
        title=TITLE,
        body=BODY,
        now=now,
    )
    if not active:
        # Also one due this very moment and not yet claimed: nothing is due any more.
        reminders_cancel(source=schedule_source(schedule))


def schedule_reminders_start(*, schedule: OutcomeSchedule, now: datetime | None = None) -> None:
    """A new schedule: remind at once when its first occurrence is already due (moved to
    the end of quiet hours by the engine), then plan the week ahead."""
    # Not before the schedule's own timestamp: the at-once reminder must not count as a
    # future time nobody wants (the caller's `now` was taken before the row was saved).
    now = max(now or timezone.now(), schedule.created_at)
    today = now.astimezone(schedule.patient.zone).date()
    if due.is_due(
        starts_on=schedule.starts_on,
        every_days=schedule.every_days,
        today=today,
        last_answered_on=None,
    ) and _instrument_available(schedule):
        reminder_schedule(
            user=schedule.patient,
            kind=ReminderKind.QUESTIONNAIRE,
            source=schedule_source(schedule),
            at=schedule.created_at,
            title=TITLE,
            body=BODY,
        )
    schedule_reminders_sync(schedule=schedule, now=now)


def schedule_reminders_answered(*, schedule: OutcomeSchedule, now: datetime | None = None) -> None:
    """A response arrived: a reminder whose time has come but that quiet hours still hold
    back is no longer needed, and the answered occurrence is not reminded later today."""
    now = now or timezone.now()
    Reminder.objects.filter(
        source=schedule_source(schedule),
        status=ReminderStatus.SCHEDULED,
        scheduled_for__lte=now,
        due_at__gt=now,
    ).update(status=ReminderStatus.CANCELLED, updated_at=now)
    schedule_reminders_sync(schedule=schedule, now=now)


def on_reminders_replan(sender, *, user, now: datetime, **kwargs) -> None:
    """The patient's zone, quiet hours or settings changed: re-plan their schedules."""
    for schedule in OutcomeSchedule.objects.filter(patient=user, ended_at__isnull=True):
        schedule.patient = user
        schedule_reminders_sync(schedule=schedule, now=now)


def _occurs_at_window_end(schedule: OutcomeSchedule, now: datetime) -> bool:
    """Whether an occurrence falls in the days the hourly top-up adds (the window's far
    end), so that a schedule every 30 days is not re-synced every hour for nothing."""
    zone = schedule.patient.zone
    first = plan_ahead_horizon(now).astimezone(zone).date()
    last = now.astimezone(zone).date() + timedelta(days=HORIZON_DAYS - 1)
    return any(
        due.occurrences_between(
            starts_on=schedule.starts_on, every_days=schedule.every_days, first=first, last=last
        )
    )


def on_reminders_plan_ahead(sender, *, now: datetime, batch: int = 500, **kwargs) -> int:
    """Top up every active schedule with an occurrence at the far end of the window that
    lacks its reminder. Sources are compared as text in Python (see apps/plans/reminders.py)."""
    covered = set(
        Reminder.objects.filter(
            source__startswith=SOURCE_PREFIX, scheduled_for__gte=plan_ahead_horizon(now)
        )
        .values_list("source", flat=True)
        .distinct()
    )
    schedules = OutcomeSchedule.objects.filter(ended_at__isnull=True).select_related(
        "patient", "patient__reminder_settings"
    )
    count = 0
    for schedule in schedules.iterator(chunk_size=batch):
        if schedule_source(schedule) in covered or not _occurs_at_window_end(schedule, now):
            continue
        schedule_reminders_sync(schedule=schedule, now=now)
        count += 1
    return count

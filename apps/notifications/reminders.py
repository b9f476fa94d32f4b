"""The generic reminder engine: reminders are rows with a due time (docs/decisions/
reminders-as-rows.md), never far-future tasks on the broker.

A source (a plan, a care session, the daily check-in, an outcome schedule) owns its
reminders through a text key (`plan:<id>`, `care_session:<id>`, `checkin:<user id>`):
(source, scheduled_for) is unique, so planning again is idempotent. Sources above this app
plan their own times and call `reminders_sync` or `reminder_schedule`; they re-plan when
`backend.hooks.reminders_replan` or `reminders_plan_ahead` is sent. Quiet hours move
`due_at` to their end in the patient's zone; they never drop a reminder.
"""

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_noop

from apps.accounts.models import Role, User
from backend import hooks

from .models import Reminder, ReminderKind, ReminderSettings, ReminderStatus
from .quiet_hours import shift_out_of_quiet_hours
from .selectors import reminder_settings_of

# A patient who just started a home-care session is awake and using the app; the "take
# the ice off" reminder protects the skin and must not wait for the morning
# (docs/decisions/ice-reminder-in-quiet-hours.md).
QUIET_HOURS_EXEMPT = {ReminderKind.CARE}
# A session synced long after it ended: "take the ice off" hours late is noise.
STALE_CARE_REMINDER = timedelta(hours=1)
# Rows exist a week ahead; the hourly plan-ahead task rolls the window forward.
HORIZON_DAYS = 7

# Stored in English, sent in the patient's language (texts.py).
CHECKIN_TITLE = gettext_noop("How is your knee today?")
CHECKIN_BODY = gettext_noop("Take a moment to log your pain and symptoms.")


def reminder_due_at(*, user: User, kind: str, at: datetime) -> datetime:
    if kind in QUIET_HOURS_EXEMPT:
        return at
    return shift_out_of_quiet_hours(
        at, start=user.quiet_hours_start, end=user.quiet_hours_end, zone=user.zone
    )


def reminders_wanted(user: User, kind: str) -> bool:
    """Whether the user wants reminders of this kind (their reminder settings)."""
    settings = reminder_settings_of(user)
    switches: dict[str, str] = {
        ReminderKind.EXERCISE: "exercise_reminders",
        ReminderKind.CHECKIN: "checkin_reminders",
        ReminderKind.CARE: "care_reminders",
        ReminderKind.QUESTIONNAIRE: "questionnaire_reminders",
    }
    switch = switches.get(kind)
    return bool(getattr(settings, switch)) if switch else True


@transaction.atomic
def reminder_schedule(
    *,
    user: User,
    kind: str,
    source: str,
    at: datetime,
    title: str,
    body: str = "",
    text_params: Mapping[str, Any] | None = None,
) -> Reminder:
    """Create the reminder of `source` at `at`, or return the one already there. A kind
    the user switched off is stored as cancelled, so the caller can still show it.
    `title` and `body` are texts marked with gettext_noop, `text_params` their values:
    rendered in the patient's language when sent or read (texts.py)."""
    wanted = reminders_wanted(user, kind) and not (
        kind == ReminderKind.CARE and at < timezone.now() - STALE_CARE_REMINDER
    )
    reminder, _ = Reminder.objects.get_or_create(
        source=source,
        scheduled_for=at,
        defaults={
            "user": user,
            "kind": kind,
            "due_at": reminder_due_at(user=user, kind=kind, at=at),
            "title": title,
            "body": body,
            "text_params": dict(text_params or {}),
            "status": ReminderStatus.SCHEDULED if wanted else ReminderStatus.CANCELLED,
        },
    )
    return reminder


def reminders_cancel(*, source: str, after: datetime | None = None) -> int:
    """Cancel a source's reminders not yet sent (optionally only those due after `after`)."""
    pending = Reminder.objects.filter(source=source, status=ReminderStatus.SCHEDULED)
    if after is not None:
        pending = pending.filter(scheduled_for__gt=after)
    return pending.update(status=ReminderStatus.CANCELLED, updated_at=timezone.now())


@transaction.atomic
def reminders_sync(
    *,
    user: User,
    kind: str,
    source: str,
    wanted: set[datetime],
    active: bool,
    title: str,
    body: str,
    now: datetime,
    text_params: Mapping[str, Any] | None = None,
) -> None:
    """Make a source's future reminders match `wanted` (times after `now`): create what is
    missing, bring back what was cancelled and is wanted again, cancel what no longer
    applies. Once the source is off (`active` false: plan archived, reminders switched off)
    also cancel those whose time has passed but that quiet hours still hold back. Safe to
    run any number of times."""
    scheduled = Reminder.objects.filter(source=source, status=ReminderStatus.SCHEDULED)
    stale = scheduled.filter(scheduled_for__gt=now).exclude(scheduled_for__in=wanted)
    if not active:
        stale = stale | scheduled.filter(scheduled_for__lte=now, due_at__gt=now)
    stale.update(status=ReminderStatus.CANCELLED, updated_at=now)

    existing = {
        reminder.scheduled_for: reminder
        for reminder in Reminder.objects.filter(source=source, scheduled_for__in=wanted)
    }
    revived = [r for r in existing.values() if r.status == ReminderStatus.CANCELLED]
    for reminder in revived:
        reminder.status = ReminderStatus.SCHEDULED
        reminder.due_at = reminder_due_at(user=user, kind=kind, at=reminder.scheduled_for)
        reminder.updated_at = now
    Reminder.objects.bulk_update(revived, ["status", "due_at", "updated_at"])
    Reminder.objects.bulk_create(
        [
            Reminder(
                user=user,
                kind=kind,
                source=source,
                scheduled_for=at,
                due_at=reminder_due_at(user=user, kind=kind, at=at),
                title=title,
                body=body,
                text_params=dict(text_params or {}),
            )
            for at in sorted(wanted - set(existing))
        ],
        ignore_conflicts=True,
    )


def upcoming_local_times(
    *, zone, now: datetime, at: time, days: set[int] | None = None, first=None, last=None
) -> set[datetime]:
    """The moments at local time `at` in the next HORIZON_DAYS days (optionally only on
    weekdays `days`, 0 = Monday, and between the dates `first` and `last`), after `now`."""
    today = now.astimezone(zone).date()
    moments = set()
    for offset in range(HORIZON_DAYS):
        day = today + timedelta(days=offset)
        if days is not None and day.weekday() not in days:
            continue
        if (first and day < first) or (last and day > last):
            continue
        moment = datetime.combine(day, at, tzinfo=zone)
        if moment > now:
            moments.add(moment)
    return moments


# --- The daily check-in: the engine's own source ------------------------------------------


def checkin_source(user: User) -> str:
    return f"checkin:{user.pk}"


def checkin_reminders_sync(*, user: User, now: datetime | None = None) -> None:
    """The daily check-in reminders of the next days, at the user's local check-in time."""
    now = now or timezone.now()
    settings_ = reminder_settings_of(user)
    checkin_time = settings_.checkin_time
    if isinstance(checkin_time, str):
        checkin_time = time.fromisoformat(checkin_time)
    reminders_sync(
        user=user,
        kind=ReminderKind.CHECKIN,
        source=checkin_source(user),
        wanted=(
            upcoming_local_times(zone=user.zone, now=now, at=checkin_time)
            if settings_.checkin_reminders
            else set()
        ),
        active=settings_.checkin_reminders,
        title=CHECKIN_TITLE,
        body=CHECKIN_BODY,
        now=now,
    )


# --- Settings and re-planning ---------------------------------------------------------------


@transaction.atomic
def reminder_settings_update(*, user: User, **changes) -> ReminderSettings:
    """Save the user's choices and bring their future reminders in line at once."""
    current, _ = ReminderSettings.objects.get_or_create(user=user)
    for name, value in changes.items():
        setattr(current, name, value)
    current.full_clean(exclude=["user"])
    current.save()
    user.reminder_settings = current
    hooks.reminders_replan.send(sender=ReminderSettings, user=user, now=timezone.now())
    return current


def on_reminders_replan(sender, *, user: User, now: datetime, **kwargs) -> None:
    """This app's part of re-planning a patient's reminders: check-ins, switched-off care
    reminders, and the due time of every pending reminder (zone or quiet hours changed).
    Other sources (plans, outcomes) re-sync their own on the same hook."""
    if not reminders_wanted(user, ReminderKind.CARE):
        Reminder.objects.filter(
            user=user,
            kind=ReminderKind.CARE,
            status=ReminderStatus.SCHEDULED,
            scheduled_for__gt=now,
        ).update(status=ReminderStatus.CANCELLED, updated_at=now)
    checkin_reminders_sync(user=user, now=now)
    pending = list(
        Reminder.objects.filter(
            user=user, status=ReminderStatus.SCHEDULED, scheduled_for__gt=now - timedelta(days=1)
        )
    )
    for reminder in pending:
        reminder.due_at = reminder_due_at(user=user, kind=reminder.kind, at=reminder.scheduled_for)
    Reminder.objects.bulk_update(pending, ["due_at"])


def plan_ahead_horizon(now: datetime) -> datetime:
    """A source with no reminder beyond this is due a top-up. A week of rows exists once
    synced; five days (not six) so that a day whose reminder time has passed does not make
    every source look short and be re-synced every hour for nothing."""
    return now + timedelta(days=HORIZON_DAYS - 2)


def on_reminders_plan_ahead(sender, *, now: datetime, batch: int = 500, **kwargs) -> int:
    """Top up the check-ins of every patient who lacks them at the far end of the window."""
    patients = (
        User.objects.filter(role=Role.PATIENT, is_active=True)
        .exclude(reminder_settings__checkin_reminders=False)  # nothing to plan for them
        .exclude(
            Exists(
                Reminder.objects.filter(
                    user=OuterRef("pk"),
                    kind=ReminderKind.CHECKIN,
                    scheduled_for__gte=plan_ahead_horizon(now),
                )
            )
        )
        .select_related("reminder_settings")
    )
    count = 0
    for patient in patients.iterator(chunk_size=batch):
        checkin_reminders_sync(user=patient, now=now)
        count += 1
    return count


def reminders_plan_ahead(*, now: datetime | None = None) -> int:
    """Hourly: every reminder source tops up a week of rows (idempotent). Returns how
    many sources were synced."""
    now = now or timezone.now()
    results = hooks.reminders_plan_ahead.send(sender=Reminder, now=now)
    return sum(int(count or 0) for _receiver, count in results)

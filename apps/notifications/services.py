"""Reminders as rows: scheduling (quiet hours applied) and cancelling by source."""

import logging
import time as clock
import uuid
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.accounts.models import User
from backend.queue import enqueue_on_commit

from .models import (
    Device,
    Notification,
    NotificationKind,
    PushDelivery,
    Reminder,
    ReminderKind,
    ReminderSettings,
    ReminderStatus,
)
from .quiet_hours import shift_out_of_quiet_hours

# A patient who just started a home-care session is awake and using the app; the
# "take the ice off" reminder protects the skin and must not wait for the morning.
QUIET_HOURS_EXEMPT = {ReminderKind.CARE}


def reminder_due_at(*, user: User, kind: str, at: datetime) -> datetime:
    if kind in QUIET_HOURS_EXEMPT:
        return at
    return shift_out_of_quiet_hours(
        at, start=user.quiet_hours_start, end=user.quiet_hours_end, zone=user.zone
    )


def reminder_settings_of(user: User) -> ReminderSettings:
    """The user's settings, or the defaults (not saved) for one who never changed them."""
    try:
        return user.reminder_settings
    except ReminderSettings.DoesNotExist:
        return ReminderSettings(user=user)


def reminders_wanted(user: User, kind: str) -> bool:
    settings = reminder_settings_of(user)
    return {
        ReminderKind.EXERCISE: settings.exercise_reminders,
        ReminderKind.CHECKIN: settings.checkin_reminders,
        ReminderKind.CARE: settings.care_reminders,
    }[kind]


@transaction.atomic
def reminder_schedule(
    *, user: User, kind: str, source: str, at: datetime, title: str, body: str = ""
) -> Reminder:
    """Create the reminder of `source` at `at`, or return the one already there. A kind
    the user switched off is stored as cancelled, so the caller can still show it."""
    wanted = reminders_wanted(user, kind) and not (
        # A session synced long after it ended: "take the ice off" hours late is noise.
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
            "status": ReminderStatus.SCHEDULED if wanted else ReminderStatus.CANCELLED,
        },
    )
    return reminder


STALE_CARE_REMINDER = timedelta(hours=1)


def reminders_cancel(*, source: str, after: datetime | None = None) -> int:
    """Cancel a source's reminders not yet sent (optionally only those due after `after`)."""
    pending = Reminder.objects.filter(source=source, status=ReminderStatus.SCHEDULED)
    if after is not None:
        pending = pending.filter(scheduled_for__gt=after)
    return pending.update(status=ReminderStatus.CANCELLED, updated_at=timezone.now())


def _cancel_unwanted(
    *, source: str, wanted: set[datetime], source_active: bool, now: datetime
) -> None:
    """Cancel a source's unsent reminders that no longer apply: those still to come that
    are not `wanted`, and, once the source is off (plan archived, reminders switched off),
    those whose time has passed but that quiet hours are still holding back."""
    scheduled = Reminder.objects.filter(source=source, status=ReminderStatus.SCHEDULED)
    stale = scheduled.filter(scheduled_for__gt=now).exclude(scheduled_for__in=wanted)
    if not source_active:
        stale = stale | scheduled.filter(scheduled_for__lte=now, due_at__gt=now)
    stale.update(status=ReminderStatus.CANCELLED, updated_at=now)


# --- Exercise plan reminders --------------------------------------------------------------

PLAN_HORIZON_DAYS = 7  # rows exist a week ahead; a daily task rolls the window forward


def _plan_source(plan) -> str:
    return f"plan:{plan.id}"


def _plan_reminds(plan) -> bool:
    from apps.plans.models import PlanStatus

    return (
        plan.status == PlanStatus.ACTIVE
        and bool(plan.reminder_times)
        and reminders_wanted(plan.patient, ReminderKind.EXERCISE)
    )


def _plan_times(plan, now: datetime) -> set[datetime]:
    """When the plan's reminders fall in the next days, in the patient's zone."""
    if not _plan_reminds(plan):
        return set()
    zone = plan.patient.zone
    weekdays = {
        day for item in plan.items.filter(retired_at__isnull=True) for day in item.days_of_week
    }
    today = now.astimezone(zone).date()
    times = set()
    for offset in range(PLAN_HORIZON_DAYS):
        day = today + timedelta(days=offset)
        if not plan.start_date <= day <= plan.end_date or day.weekday() not in weekdays:
            continue
        for text in plan.reminder_times:
            at = datetime.combine(day, time.fromisoformat(text), tzinfo=zone)
            if at > now:
                times.add(at)
    return times


@transaction.atomic
def plan_reminders_sync(*, plan, now: datetime | None = None) -> None:
    """Make the plan's future reminders match the plan: create what is missing, cancel
    what no longer applies (edited times, archived plan). Safe to run any number of times."""
    now = now or timezone.now()
    source = _plan_source(plan)
    wanted = _plan_times(plan, now)
    _cancel_unwanted(source=source, wanted=wanted, source_active=_plan_reminds(plan), now=now)
    future = Reminder.objects.filter(source=source, scheduled_for__gt=now)
    existing = {r.scheduled_for: r for r in future.filter(scheduled_for__in=wanted)}
    patient = plan.patient
    for reminder in existing.values():
        if reminder.status == ReminderStatus.CANCELLED:
            reminder.status = ReminderStatus.SCHEDULED
            reminder.due_at = reminder_due_at(
                user=patient, kind=reminder.kind, at=reminder.scheduled_for
            )
            reminder.save(update_fields=["status", "due_at", "updated_at"])
    Reminder.objects.bulk_create(
        [
            Reminder(
                user=patient,
                kind=ReminderKind.EXERCISE,
                source=source,
                scheduled_for=at,
                due_at=reminder_due_at(user=patient, kind=ReminderKind.EXERCISE, at=at),
                title="Time for your exercises",
                body=f"Your plan \u201c{plan.title}\u201d has exercises due today.",
            )
            for at in sorted(wanted - set(existing))
        ],
        ignore_conflicts=True,
    )


# --- Check-in reminders ------------------------------------------------------------------


def checkin_source(user: User) -> str:
    return f"checkin:{user.pk}"


def checkin_reminders_sync(*, user: User, now: datetime | None = None) -> None:
    """The daily check-in reminders of the next days, at the user's local check-in time."""
    now = now or timezone.now()
    source = checkin_source(user)
    settings_ = reminder_settings_of(user)
    wanted: set[datetime] = set()
    if settings_.checkin_reminders:
        zone = user.zone
        today = now.astimezone(zone).date()
        checkin_time = settings_.checkin_time
        if isinstance(checkin_time, str):
            checkin_time = time.fromisoformat(checkin_time)
        for offset in range(PLAN_HORIZON_DAYS):
            at = datetime.combine(today + timedelta(days=offset), checkin_time, tzinfo=zone)
            if at > now:
                wanted.add(at)
    _cancel_unwanted(
        source=source, wanted=wanted, source_active=settings_.checkin_reminders, now=now
    )
    future = Reminder.objects.filter(source=source, scheduled_for__gt=now)
    known = set(future.filter(scheduled_for__in=wanted).values_list("scheduled_for", flat=True))
    Reminder.objects.bulk_create(
        [
            Reminder(
                user=user,
                kind=ReminderKind.CHECKIN,
                source=source,
                scheduled_for=at,
                due_at=reminder_due_at(user=user, kind=ReminderKind.CHECKIN, at=at),
                title="How is your knee today?",
                body="Take a moment to log your pain and symptoms.",
            )
            for at in sorted(wanted - known)
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def reminder_settings_update(*, user: User, **changes) -> ReminderSettings:
    """Save the user's choices and bring their future reminders in line at once."""
    current, _ = ReminderSettings.objects.get_or_create(user=user)
    for name, value in changes.items():
        setattr(current, name, value)
    current.full_clean(exclude=["user"])
    current.save()
    user.reminder_settings = current
    reminders_replan_for_user(user=user)
    return current


def reminders_replan_for_user(*, user: User, now: datetime | None = None) -> None:
    """After a change of settings, time zone or quiet hours: re-plan every future reminder."""
    from apps.plans.models import ExercisePlan, PlanStatus

    now = now or timezone.now()
    for kind in (ReminderKind.CARE,):
        if not reminders_wanted(user, kind):
            Reminder.objects.filter(
                user=user, kind=kind, status=ReminderStatus.SCHEDULED, scheduled_for__gt=now
            ).update(status=ReminderStatus.CANCELLED, updated_at=now)
    for plan in ExercisePlan.objects.filter(patient=user, status=PlanStatus.ACTIVE):
        plan.patient = user
        plan_reminders_sync(plan=plan, now=now)
    checkin_reminders_sync(user=user, now=now)
    pending = list(
        Reminder.objects.filter(
            user=user, status=ReminderStatus.SCHEDULED, scheduled_for__gt=now - timedelta(days=1)
        )
    )
    for reminder in pending:
        reminder.due_at = reminder_due_at(user=user, kind=reminder.kind, at=reminder.scheduled_for)
    Reminder.objects.bulk_update(pending, ["due_at"])


def reminders_plan_ahead(*, now: datetime | None = None, batch: int = 500) -> int:
    """Roll every active plan's and every patient's check-in reminders a week ahead.
    Runs hourly; idempotent (unique source and time)."""
    from apps.accounts.models import Role
    from apps.plans.models import ExercisePlan, PlanStatus

    now = now or timezone.now()
    # A week of rows exists once synced; a source with nothing beyond five days from now
    # is due a top-up. (Six would miss a day's reminder once its time of day has passed
    # and re-sync such sources every hour for nothing.)
    horizon = now + timedelta(days=PLAN_HORIZON_DAYS - 2)
    count = 0
    # Only what lacks reminders at the far end of the window: each plan and patient is
    # topped up about once a day, not every hour. Sources are compared as text in Python:
    # casting a UUID key to text differs between databases (SQLite drops the hyphens).
    covered = set(
        Reminder.objects.filter(source__startswith="plan:", scheduled_for__gte=horizon)
        .values_list("source", flat=True)
        .distinct()
    )
    plans = ExercisePlan.objects.filter(
        status=PlanStatus.ACTIVE, end_date__gte=(now - timedelta(days=1)).date()
    ).select_related("patient")
    for plan in plans.iterator(chunk_size=batch):
        if _plan_source(plan) not in covered:
            plan_reminders_sync(plan=plan, now=now)
            count += 1
    patients = (
        User.objects.filter(role=Role.PATIENT, is_active=True)
        .exclude(reminder_settings__checkin_reminders=False)  # nothing to plan for them
        .exclude(
            Exists(
                Reminder.objects.filter(
                    user=OuterRef("pk"), kind=ReminderKind.CHECKIN, scheduled_for__gte=horizon
                )
            )
        )
        .select_related("reminder_settings")
    )
    for patient in patients.iterator(chunk_size=batch):
        checkin_reminders_sync(user=patient, now=now)
        count += 1
    return count


# --- Inbox and push outbox ------------------------------------------------------------------

logger = logging.getLogger(__name__)


def _deliver_on_commit(deliveries: Iterable[PushDelivery]) -> None:
    from .tasks import deliver_push

    for delivery in deliveries:
        enqueue_on_commit(deliver_push, str(delivery.id))


def notifications_create(
    *,
    users: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    data: dict | None = None,
    alert=None,
) -> list[Notification]:
    """Inbox rows for several users and a push delivery per active device, written in the
    caller's transaction (an outbox); pushes are enqueued when it commits."""
    return notifications_bulk_create(
        [
            Notification(user=user, kind=kind, title=title, body=body, data=data or {}, alert=alert)
            for user in users
        ]
    )


def notifications_bulk_create(notifications: list[Notification]) -> list[Notification]:
    notifications = Notification.objects.bulk_create(notifications)
    _create_deliveries(notifications)
    return notifications


def _create_deliveries(notifications: list[Notification]) -> None:
    if not notifications:
        return
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
    _deliver_on_commit(deliveries)


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


# --- Dispatching due reminders --------------------------------------------------------------

DISPATCH_BATCH = 100


def reminders_dispatch_due(
    *, now: datetime | None = None, batch_size: int = DISPATCH_BATCH, max_batches: int = 50
) -> int:
    """Send what is due, a batch per transaction. Any number of dispatchers may run at
    once: rows are claimed with skip_locked on PostgreSQL (SQLite serialises writers)
    and by a conditional update checked through a claim token, and each reminder can
    make only one notification (unique). A crash mid-batch rolls the batch back, so the
    rows are due again for the next run: nothing is lost."""
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
    pause = settings.REMINDER_DISPATCH_TEST_PAUSE
    if pause:  # tests kill a worker here, mid-batch, inside the transaction
        logger.info("dispatch: claimed %d reminders, pausing %.1fs", len(won), pause)
        clock.sleep(pause)
    notifications = Notification.objects.bulk_create(
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
    _create_deliveries(notifications)
    logger.info("dispatch: sent %d reminders", len(won))
    return len(won), len(candidates)


def deliveries_sweep(*, older_than: timedelta = timedelta(minutes=1), limit: int = 500) -> int:
    """Re-enqueue push deliveries still pending: the broker was down when they were
    made, or a worker died. Delayed, never lost."""
    from backend.queue import send_now

    from .delivery import deliveries_pending
    from .tasks import deliver_push

    ids = list(deliveries_pending(older_than=older_than).values_list("pk", flat=True)[:limit])
    for delivery_id in ids:
        send_now(deliver_push, str(delivery_id))
    return len(ids)

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from apps.accounts.services import user_profile_update
from apps.notifications.dispatch import reminders_dispatch_due
from apps.notifications.models import Notification, Reminder, ReminderKind, ReminderStatus
from apps.notifications.reminders import (
    checkin_reminders_sync,
    reminder_schedule,
    reminders_plan_ahead,
)
from tests.conftest import client_for

# Which reminders exist (check-ins for the coming week, plan times still ahead today) depends on the hour.
pytestmark = pytest.mark.usefixtures("frozen_now")

LONDON = ZoneInfo("Europe/London")


def schedule(user, at, kind=ReminderKind.EXERCISE, source=None):
    return reminder_schedule(
        user=user, kind=kind, source=source or f"test:{uuid.uuid4()}", at=at, title="Exercises"
    )


@pytest.mark.django_db
def test_a_reminder_in_quiet_hours_is_due_at_their_end(patient):
    user_profile_update(
        user=patient,
        timezone="Europe/London",
        quiet_hours_start=dt.time(22),
        quiet_hours_end=dt.time(7),
    )

    reminder = schedule(patient, dt.datetime(2026, 6, 10, 23, 0, tzinfo=LONDON))

    assert reminder.scheduled_for == dt.datetime(2026, 6, 10, 23, 0, tzinfo=LONDON)
    assert reminder.due_at == dt.datetime(2026, 6, 11, 7, 0, tzinfo=LONDON)
    assert reminder.status == ReminderStatus.SCHEDULED


@pytest.mark.django_db
def test_quiet_hours_hold_across_a_dst_change_until_local_7_00(patient):
    user_profile_update(
        user=patient,
        timezone="Europe/London",
        quiet_hours_start=dt.time(22),
        quiet_hours_end=dt.time(7),
    )
    reminder = schedule(patient, dt.datetime(2026, 3, 28, 23, 30, tzinfo=LONDON))

    # 06:30 UTC on 29 March is 07:30 BST: a UTC-based window would have sent it at 07:00 UTC.
    with time_machine.travel(dt.datetime(2026, 3, 29, 5, 59, tzinfo=dt.UTC), tick=False):
        assert reminders_dispatch_due() == 0
    with time_machine.travel(dt.datetime(2026, 3, 29, 6, 0, tzinfo=dt.UTC), tick=False):
        assert reminders_dispatch_due() == 1
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT
    assert Notification.objects.get(reminder=reminder).user == patient


@pytest.mark.django_db
def test_changing_quiet_hours_moves_scheduled_reminders(patient):
    patient.timezone = "Europe/London"
    patient.save()
    with time_machine.travel(dt.datetime(2026, 6, 10, 12, 0, tzinfo=LONDON), tick=False):
        reminder = schedule(patient, dt.datetime(2026, 6, 10, 23, 0, tzinfo=LONDON))
        assert reminder.due_at == reminder.scheduled_for

        user_profile_update(
            user=patient, quiet_hours_start=dt.time(22), quiet_hours_end=dt.time(6, 30)
        )

    reminder.refresh_from_db()
    assert reminder.due_at == dt.datetime(2026, 6, 11, 6, 30, tzinfo=LONDON)


@pytest.mark.django_db
def test_the_same_source_and_time_is_one_reminder(patient):
    at = timezone.now() + dt.timedelta(hours=1)
    first = schedule(patient, at, source="plan:x")
    again = schedule(patient, at, source="plan:x")
    assert first.pk == again.pk
    assert Reminder.objects.count() == 1


@pytest.mark.django_db
def test_checkin_reminders_follow_the_settings(patient_client, patient):
    patient.timezone = "Asia/Tokyo"
    patient.save()

    response = patient_client.put(
        "/api/v1/reminder-settings/", {"checkin_time": "21:15"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {
        "checkin_time": "21:15",
        "exercise_reminders": True,
        "checkin_reminders": True,
        "care_reminders": True,
        "questionnaire_reminders": True,
    }
    checkins = Reminder.objects.filter(user=patient, kind="checkin", status="scheduled")
    assert checkins.count() >= 6
    assert {r.scheduled_for.astimezone(patient.zone).strftime("%H:%M") for r in checkins} == {
        "21:15"
    }

    patient_client.put("/api/v1/reminder-settings/", {"checkin_reminders": False}, format="json")
    assert not Reminder.objects.filter(user=patient, kind="checkin", status="scheduled").exists()


@pytest.mark.django_db
def test_switching_off_exercise_reminders_cancels_them(patient_client, patient, make_plan):
    plan = make_plan()
    assert Reminder.objects.filter(source=f"plan:{plan.id}", status="scheduled").exists()

    patient_client.put("/api/v1/reminder-settings/", {"exercise_reminders": False}, format="json")
    assert not Reminder.objects.filter(source=f"plan:{plan.id}", status="scheduled").exists()

    patient_client.put("/api/v1/reminder-settings/", {"exercise_reminders": True}, format="json")
    assert Reminder.objects.filter(source=f"plan:{plan.id}", status="scheduled").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"checkin_time": "25:00"}, "checkin_time"),
        ({"checkin_time": 8}, "checkin_time"),
        ({"exercise_reminders": "no"}, "exercise_reminders"),
        ({"care_reminders": 0}, "care_reminders"),
        ({"sms": True}, "sms"),
    ],
)
def test_bad_settings_are_a_400_and_change_nothing(patient_client, patient, body, attr):
    response = patient_client.put("/api/v1/reminder-settings/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == attr
    assert patient_client.get("/api/v1/reminder-settings/").json()["checkin_time"] == "20:00"


@pytest.mark.django_db
def test_reminder_settings_are_for_patients(physio_client, api_client):
    assert physio_client.get("/api/v1/reminder-settings/").status_code == 403
    assert api_client.put("/api/v1/reminder-settings/", {}, format="json").status_code == 401


@pytest.mark.django_db
def test_reminders_lists_upcoming_and_recent_own_reminders(patient_client, patient, other_patient):
    now = timezone.now()
    schedule(patient, now + dt.timedelta(hours=2))
    old = schedule(patient, now - dt.timedelta(days=30))
    schedule(other_patient, now + dt.timedelta(hours=1))

    results = patient_client.get("/api/v1/reminders/").json()["results"]

    assert len(results) == 1
    assert set(results[0]) >= {"id", "kind", "due_at", "status", "source"}
    assert str(old.id) not in {r["id"] for r in results}
    assert patient_client.get("/api/v1/reminders/", {"status": "nope"}).status_code == 400


@pytest.mark.django_db
def test_plan_ahead_tops_up_the_window_and_is_idempotent(patient, make_plan):
    plan = make_plan(reminder_times=["09:00"])
    Reminder.objects.filter(source=f"plan:{plan.id}").delete()

    reminders_plan_ahead()
    count = Reminder.objects.filter(source=f"plan:{plan.id}").count()
    reminders_plan_ahead()

    assert count > 0
    assert Reminder.objects.filter(source=f"plan:{plan.id}").count() == count
    assert Reminder.objects.filter(user=patient, kind="checkin").count() >= 6


@pytest.mark.django_db
def test_dispatch_makes_one_inbox_notification_per_due_reminder(patient):
    now = timezone.now()
    due = [schedule(patient, now - dt.timedelta(minutes=m)) for m in (1, 2, 3)]
    later = schedule(patient, now + dt.timedelta(hours=1))

    assert reminders_dispatch_due() == 3
    assert reminders_dispatch_due() == 0

    assert Notification.objects.filter(user=patient, kind="reminder").count() == 3
    assert {r.status for r in Reminder.objects.filter(pk__in=[d.pk for d in due])} == {"sent"}
    later.refresh_from_db()
    assert later.status == ReminderStatus.SCHEDULED


@pytest.mark.django_db
def test_dispatch_works_in_batches(patient):
    now = timezone.now()
    for minute in range(25):
        schedule(patient, now - dt.timedelta(minutes=minute + 1))
    assert reminders_dispatch_due(batch_size=10) == 25
    assert Notification.objects.count() == 25


@pytest.mark.django_db
def test_cancelled_reminders_are_not_sent(patient):
    reminder = schedule(patient, timezone.now() - dt.timedelta(minutes=1))
    Reminder.objects.filter(pk=reminder.pk).update(status="cancelled")
    assert reminders_dispatch_due() == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_checkin_sync_uses_local_time_across_dst(patient):
    patient.timezone = "Europe/London"
    patient.save()
    with time_machine.travel(dt.datetime(2026, 3, 27, 12, 0, tzinfo=LONDON), tick=False):
        checkin_reminders_sync(user=patient)
    times = {
        r.scheduled_for.astimezone(LONDON).strftime("%H:%M")
        for r in Reminder.objects.filter(user=patient)
    }
    assert times == {"20:00"}


def _held_reminder(patient, make_plan) -> Reminder:
    """Tonight's 23:00 plan reminder, held back by quiet hours until 07:00; it is 23:30."""
    user_profile_update(
        user=patient,
        timezone="Europe/London",
        quiet_hours_start=dt.time(22),
        quiet_hours_end=dt.time(7),
    )
    with time_machine.travel(dt.datetime(2026, 6, 10, 12, 0, tzinfo=LONDON), tick=False):
        plan = make_plan(reminder_times=["23:00"])
    held = Reminder.objects.get(
        source=f"plan:{plan.id}", scheduled_for=dt.datetime(2026, 6, 10, 23, 0, tzinfo=LONDON)
    )
    assert held.due_at == dt.datetime(2026, 6, 11, 7, 0, tzinfo=LONDON)
    return held


HALF_PAST_ELEVEN = dt.datetime(2026, 6, 10, 23, 30, tzinfo=LONDON)


@pytest.mark.django_db
def test_archiving_a_plan_cancels_a_reminder_quiet_hours_are_holding(patient, make_plan):
    from apps.plans.services import plan_archive

    held = _held_reminder(patient, make_plan)

    with time_machine.travel(HALF_PAST_ELEVEN, tick=False):
        plan_archive(plan=held_plan(held), by=held_plan(held).physio)

    held.refresh_from_db()
    assert held.status == ReminderStatus.CANCELLED
    with time_machine.travel(dt.datetime(2026, 6, 11, 7, 1, tzinfo=LONDON), tick=False):
        assert reminders_dispatch_due() == 0


@pytest.mark.django_db
def test_switching_reminders_off_cancels_a_held_one(patient, make_plan):
    held = _held_reminder(patient, make_plan)

    with time_machine.travel(HALF_PAST_ELEVEN, tick=False):
        response = client_for(patient).put(
            "/api/v1/reminder-settings/", {"exercise_reminders": False}, format="json"
        )

    assert response.status_code == 200

    held.refresh_from_db()
    assert held.status == ReminderStatus.CANCELLED


@pytest.mark.django_db
def test_editing_a_plan_keeps_a_held_reminder(patient, make_plan):
    from apps.plans.services import plan_update

    held = _held_reminder(patient, make_plan)

    with time_machine.travel(HALF_PAST_ELEVEN, tick=False):
        plan = held_plan(held)
        plan_update(plan=plan, by=plan.physio, title="Calf and knee, gently")

    held.refresh_from_db()
    assert held.status == ReminderStatus.SCHEDULED


def held_plan(reminder: Reminder):
    from apps.plans.models import ExercisePlan

    return ExercisePlan.objects.get(pk=reminder.source.removeprefix("plan:"))


@pytest.mark.django_db
@pytest.mark.parametrize("hour", [6, 10, 23])  # before and after the day's reminder times
def test_plan_ahead_leaves_what_is_already_planned_alone(patient, make_plan, hour):
    """The hourly run re-syncs a source about once a day, not every hour: a plan or
    check-in with a week of rows, or check-ins switched off, is skipped."""
    with time_machine.travel(dt.datetime(2026, 11, 18, hour, 30, tzinfo=dt.UTC), tick=False):
        make_plan(reminder_times=["08:00", "18:30"])
        reminders_plan_ahead()

        assert reminders_plan_ahead() == 0


@pytest.mark.django_db
def test_plan_ahead_skips_patients_with_check_ins_off(patient, other_patient):
    checkin_reminders_sync(user=other_patient)
    client_for(patient).put(
        "/api/v1/reminder-settings/", {"checkin_reminders": False}, format="json"
    )

    assert reminders_plan_ahead() == 0


@pytest.mark.django_db
def test_the_beat_tick_claims_nothing_and_fans_out_one_batch_task_per_batch(patient, monkeypatch):
    from apps.notifications import dispatch

    published = []
    monkeypatch.setattr(
        dispatch, "send_many", lambda name, args: published.append((name, args)) or len(args)
    )
    now = timezone.now()
    for minute in range(25):
        schedule(patient, now - dt.timedelta(minutes=minute + 1))

    assert dispatch.reminders_fan_out(batch_size=10) == 3

    assert published == [(dispatch.BATCH_TASK, [(10,)] * 3)]
    assert not Reminder.objects.exclude(status=ReminderStatus.SCHEDULED).exists()
    # Each batch task claims its share; together they send everything, once.
    assert [dispatch.reminders_dispatch_batch(batch_size=10) for _ in range(4)] == [10, 10, 5, 0]
    assert Notification.objects.count() == 25


@pytest.mark.django_db
def test_a_dispatched_reminder_has_its_inbox_row_and_a_delivery_per_active_device(patient):
    from apps.notifications.models import PushDelivery
    from tests.factories import DeviceFactory

    phone, _tablet = DeviceFactory(user=patient), DeviceFactory(user=patient, active=False)
    reminder = schedule(patient, timezone.now() - dt.timedelta(minutes=1))

    assert reminders_dispatch_due() == 1

    notification = Notification.objects.get(reminder=reminder)
    assert (notification.user, notification.kind, notification.title) == (
        patient,
        "reminder",
        "Exercises",
    )
    assert notification.data == {"reminder_id": str(reminder.id), "reminder_kind": "exercise"}
    delivery = PushDelivery.objects.get(notification=notification)
    assert (delivery.device, delivery.status, delivery.attempts) == (phone, "pending", 0)

"""Pausing a plan stops its reminders: a real worker dispatching the reminders that are
due sends the patient's other reminder and none of the paused plan's; resuming plans
them again."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.accounts.services import care_link_create
from apps.notifications.models import Notification, Reminder, ReminderKind, ReminderStatus
from apps.notifications.tasks import dispatch_due_reminders
from apps.plans.reminders import plan_source
from apps.plans.services import plan_create, plan_pause, plan_resume
from tests.factories import ExerciseFactory, PatientFactory, PhysioFactory, ReminderFactory
from tests.workers import wait_until

pytestmark = pytest.mark.integration


def test_a_worker_sends_no_reminder_of_a_paused_plan(start_worker):
    physio, patient = PhysioFactory(), PatientFactory()
    care_link_create(physio=physio, patient=patient)
    today = timezone.now().astimezone(patient.zone).date()
    plan = plan_create(
        physio=physio,
        patient_id=patient.id,
        title="Knee",
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=30),
        reminder_times=["08:00", "20:00"],
        items=[
            {
                "exercise": ExerciseFactory(),
                "sets": 3,
                "reps": 10,
                "days_of_week": [0, 1, 2, 3, 4, 5, 6],
                "max_pain": 4,
            }
        ],
    )
    source = plan_source(plan)
    # Make every one of the plan's reminders due now, as if the worker were late.
    past = timezone.now() - dt.timedelta(minutes=5)
    owned = list(Reminder.objects.filter(source=source, status=ReminderStatus.SCHEDULED))
    assert len(owned) > 2
    for n, reminder in enumerate(owned):
        reminder.scheduled_for = reminder.due_at = past - dt.timedelta(seconds=n)
    Reminder.objects.bulk_update(owned, ["scheduled_for", "due_at"])
    other = ReminderFactory(
        user=patient, kind=ReminderKind.CHECKIN, source="checkin:other", scheduled_for=past
    )

    plan_pause(plan=plan, by=physio)
    start_worker()
    dispatch_due_reminders.delay()

    wait_until(
        lambda: Notification.objects.filter(reminder=other).exists(),
        timeout=60,
        what="the other reminder sent",
    )
    assert not Notification.objects.filter(reminder__source=source).exists()
    assert not Reminder.objects.filter(
        source=source, status__in=[ReminderStatus.SCHEDULED, ReminderStatus.SENT]
    ).exists()

    plan_resume(plan=plan, by=physio)
    assert Reminder.objects.filter(
        source=source, status=ReminderStatus.SCHEDULED, scheduled_for__gt=timezone.now()
    ).exists()

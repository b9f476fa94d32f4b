"""Discharging an episode stops every reminder it owned: a real worker dispatching the
reminders that are due sends the patient's other reminder and none of the episode's."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.accounts.services import care_link_create
from apps.episode_lifecycle.services import episode_discharge
from apps.notifications.models import Notification, Reminder, ReminderKind, ReminderStatus
from apps.notifications.tasks import dispatch_due_reminders
from apps.outcomes.reminders import schedule_source
from apps.outcomes.services import instruments_load, outcome_schedule_create
from apps.plans.reminders import plan_source
from apps.plans.services import plan_create
from tests.factories import ExerciseFactory, PatientFactory, PhysioFactory, ReminderFactory
from tests.workers import wait_until

pytestmark = pytest.mark.integration


def test_a_worker_sends_no_reminder_of_a_discharged_episode(start_worker):
    instruments_load()
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
    schedule = outcome_schedule_create(
        physio=physio, patient=patient, instrument="lefs", every_days=7, starts_on=today
    )
    sources = [plan_source(plan), schedule_source(schedule)]
    # Make every one of the episode's reminders due now, as if the worker were late.
    past = timezone.now() - dt.timedelta(minutes=5)
    owned = list(Reminder.objects.filter(source__in=sources, status=ReminderStatus.SCHEDULED))
    assert len(owned) > 2
    for n, reminder in enumerate(owned):
        reminder.scheduled_for = reminder.due_at = past - dt.timedelta(seconds=n)
    Reminder.objects.bulk_update(owned, ["scheduled_for", "due_at"])
    # The patient's reminder from elsewhere, due now: the worker must send this one.
    other = ReminderFactory(
        user=patient, kind=ReminderKind.CHECKIN, source="checkin:other", scheduled_for=past
    )

    episode_discharge(episode=plan.episode, by=physio, note="Done.")
    start_worker()
    dispatch_due_reminders.delay()

    wait_until(
        lambda: Notification.objects.filter(reminder=other).exists(),
        timeout=60,
        what="the other reminder sent",
    )
    assert not Notification.objects.filter(reminder__source__in=sources).exists()
    assert not Reminder.objects.filter(
        source__in=sources, status__in=[ReminderStatus.SCHEDULED, ReminderStatus.SENT]
    ).exists()

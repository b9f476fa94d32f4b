"""A handover while the patients log symptoms and a real worker dispatches their reminders
(PostgreSQL): no reminder is lost, every log is stored, and no active link, episode, plan
or schedule is left with the deactivated physio."""

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.models import CareTeamLink
from apps.accounts.services import care_link_create
from apps.clinics.models import StaffRole
from apps.episodes.models import Episode, EpisodeStatus
from apps.notifications.models import Notification, Reminder, ReminderStatus
from apps.notifications.tasks import dispatch_due_reminders
from apps.outcomes.models import OutcomeSchedule
from apps.outcomes.services import instruments_load, outcome_schedule_create
from apps.plans.models import ExercisePlan, PlanStatus
from apps.plans.services import plan_create
from apps.symptoms.models import SymptomLog
from tests.bodies import symptom_log_body
from tests.conftest import client_for
from tests.factories import ClinicFactory, ExerciseFactory, PatientFactory, PhysioFactory
from tests.workers import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

PATIENTS = 6
LOGS_EACH = 4


def care_for(physio, patient, exercise) -> None:
    care_link_create(physio=physio, patient=patient)
    today = timezone.now().astimezone(patient.zone).date()
    plan_create(
        physio=physio,
        patient_id=patient.id,
        title="Knee",
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=30),
        reminder_times=["08:00", "20:00"],
        items=[
            {
                "exercise": exercise,
                "sets": 3,
                "reps": 10,
                "days_of_week": [0, 1, 2, 3, 4, 5, 6],
                "max_pain": 4,
            }
        ],
    )
    outcome_schedule_create(
        physio=physio, patient=patient, instrument="lefs", every_days=7, starts_on=today
    )


def log_symptoms(patient, answers: list) -> None:
    client = client_for(patient)
    try:
        for _ in range(LOGS_EACH):
            body = symptom_log_body(client_id=str(uuid.uuid4()))
            answers.append(client.post("/api/v1/symptom-logs/", body, format="json").status_code)
    finally:
        connection.close()


def test_a_handover_under_load_loses_no_reminder_and_leaves_nothing_behind(start_worker):
    instruments_load()
    clinic = ClinicFactory()
    admin = PhysioFactory(clinic=clinic, clinic__role=StaffRole.ADMIN)
    leaving = PhysioFactory(clinic=clinic)
    colleague = PhysioFactory(clinic=clinic)
    exercise = ExerciseFactory()
    patients = [PatientFactory() for _ in range(PATIENTS)]
    for patient in patients:
        care_for(leaving, patient, exercise)
    # Every reminder of theirs is due now, as if the worker were late.
    past = timezone.now() - dt.timedelta(minutes=5)
    due = list(Reminder.objects.filter(status=ReminderStatus.SCHEDULED))
    assert len(due) >= PATIENTS * 2
    for n, reminder in enumerate(due):
        reminder.scheduled_for = reminder.due_at = past - dt.timedelta(seconds=n)
    Reminder.objects.bulk_update(due, ["scheduled_for", "due_at"])
    start_worker(concurrency=2)

    answers: list[int] = []
    loggers = [
        threading.Thread(target=log_symptoms, args=(patient, answers)) for patient in patients
    ]
    for thread in loggers:
        thread.start()
    dispatch_due_reminders.delay()
    response = client_for(admin).post(
        f"/api/v1/clinics/{clinic.id}/staff/{leaving.id}/deactivate/",
        {"transfer_to": str(colleague.id)},
        format="json",
    )
    for thread in loggers:
        thread.join(timeout=120)

    assert response.status_code == 200, response.content
    assert answers == [201] * (PATIENTS * LOGS_EACH)
    assert SymptomLog.objects.count() == PATIENTS * LOGS_EACH
    wait_until(
        lambda: Notification.objects.filter(reminder__in=due).count() == len(due),
        timeout=90,
        what="every due reminder sent",
    )
    assert (
        not Reminder.objects.filter(pk__in=[r.pk for r in due])
        .exclude(status=ReminderStatus.SENT)
        .exists()
    )
    assert not CareTeamLink.objects.filter(physio=leaving, ended_at__isnull=True).exists()
    assert not Episode.objects.filter(physio=leaving, status=EpisodeStatus.ACTIVE).exists()
    assert not ExercisePlan.objects.filter(physio=leaving, status=PlanStatus.ACTIVE).exists()
    assert not OutcomeSchedule.objects.filter(physio=leaving, ended_at__isnull=True).exists()
    assert CareTeamLink.objects.filter(physio=colleague, ended_at__isnull=True).count() == PATIENTS

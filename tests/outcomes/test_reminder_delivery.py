"""A schedule every 7 days produces a `questionnaire` reminder that a real Celery worker
delivers as an inbox row; `outcome-responses/due/` lists it, and answering removes it."""

import pytest
from django.utils import timezone

from apps.accounts.services import care_link_create
from apps.notifications.models import Notification, NotificationKind, Reminder, ReminderKind
from apps.notifications.tasks import dispatch_due_reminders
from apps.outcomes.services import instruments_load
from tests.conftest import client_for
from tests.outcomes.conftest import lefs_body
from tests.workers import wait_until

pytestmark = pytest.mark.integration


def test_a_real_worker_delivers_the_questionnaire_reminder(start_worker, patient, physio):
    instruments_load()
    care_link_create(physio=physio, patient=patient)
    today = timezone.now().astimezone(patient.zone).date()

    made = client_for(physio).post(
        f"/api/v1/patients/{patient.id}/outcome-schedules/",
        {"instrument": "lefs", "every_days": 7, "starts_on": str(today)},
        format="json",
    )
    assert made.status_code == 201, made.content
    reminder = Reminder.objects.get(kind=ReminderKind.QUESTIONNAIRE, user=patient)
    assert reminder.status == "scheduled"

    start_worker()
    dispatch_due_reminders.delay()  # what beat does every minute
    wait_until(
        lambda: Notification.objects.filter(reminder=reminder).exists(),
        timeout=90,
        what="the questionnaire reminder in the inbox",
    )

    note = Notification.objects.get(reminder=reminder)
    assert (note.user, note.kind, note.data["reminder_kind"]) == (
        patient,
        NotificationKind.REMINDER,
        "questionnaire",
    )
    patient_client = client_for(patient)
    inbox = patient_client.get("/api/v1/notifications/").json()["results"]
    assert [row["id"] for row in inbox] == [str(note.id)]

    due = patient_client.get("/api/v1/outcome-responses/due/").json()["results"]
    assert [(row["instrument"]["code"], row["schedule"]["id"]) for row in due] == [
        ("lefs", made.json()["id"])
    ]

    assert (
        patient_client.post("/api/v1/outcome-responses/", lefs_body(), format="json").status_code
        == 201
    )
    assert patient_client.get("/api/v1/outcome-responses/due/").json()["results"] == []

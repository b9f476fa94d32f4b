"""A patient with a year of data pulls it all in pages, in bounded memory."""

import datetime as dt
import tracemalloc
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.care.models import CareSession
from apps.messaging.models import Message
from apps.notifications.models import Notification
from apps.plans.models import ExerciseLog, PlanItem
from apps.symptoms.models import SymptomLog
from apps.sync import pull as pull_module
from tests.factories import SymptomLogFactory

from .conftest import Replica, ok, settle

pytestmark = pytest.mark.django_db(transaction=True)

DAYS = 365
# Measured: one page (200 objects) needs about 2 MB above what the caller holds, however
# long the history. The bound leaves room for slower allocators, not for a whole year.
PEAK_BYTES = 8 * 1024 * 1024
# A page reads the caller, the log and each type it holds once, with that type's
# prefetches: a bound set by the number of types, not by how much the patient holds.
# Measured: 13 for the first page (it walks most types), 2 to 4 for the others.
PAGE_QUERIES = 13


def a_year_of(patient, physio, link, plan_item) -> int:
    """Two symptom logs and three exercise sessions a day, an ice session and a message
    every day, two inbox notifications a day: about 3,300 records."""
    now = timezone.now()
    days = [now - dt.timedelta(days=n, hours=2) for n in range(DAYS)]
    SymptomLog.objects.bulk_create(
        SymptomLogFactory.build(patient=patient, recorded_at=day - dt.timedelta(hours=h))
        for day in days
        for h in (0, 8)
    )
    ExerciseLog.objects.bulk_create(
        ExerciseLog(
            patient=patient,
            plan_item=plan_item,
            client_id=uuid.uuid4(),
            performed_at=day - dt.timedelta(hours=h),
            sets_done=3,
            pain_during=2,
        )
        for day in days
        for h in (1, 5, 9)
    )
    CareSession.objects.bulk_create(
        CareSession(
            patient=patient, client_id=uuid.uuid4(), kind="ice", started_at=day, planned_minutes=15
        )
        for day in days
    )
    Message.objects.bulk_create(
        Message(link=link, sender=physio, client_id=uuid.uuid4(), body=f"Day {n}")
        for n in range(DAYS)
    )
    Notification.objects.bulk_create(
        Notification(user=patient, kind="advice", title=f"Note {n}") for n in range(2 * DAYS)
    )
    return DAYS * (2 + 3 + 1 + 1 + 2)


def test_a_year_of_data_comes_in_pages_in_bounded_memory(
    patient, physio, linked, patient_client, seeded
):
    made = a_year_of(
        patient, physio, linked, PlanItem.objects.filter(plan_id=seeded.plan["id"]).first()
    )

    replica, page_peaks, page_queries = Replica(), [], []
    tracemalloc.start()
    try:
        while True:
            # What one request needs above what the test (the app's replica) holds.
            held_before, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            settle()  # outside the count: it waits for other transactions on PostgreSQL
            query = {"checkpoint": replica.checkpoint} if replica.checkpoint else {}
            with CaptureQueriesContext(connection) as queries:
                body = ok(patient_client.get("/api/v1/sync/", query), 200)
            page_peaks.append(tracemalloc.get_traced_memory()[1] - held_before)
            page_queries.append(len(queries))
            replica.apply(body)
            if not body["has_more"]:
                break
    finally:
        tracemalloc.stop()

    held = sum(len(objects) for objects in replica.objects.values())
    assert held >= made
    assert replica.pages >= made // pull_module.PAGE_SIZE
    assert (
        len(replica.objects["symptom_logs"]) == SymptomLog.objects.filter(patient=patient).count()
    )
    assert (
        len(replica.objects["exercise_logs"]) == ExerciseLog.objects.filter(patient=patient).count()
    )
    assert len(replica.objects["messages"]) == Message.objects.filter(link__patient=patient).count()
    assert max(page_peaks) < PEAK_BYTES, f"a page peaked at {max(page_peaks) / 1e6:.1f} MB"
    assert max(page_queries) <= PAGE_QUERIES, page_queries

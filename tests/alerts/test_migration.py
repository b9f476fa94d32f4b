"""Alerts raised before `recorded_at` existed get it from what raised them: a red flag
from its log, a worsening alert from the newest time its findings kept; missed-exercise
alerts (an absence) stay without one."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("alerts", "0001_initial")]
AFTER = [("alerts", "0002_recorded_at_and_resolution_note")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest_schema_after():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_existing_alerts_get_the_time_the_patient_recorded_what_raised_them():
    old = migrate(BEFORE)
    User = old.get_model("accounts", "User")
    SymptomLog = old.get_model("symptoms", "SymptomLog")
    Alert = old.get_model("alerts", "Alert")
    patient = User.objects.create(email="p@example.org", role="patient", password="!")
    recorded = dt.datetime(2026, 11, 1, 8, 30, tzinfo=dt.UTC)
    log = SymptomLog.objects.create(
        patient=patient,
        client_id=uuid.uuid4(),
        recorded_at=recorded,
        pain_score=6,
        triage_level="urgent",
    )
    red = Alert.objects.create(patient=patient, kind="red_flag", level="urgent", symptom_log=log)
    worse = Alert.objects.create(
        patient=patient,
        kind="worsening",
        level="soon",
        codes=["new_swelling", "lefs_worsened"],
        details={
            "new_swelling": {"first_seen": "2026-11-02T09:00:00+00:00"},
            "lefs_worsened": {"score": 38.0, "completed_at": "2026-11-03T10:00:00+00:00"},
        },
    )
    missed = Alert.objects.create(
        patient=patient, kind="missed_exercises", level="self_care", details={"adherence_7d": 0.3}
    )

    new = migrate(AFTER)
    Alert = new.get_model("alerts", "Alert")

    assert Alert.objects.get(pk=red.pk).recorded_at == recorded
    assert Alert.objects.get(pk=worse.pk).recorded_at == dt.datetime(2026, 11, 3, 10, tzinfo=dt.UTC)
    assert Alert.objects.get(pk=missed.pk).recorded_at is None
    assert Alert.objects.get(pk=red.pk).resolution_note == ""

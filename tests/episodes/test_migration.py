"""Plans and outcome schedules made before episodes existed join one episode per patient
and physiotherapist, which starts on the day the earliest of them was made."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.sync import triggers

BEFORE = [
    ("episodes", "0001_initial"),
    ("plans", "0003_plan_episode"),
    ("outcomes", "0002_schedule_episode"),
]
AFTER = [("plans", "0005_plans_episode_required"), ("outcomes", "0004_outcomes_episode_required")]


def migrate(targets):
    # As `migrate` does (pre_migrate): SQLite's table remakes and the sync triggers
    # that name those tables do not mix; they are made again at the end.
    triggers.uninstall()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest_schema_after():
    """Whatever the test migrates back to, the database ends at every app's latest
    migration, as the tests after this one expect (later migrations of plans or outcomes
    would otherwise be missing)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    triggers.install()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_existing_plans_and_schedules_join_one_episode_per_patient_and_physio():
    old = migrate(BEFORE)
    User = old.get_model("accounts", "User")
    Plan = old.get_model("plans", "ExercisePlan")
    Schedule = old.get_model("outcomes", "OutcomeSchedule")
    Instrument = old.get_model("outcomes", "Instrument")

    def user(email, role):
        return User.objects.create(email=email, role=role, password="!")

    patient, other_patient = user("p@example.org", "patient"), user("q@example.org", "patient")
    physio, other_physio = user("a@example.org", "physio"), user("b@example.org", "physio")
    instrument = Instrument.objects.create(code="lefs", url="urn:test:lefs")

    def plan(patient_, physio_, made_on, status="archived"):
        row = Plan.objects.create(
            patient=patient_,
            physio=physio_,
            title="Old plan",
            start_date=made_on,
            end_date=made_on + dt.timedelta(days=30),
            status=status,
        )
        Plan.objects.filter(pk=row.pk).update(
            created_at=dt.datetime.combine(made_on, dt.time(9), tzinfo=dt.UTC)
        )
        return row.pk

    first = plan(patient, physio, dt.date(2026, 3, 1))
    second = plan(patient, physio, dt.date(2026, 5, 1), status="active")
    others = plan(patient, other_physio, dt.date(2026, 4, 1))
    unrelated = plan(other_patient, physio, dt.date(2026, 6, 1), status="active")
    schedule = Schedule.objects.create(
        patient=patient, physio=physio, instrument=instrument, every_days=7, starts_on="2026-01-10"
    )
    Schedule.objects.filter(pk=schedule.pk).update(
        created_at=dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC)
    )

    new = migrate(AFTER)
    Episode = new.get_model("episodes", "Episode")
    Plan = new.get_model("plans", "ExercisePlan")
    Schedule = new.get_model("outcomes", "OutcomeSchedule")

    assert Episode.objects.count() == 3
    ours = Plan.objects.get(pk=first).episode
    assert Plan.objects.get(pk=second).episode_id == ours.pk
    assert Schedule.objects.get(pk=schedule.pk).episode_id == ours.pk
    assert (ours.patient_id, ours.physio_id, ours.status) == (patient.pk, physio.pk, "active")
    assert ours.started_on == dt.date(2026, 1, 10)  # the schedule came first
    assert Plan.objects.get(pk=others).episode.physio_id == other_physio.pk
    theirs = Plan.objects.get(pk=unrelated).episode
    assert (theirs.patient_id, theirs.started_on) == (other_patient.pk, dt.date(2026, 6, 1))

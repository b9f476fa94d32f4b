"""Physiotherapists made before clinics existed join one clinic, and every existing
episode belongs to the clinic of its physio."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.sync import triggers

BEFORE = [("episodes", "0001_initial"), ("clinics", "0001_initial")]
AFTER = [("episodes", "0004_episode_clinic_required")]


def migrate(targets):
    # As `manage.py migrate` does: SQLite remakes tables without the change log's triggers.
    triggers.uninstall_before_migrate(apps.get_app_config("sync"))
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest_schema_after():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    triggers.install_after_migrate(apps.get_app_config("sync"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_existing_physios_join_one_clinic_and_episodes_follow_their_physio():
    old = migrate(BEFORE)
    User = old.get_model("accounts", "User")
    Episode = old.get_model("episodes", "Episode")
    patient = User.objects.create(email="p@example.org", role="patient", password="!")
    physios = [
        User.objects.create(email=f"physio{n}@example.org", role="physio", password="!")
        for n in range(2)
    ]
    User.objects.create(email="editor@example.org", role="editor", password="!")
    day = dt.date(2026, 11, 2)
    led = Episode.objects.create(patient=patient, physio=physios[0], title="Knee", started_on=day)
    orphan = Episode.objects.create(patient=patient, physio=None, title="Calf", started_on=day)

    new = migrate(AFTER)

    Clinic = new.get_model("clinics", "Clinic")
    StaffMembership = new.get_model("clinics", "StaffMembership")
    Episode = new.get_model("episodes", "Episode")
    clinic = Clinic.objects.get()
    assert (clinic.slug, clinic.name) == ("clinic", "Clinic")
    staff = StaffMembership.objects.order_by("user__email")
    assert [(m.user.email, m.role) for m in staff] == [
        ("physio0@example.org", "clinician"),
        ("physio1@example.org", "clinician"),
    ]
    assert Episode.objects.get(pk=led.pk).clinic_id == clinic.pk
    assert Episode.objects.get(pk=orphan.pk).clinic_id == clinic.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_no_clinic_is_made_where_there_is_no_physio_and_no_episode():
    old = migrate(BEFORE)
    old.get_model("accounts", "User").objects.create(
        email="p@example.org", role="patient", password="!"
    )

    new = migrate(AFTER)

    assert not new.get_model("clinics", "Clinic").objects.exists()

"""The change log: written in each change's own transaction, read only up to the oldest
running transaction, pruned with a mark that turns old checkpoints into 410s."""

import datetime as dt
import uuid

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.models import User
from apps.notifications.models import Notification
from apps.sync import feeds, triggers
from apps.sync.models import Change, PruneMark
from apps.sync.services import change_log_prune
from tests.bodies import care_session_body

from .conftest import Replica, ok, pull, settle

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_type_a_pull_serves_is_fed_by_a_trigger_and_back():
    assert set(feeds.KINDS) == triggers.KINDS


def test_bulk_writes_and_queryset_updates_are_logged_too(patient, patient_client, seeded):
    replica = Replica().sync(patient_client)
    Notification.objects.bulk_create(
        [
            Notification(user=patient, kind="advice", title="One"),
            Notification(user=patient, kind="advice", title="Two"),
        ]
    )
    Notification.objects.filter(user=patient, title="One").update(read_at=timezone.now())

    body = ok(pull(patient_client, replica.checkpoint), 200)

    assert sorted(n["title"] for n in body["changes"]["notifications"]) == ["One", "Two"]
    assert next(n for n in body["changes"]["notifications"] if n["title"] == "One")["read_at"]


def test_a_change_inside_a_transaction_that_rolls_back_is_never_logged(
    patient, patient_client, seeded
):
    from django.db import transaction

    replica = Replica().sync(patient_client)

    def write_then_fail() -> None:
        with transaction.atomic():
            Notification.objects.create(user=patient, kind="advice", title="Never")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()

    body = ok(pull(patient_client, replica.checkpoint), 200)

    assert body["changes"]["notifications"] == []


def test_erasing_the_account_takes_its_change_rows(patient, patient_client, seeded):
    assert Change.objects.filter(patient_id=patient.pk).exists()

    assert patient_client.delete("/api/v1/me/").status_code == 204

    assert not User.objects.filter(pk=patient.pk).exists()
    assert not Change.objects.filter(patient_id=patient.pk).exists()


def test_pruning_keeps_recent_changes_and_raises_the_mark(patient, seeded, time_machine):
    before = Change.objects.count()
    assert change_log_prune(now=timezone.now(), keep=dt.timedelta(days=90)) == 0
    assert Change.objects.count() == before

    time_machine.move_to(timezone.now() + dt.timedelta(days=91), tick=False)
    assert change_log_prune(now=timezone.now(), keep=dt.timedelta(days=90)) == before

    newest = PruneMark.objects.get()
    assert not Change.objects.exists()
    assert (newest.xid, newest.change_id) > (0, 0)


def test_a_checkpoint_older_than_the_log_is_a_410(patient, patient_client, seeded):
    old = Replica().sync(patient_client).checkpoint
    ok(patient_client.post("/api/v1/care-sessions/", care_session_body(), format="json"))
    settle()
    change_log_prune(now=timezone.now() + dt.timedelta(days=1), keep=dt.timedelta(0))

    body = ok(pull(patient_client, old), 410)

    assert body["errors"][0]["code"] == "checkpoint_expired"
    # Starting again from nothing works, and its checkpoint is good from then on.
    fresh = Replica().sync(patient_client)
    assert fresh.objects["care_sessions"]
    assert ok(pull(patient_client, fresh.checkpoint), 200)["has_more"] is False


def test_a_quiet_patients_checkpoint_survives_pruning_of_other_patients_changes(
    patient, other_patient, patient_client, seeded, make_client
):
    """A complete pull moves the checkpoint to the log's head, not to the patient's last
    change: pruning what others changed since does not expire it."""
    checkpoint = Replica().sync(patient_client).checkpoint
    ok(
        make_client(other_patient).post(
            "/api/v1/care-sessions/", care_session_body(), format="json"
        )
    )
    checkpoint = Replica(checkpoint=checkpoint).sync(patient_client).checkpoint
    change_log_prune(now=timezone.now() + dt.timedelta(days=1), keep=dt.timedelta(0))

    assert ok(pull(patient_client, checkpoint), 200)["has_more"] is False


# --- The race the checkpoint must survive (PostgreSQL: two real connections) -------------


def _second_connection() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=False,
    )


@pytest.mark.postgres
def test_a_change_committed_late_by_a_transaction_that_began_early_is_delivered(
    patient, patient_client, seeded
):
    replica = Replica().sync(patient_client)
    early = _second_connection()
    try:
        # T1 begins and writes (the patient's zone), and stays open.
        early.execute(
            "UPDATE accounts_user SET timezone = 'Europe/Madrid' WHERE id = %s", [patient.pk]
        )
        # T2 writes and commits after it: a care session, through the API.
        session = ok(
            patient_client.post("/api/v1/care-sessions/", care_session_body(), format="json")
        )
        # A pull happens while T1 is still open (no waiting here).
        during = ok(patient_client.get(f"/api/v1/sync/?checkpoint={replica.checkpoint}"), 200)
        replica.apply(during)
        assert during["changes"]["me"] == []
        # T1 commits.
        early.commit()
    finally:
        early.close()

    after = ok(pull(patient_client, replica.checkpoint), 200)
    replica.apply(after)

    assert [me["timezone"] for me in after["changes"]["me"]] == ["Europe/Madrid"]
    assert session["id"] in replica.objects["care_sessions"]


@pytest.mark.postgres
def test_a_pull_waits_for_nothing_and_loses_nothing_while_a_writer_is_open(
    patient, patient_client, seeded
):
    """A transaction left open holds later changes back (they come once it ends); a
    pull meanwhile answers at once with what is certain."""
    replica = Replica().sync(patient_client)
    early = _second_connection()
    try:
        early.execute(
            "UPDATE notifications_notification SET title = 'Held' WHERE user_id = %s", [patient.pk]
        )
        ok(patient_client.post("/api/v1/care-sessions/", care_session_body(), format="json"))
        during = ok(patient_client.get(f"/api/v1/sync/?checkpoint={replica.checkpoint}"), 200)
        replica.apply(during)
        early.rollback()
    finally:
        early.close()

    replica.sync(patient_client)

    assert replica.objects["care_sessions"]
    assert all(n["title"] != "Held" for n in replica.objects["notifications"].values())
    assert uuid.UUID(str(next(iter(replica.objects["care_sessions"]))))

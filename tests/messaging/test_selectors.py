"""Reads other apps compose (dashboard unread counts, the export) and erasure."""

import json
import uuid

import pytest
from django.db.models import Count

from apps.accounts.models import CareTeamLink, User
from apps.accounts.selectors import linked_patients_of
from apps.accounts.services import care_link_create, care_link_end
from apps.messaging.models import Message
from apps.messaging.selectors import export_for, threads_for, with_unread_count
from apps.messaging.services import message_send, messages_mark_read
from apps.notifications.models import Notification
from tests.accounts.factories import PatientFactory
from tests.conftest import client_for


def say(link, sender, body="hello"):
    return message_send(link=link, sender=sender, client_id=uuid.uuid4(), body=body).message


# --- threads_for ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_threads_for_keeps_ended_links_for_the_patient_only(
    patient, physio, other_physio, other_patient, editor
):
    ended = care_link_create(physio=other_physio, patient=patient)
    care_link_end(link=ended, by=patient)
    active = care_link_create(physio=physio, patient=patient)
    care_link_create(physio=physio, patient=other_patient)

    assert set(threads_for(user=patient)) == {active, ended}
    assert set(threads_for(user=physio)) == {
        active,
        *CareTeamLink.objects.filter(patient=other_patient),
    }
    assert list(threads_for(user=other_physio)) == []
    assert list(threads_for(user=editor)) == []


# --- with_unread_count (the physio dashboard) -------------------------------------------------


def caseload(physio, size: int) -> list[User]:
    """`size` linked patients, each with one read and two unread messages to the physio
    and one message from the physio to them."""
    patients = []
    for _ in range(size):
        patient = PatientFactory()
        link = care_link_create(physio=physio, patient=patient)
        first = say(link, patient)
        messages_mark_read(link=link, reader=physio, up_to=first.id)
        say(link, patient)
        say(link, patient)
        say(link, physio)
        patients.append(patient)
    return patients


@pytest.mark.django_db
def test_with_unread_count_counts_each_patients_unread_messages_to_this_physio(
    physio, other_physio, patient, other_patient
):
    link = care_link_create(physio=physio, patient=patient)
    for _ in range(3):
        say(link, patient)
    say(link, physio)  # from the physio: not theirs to read
    # The same patient writing to another physio does not count here.
    say(care_link_create(physio=other_physio, patient=patient), patient)
    # An ended link's messages are out of the physio's reach, and so out of the count.
    old = care_link_create(physio=physio, patient=other_patient)
    say(old, other_patient)
    care_link_end(link=old, by=other_patient)
    care_link_create(physio=physio, patient=other_patient)

    counts = dict(
        with_unread_count(linked_patients_of(physio=physio), physio=physio).values_list(
            "email", "unread_count"
        )
    )

    assert counts == {patient.email: 3, other_patient.email: 0}


@pytest.mark.django_db
def test_with_unread_count_costs_one_query_whatever_the_caseload(physio, django_assert_num_queries):
    def dashboard():
        patients = with_unread_count(linked_patients_of(physio=physio), physio=physio)
        # A dashboard composes other annotations too: one more must not upset this one.
        return list(
            patients.annotate(links=Count("physio_links")).values_list("unread_count", flat=True)
        )

    caseload(physio, 5)
    with django_assert_num_queries(1):
        small = dashboard()
    caseload(physio, 45)
    with django_assert_num_queries(1):
        large = dashboard()

    assert small == [2] * 5
    assert large == [2] * 50


# --- Export and erasure -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_export_holds_every_message_of_every_thread_of_the_patient(
    patient, physio, other_physio, other_patient
):
    old = care_link_create(physio=other_physio, patient=patient)
    asked = say(old, patient, "My calf is swollen")
    say(old, other_physio, "Please log it.")
    care_link_end(link=old, by=patient)
    link = care_link_create(physio=physio, patient=patient)
    say(link, physio, "  Welcome!\n")
    say(care_link_create(physio=physio, patient=other_patient), other_patient, "not theirs")

    rows = export_for(patient)["messages"]

    json.dumps(rows)  # JSON-safe as it is
    assert [(r["physio"], r["sender"], r["kind"], r["body"]) for r in rows] == [
        (other_physio.email, "patient", "text", "My calf is swollen"),
        (other_physio.email, None, "system", rows[1]["body"]),
        (other_physio.email, "physio", "text", "Please log it."),
        (physio.email, "physio", "text", "  Welcome!\n"),
    ]
    first = rows[0]
    assert first == {
        "id": str(asked.id),
        "care_team_link": str(old.id),
        "physio": other_physio.email,
        "kind": "text",
        "sender": "patient",
        "client_id": str(asked.client_id),
        "body": "My calf is swollen",
        "created_at": asked.created_at.isoformat(),
        "read_at": None,
        "reply_to": None,
        "action_route": "",
    }
    assert rows[1]["reply_to"] == str(asked.id)
    assert rows[1]["action_route"] == "app://log"


@pytest.mark.django_db
def test_erasing_the_patient_erases_their_threads(patient, physio, other_patient):
    link = care_link_create(physio=physio, patient=patient)
    say(link, patient, "My calf is swollen")  # with its automatic reply
    say(link, physio, "Please log it.")
    kept = say(care_link_create(physio=physio, patient=other_patient), other_patient, "mine")
    assert Message.objects.count() == 4

    response = client_for(patient).delete("/api/v1/me/")

    assert response.status_code == 204
    assert list(Message.objects.all()) == [kept]
    # The physio's inbox kept notifications with ids only, pointing at nothing now.
    for note in Notification.objects.filter(user=physio):
        assert set(note.data) == {"link_id", "message_id"}

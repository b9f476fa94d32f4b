import datetime as dt
import uuid
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.care.models import CareSession
from apps.notifications.models import Reminder, ReminderStatus
from apps.notifications.texts import rendered
from tests.bodies import care_session_body
from tests.clock import FROZEN_NOW
from tests.conftest import client_for, post_at_once

# A start time is checked against now (at most 5 minutes ahead, at most a day old), and
# the table of bad input below is written when the module is imported: against the frozen now.
pytestmark = pytest.mark.usefixtures("frozen_now")

URL = "/api/v1/care-sessions/"


def finish_url(session_id) -> str:
    return f"{URL}{session_id}/finish/"


def at(text: str) -> dt.datetime:
    return parse_datetime(text)


@pytest.mark.django_db
def test_starting_an_ice_session_schedules_the_take_it_off_reminder(patient_client, patient):
    body = care_session_body(planned_minutes=15)

    response = patient_client.post(URL, body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    session = CareSession.objects.get(patient=patient)
    assert data["id"] == str(session.id)
    assert data["client_id"] == body["client_id"]
    assert data["kind"] == "ice"
    assert data["planned_minutes"] == 15
    assert data["finished_at"] is None
    assert at(data["started_at"]) == at(body["started_at"])
    assert at(data["ends_at"]) == at(body["started_at"]) + timedelta(minutes=15)

    reminder = Reminder.objects.get()
    assert reminder.user == patient
    assert reminder.kind == "care"
    assert reminder.source == f"care_session:{session.id}"
    assert reminder.status == ReminderStatus.SCHEDULED
    assert reminder.due_at == reminder.scheduled_for == session.ends_at
    assert reminder.title == "Time to take the ice off"
    # Stored as the English text and its values; sent in the patient's language.
    assert rendered(reminder.body, reminder.text_params) == (
        "Your 15-minute ice session is over. Remove the cold pack and check your skin."
    )
    assert data["reminder"] == {
        "id": str(reminder.id),
        "due_at": data["ends_at"],
        "status": "scheduled",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "minutes", "title"),
    [
        ("elevation", 240, "End of your elevation session"),
        ("rest", 1, "End of your rest session"),
        ("stretch", 10, "End of your stretching session"),
    ],
)
def test_other_kinds_get_an_end_of_session_reminder(patient_client, kind, minutes, title):
    body = care_session_body(kind=kind, planned_minutes=minutes)

    response = patient_client.post(URL, body, format="json")

    assert response.status_code == 201, response.json()
    reminder = Reminder.objects.get()
    assert reminder.title == title
    assert f"{minutes}-minute" in rendered(reminder.body, reminder.text_params)
    assert reminder.due_at == at(body["started_at"]) + timedelta(minutes=minutes)


@pytest.mark.django_db
@pytest.mark.parametrize("minutes", [15, 20])
def test_ice_for_15_or_20_minutes_is_accepted(patient_client, minutes):
    response = patient_client.post(URL, care_session_body(planned_minutes=minutes), format="json")
    assert response.status_code == 201


@pytest.mark.django_db
def test_the_same_client_id_again_returns_the_stored_session_and_changes_nothing(
    patient_client, patient
):
    body = care_session_body(planned_minutes=15)
    first = patient_client.post(URL, body, format="json")

    again = patient_client.post(URL, {**body, "planned_minutes": 20}, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert CareSession.objects.count() == 1
    assert CareSession.objects.get().planned_minutes == 15
    assert Reminder.objects.count() == 1


@pytest.mark.django_db
def test_another_patient_may_reuse_a_client_id_without_seeing_the_first(
    patient_client, other_patient
):
    body = care_session_body()
    patient_client.post(URL, body, format="json")

    response = client_for(other_patient).post(URL, {**body, "kind": "rest"}, format="json")

    assert response.status_code == 201
    assert response.json()["kind"] == "rest"
    assert Reminder.objects.filter(user=other_patient).count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_copies_of_one_session_make_exactly_one_row(patient):
    """Two phones (or a retry) sending the same session at the same instant."""
    body = care_session_body()
    statuses = [r.status_code for r in post_at_once([(patient, URL, body)] * 4)]

    assert sorted(statuses) == [200, 200, 200, 201]
    assert CareSession.objects.filter(patient=patient).count() == 1
    assert Reminder.objects.filter(user=patient).count() == 1


@pytest.mark.django_db
def test_quiet_hours_do_not_delay_taking_the_ice_off(patient):
    patient.timezone = "America/New_York"
    patient.quiet_hours_start = dt.time(22, 0)
    patient.quiet_hours_end = dt.time(7, 0)
    patient.save()
    started = dt.datetime(2026, 11, 18, 23, 0, tzinfo=patient.zone)

    with time_machine.travel(started + timedelta(minutes=1), tick=False):
        # A token made now: one made before the travel would be issued "in the future".
        response = client_for(patient).post(
            URL, care_session_body(started_at=started.isoformat()), format="json"
        )

    assert response.status_code == 201, response.json()
    reminder = Reminder.objects.get()
    assert reminder.due_at.astimezone(patient.zone) == dt.datetime(
        2026, 11, 18, 23, 15, tzinfo=patient.zone
    )
    assert at(response.json()["reminder"]["due_at"]) == reminder.due_at


# --- Bad input ---------------------------------------------------------------------------

ICE_MESSAGE = "An ice session lasts 15 to 20 minutes."


def minutes_from_now(minutes: float) -> str:
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


def minutes_from_frozen_now(minutes: float) -> str:
    """For tables written at import: minutes_from_now() there would read the real clock
    at collection, minutes or (on the frozen clock) weeks away from when the test runs."""
    return (FROZEN_NOW + timedelta(minutes=minutes)).isoformat()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "attr", "code"),
    [
        ({"planned_minutes": 10}, "planned_minutes", "ice_duration"),
        ({"planned_minutes": 25}, "planned_minutes", "ice_duration"),
        ({"planned_minutes": 14}, "planned_minutes", "ice_duration"),
        ({"planned_minutes": 21}, "planned_minutes", "ice_duration"),
        ({"planned_minutes": 4.5}, "planned_minutes", "invalid"),
        ({"planned_minutes": 15.0}, "planned_minutes", "invalid"),
        ({"planned_minutes": "15"}, "planned_minutes", "invalid"),
        ({"planned_minutes": True}, "planned_minutes", "invalid"),
        ({"planned_minutes": None}, "planned_minutes", "null"),
        ({"kind": "rest", "planned_minutes": 0}, "planned_minutes", "min_value"),
        ({"kind": "rest", "planned_minutes": 241}, "planned_minutes", "max_value"),
        ({"kind": "heat"}, "kind", "invalid_choice"),
        ({"kind": 1}, "kind", "invalid_choice"),
        ({"client_id": "not-a-uuid"}, "client_id", "invalid"),
        ({"started_at": "2026-11-21T08:00:00"}, "started_at", "naive"),
        ({"started_at": "after lunch"}, "started_at", "invalid"),
        ({"started_at": 1700000000}, "started_at", "invalid"),
        ({"started_at": minutes_from_frozen_now(10)}, "started_at", "in_future"),
        ({"started_at": minutes_from_frozen_now(-2 * 24 * 60)}, "started_at", "too_old"),
        ({"finished_at": minutes_from_frozen_now(0)}, "finished_at", "unknown_field"),
        ({"temperature": "cold"}, "temperature", "unknown_field"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(
    patient_client, overrides, attr, code
):
    response = patient_client.post(URL, care_session_body(**overrides), format="json")

    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["type"] == "validation_error"
    assert (attr, code) in {(e["attr"], e["code"]) for e in body["errors"]}
    assert not CareSession.objects.exists()
    assert not Reminder.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["client_id", "kind", "started_at", "planned_minutes"])
def test_every_field_is_required(patient_client, field):
    body = care_session_body()
    del body[field]

    response = patient_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert (field, "required") in {(e["attr"], e["code"]) for e in response.json()["errors"]}
    assert not CareSession.objects.exists()


@pytest.mark.django_db
def test_a_long_ice_session_is_refused_in_plain_words(patient_client):
    response = patient_client.post(URL, care_session_body(planned_minutes=25), format="json")

    assert response.json()["errors"] == [
        {"code": "ice_duration", "detail": ICE_MESSAGE, "attr": "planned_minutes"}
    ]


@pytest.mark.django_db
def test_four_minutes_ahead_is_tolerated_for_clock_drift(patient_client):
    response = patient_client.post(
        URL, care_session_body(started_at=minutes_from_now(4)), format="json"
    )
    assert response.status_code == 201


@pytest.mark.django_db
def test_a_session_started_23_hours_ago_is_still_accepted(patient_client):
    started = minutes_from_now(-23 * 60)
    response = patient_client.post(URL, care_session_body(started_at=started), format="json")
    assert response.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("payload", ['{"kind": "ice"', "[1, 2]", '"a string"', "null", "15"])
def test_a_body_that_is_not_a_session_object_is_a_400(patient_client, payload):
    response = patient_client.post(URL, payload, content_type="application/json")

    assert response.status_code == 400
    assert not CareSession.objects.exists()
    assert not Reminder.objects.exists()


# --- Finishing ---------------------------------------------------------------------------


@pytest.fixture
def started(patient_client) -> dict:
    response = patient_client.post(URL, care_session_body(), format="json")
    assert response.status_code == 201
    return response.json()


@pytest.mark.django_db
def test_finishing_early_cancels_the_reminder(patient_client, started):
    response = patient_client.post(finish_url(started["id"]), format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    session = CareSession.objects.get()
    assert session.finished_at is not None
    assert at(data["finished_at"]) == session.finished_at
    assert data["reminder"]["status"] == "cancelled"
    assert Reminder.objects.get().status == ReminderStatus.CANCELLED


@pytest.mark.django_db
def test_finishing_again_keeps_the_first_time_and_changes_nothing(patient_client, started):
    first = patient_client.post(finish_url(started["id"]), {}, format="json")
    reminder_updated = Reminder.objects.get().updated_at

    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        again = client_for(CareSession.objects.get().patient).post(finish_url(started["id"]))

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert CareSession.objects.get().finished_at == at(first.json()["finished_at"])
    assert Reminder.objects.get().updated_at == reminder_updated


@pytest.mark.django_db
def test_finishing_after_the_reminder_was_sent_keeps_it_sent(patient_client, started):
    Reminder.objects.update(status=ReminderStatus.SENT, sent_at=timezone.now())

    response = patient_client.post(finish_url(started["id"]))

    assert response.status_code == 200
    assert response.json()["finished_at"] is not None
    assert response.json()["reminder"]["status"] == "sent"
    assert Reminder.objects.get().status == ReminderStatus.SENT


@pytest.mark.django_db
def test_a_session_never_finishes_before_it_started(patient_client):
    ahead = minutes_from_now(4)  # the phone's clock runs a little fast
    created = patient_client.post(URL, care_session_body(started_at=ahead), format="json").json()

    response = patient_client.post(finish_url(created["id"]))

    assert at(response.json()["finished_at"]) == at(ahead)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "attr"),
    [
        ('{"finished_at": "2026-11-21T08:00:00Z"}', "finished_at"),
        ('{"force": true}', "force"),
        ("[1]", None),  # about the whole body: docs/api.md says attr is null
        ('"now"', None),
    ],
)
def test_finish_refuses_any_body_but_an_empty_one(patient_client, started, payload, attr):
    response = patient_client.post(
        finish_url(started["id"]), payload, content_type="application/json"
    )

    assert response.status_code == 400
    assert attr in {e["attr"] for e in response.json()["errors"]}
    assert CareSession.objects.get().finished_at is None
    assert Reminder.objects.get().status == ReminderStatus.SCHEDULED


# --- Reading -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_patient_reads_one_of_their_sessions(patient_client, started):
    response = patient_client.get(f"{URL}{started['id']}/")

    assert response.status_code == 200
    assert response.json() == started


@pytest.mark.django_db
def test_the_list_holds_only_the_callers_sessions_newest_first(
    patient_client, patient, other_patient
):
    now = timezone.now()
    older = patient_client.post(
        URL, care_session_body(started_at=(now - timedelta(hours=3)).isoformat()), format="json"
    ).json()
    newer = patient_client.post(
        URL, care_session_body(kind="rest", planned_minutes=30), format="json"
    ).json()
    client_for(other_patient).post(URL, care_session_body(), format="json")

    response = patient_client.get(URL)

    assert response.status_code == 200
    data = response.json()
    assert set(data) >= {"next", "previous", "results"}
    assert data["results"] == [newer, older]


@pytest.mark.django_db
def test_a_list_page_costs_a_fixed_number_of_queries(
    patient_client, patient, django_assert_max_num_queries
):
    from apps.care.services import care_session_start

    now = timezone.now()
    for minutes in range(0, 60 * 20, 20):
        care_session_start(
            patient=patient,
            client_id=uuid.uuid4(),
            kind="ice",
            started_at=now - timedelta(minutes=minutes),
            planned_minutes=15,
        )
    # user, count, page of sessions, their reminders
    with django_assert_max_num_queries(4):
        response = patient_client.get(URL, {"page_size": 50})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 50
    assert all(item["reminder"] is not None for item in response.json()["results"])


@pytest.mark.django_db
def test_a_session_synced_long_after_it_ended_gets_no_late_reminder(patient_client):
    started = timezone.now() - timedelta(hours=3)
    body = {
        "client_id": str(uuid.uuid4()),
        "kind": "ice",
        "started_at": started.isoformat(),
        "planned_minutes": 20,
    }

    response = patient_client.post(URL, body, format="json")

    assert response.status_code == 201
    assert response.json()["reminder"]["status"] == "cancelled"


# --- Who may ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_patients_start_sessions(physio_client, editor_client, api_client):
    for client, expected in ((physio_client, 403), (editor_client, 403), (api_client, 401)):
        assert client.post(URL, care_session_body(), format="json").status_code == expected
        assert client.get(URL).status_code == expected
    assert not CareSession.objects.exists()
    assert not Reminder.objects.exists()


@pytest.mark.django_db
def test_only_patients_read_or_finish_a_session(started, physio_client, editor_client, api_client):
    for client, expected in ((physio_client, 403), (editor_client, 403), (api_client, 401)):
        assert client.get(f"{URL}{started['id']}/").status_code == expected
        assert client.post(finish_url(started["id"])).status_code == expected
    assert CareSession.objects.get().finished_at is None
    assert Reminder.objects.get().status == ReminderStatus.SCHEDULED


@pytest.mark.django_db
def test_another_patients_session_is_not_found_and_stays_unfinished(started, other_patient):
    outsider = client_for(other_patient)

    detail = outsider.get(f"{URL}{started['id']}/")
    finish = outsider.post(finish_url(started["id"]))

    assert detail.status_code == 404
    assert finish.status_code == 404
    assert detail.json() == finish.json()  # the same answer as for an id that never existed
    assert outsider.get(URL).json()["results"] == []
    assert CareSession.objects.get().finished_at is None
    assert Reminder.objects.get().status == ReminderStatus.SCHEDULED


@pytest.mark.django_db
def test_an_unknown_session_is_not_found(patient_client):
    unknown = uuid.uuid4()
    assert patient_client.get(f"{URL}{unknown}/").status_code == 404
    assert patient_client.post(finish_url(unknown)).status_code == 404


@pytest.mark.django_db
def test_a_copy_that_loses_the_insert_race_returns_the_winner(patient):
    """The path PostgreSQL takes when two copies both miss the first read: the unique
    constraint refuses the second insert, and the loser answers with the stored row."""
    from django.db.models import QuerySet

    from apps.care.services import care_session_start

    fields = {
        "patient": patient,
        "client_id": uuid.uuid4(),
        "kind": "ice",
        "started_at": timezone.now(),
        "planned_minutes": 15,
    }
    winner = care_session_start(**fields)

    with mock.patch.object(QuerySet, "first", return_value=None):  # the read saw nothing
        loser = care_session_start(**{**fields, "planned_minutes": 20})

    assert winner.changed
    assert not loser.changed
    assert loser.session.pk == winner.session.pk
    assert loser.session.planned_minutes == 15
    assert loser.reminder == winner.reminder
    assert CareSession.objects.count() == 1
    assert Reminder.objects.count() == 1

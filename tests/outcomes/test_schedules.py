"""Outcome schedules: a linked physiotherapist asks a patient to answer an instrument
every N days; questionnaire reminders come from the reminder engine's rows and stop when
the schedule ends, the link ends or the patient is erased."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.accounts.models import PatientAccessAudit
from apps.accounts.services import care_link_create, care_link_end
from apps.notifications.models import Reminder, ReminderKind, ReminderStatus
from apps.notifications.reminders import reminder_settings_update, reminders_plan_ahead
from apps.outcomes.models import InstrumentVersion, OutcomeResponse, OutcomeSchedule
from apps.outcomes.reminders import on_reminders_plan_ahead, schedule_source
from apps.outcomes.services import instrument_version_set_enabled, outcome_schedule_create
from tests.conftest import client_for
from tests.outcomes.conftest import lefs_body

LONDON = ZoneInfo("Europe/London")
# A Wednesday at noon in London (BST).
NOON = dt.datetime(2026, 6, 10, 12, 0, tzinfo=LONDON)
TODAY = NOON.date()


def url(patient) -> str:
    return f"/api/v1/patients/{patient.id}/outcome-schedules/"


def body(**overrides) -> dict:
    return {"instrument": "lefs", "every_days": 7, "starts_on": str(TODAY), **overrides}


def questionnaire_reminders(schedule_id=None, **filters):
    reminders = Reminder.objects.filter(kind=ReminderKind.QUESTIONNAIRE, **filters)
    if schedule_id:
        reminders = reminders.filter(source=f"outcome_schedule:{schedule_id}")
    return reminders.order_by("scheduled_for")


@pytest.fixture
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def test_a_linked_physio_schedules_an_instrument(
    instruments, frozen, linked, physio, physio_client, patient
):
    response = physio_client.post(url(patient), body(), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["instrument"] == "lefs"
    assert (data["every_days"], data["starts_on"], data["status"]) == (7, str(TODAY), "active")
    assert (data["ended_at"], data["end_reason"]) == (None, None)  # null, not "", while it runs
    assert data["patient"] == str(patient.id)
    assert data["physio"] == str(physio.id)
    schedule = OutcomeSchedule.objects.get()
    # Due today: the patient is reminded at once; the next occurrence is a week away,
    # beyond the week of rows the engine keeps.
    reminders = list(questionnaire_reminders(schedule.id))
    assert [(r.scheduled_for, r.status, r.user) for r in reminders] == [
        (NOON, ReminderStatus.SCHEDULED, patient)
    ]
    assert "questionnaire" in reminders[0].title.lower()
    assert "LEFS" not in reminders[0].title + reminders[0].body  # nothing clinical on a lock screen


def test_later_occurrences_are_reminded_at_the_patients_checkin_time(
    instruments, frozen, linked, physio_client, patient
):
    physio_client.post(url(patient), body(every_days=2), format="json")

    assert [r.scheduled_for for r in questionnaire_reminders()] == [
        NOON,
        dt.datetime(2026, 6, 12, 20, 0, tzinfo=LONDON),
        dt.datetime(2026, 6, 14, 20, 0, tzinfo=LONDON),
        dt.datetime(2026, 6, 16, 20, 0, tzinfo=LONDON),
    ]


def test_a_schedule_starting_later_is_first_reminded_on_its_day(
    instruments, frozen, linked, physio_client, patient
):
    physio_client.post(url(patient), body(starts_on="2026-06-13"), format="json")

    assert [r.scheduled_for for r in questionnaire_reminders()] == [
        dt.datetime(2026, 6, 13, 20, 0, tzinfo=LONDON)
    ]


def test_quiet_hours_hold_the_reminder_until_their_end(instruments, linked, physio, patient):
    patient.quiet_hours_start, patient.quiet_hours_end = dt.time(22), dt.time(7)
    patient.save()
    late = dt.datetime(2026, 6, 10, 23, 0, tzinfo=LONDON)
    with time_machine.travel(late, tick=False):
        outcome_schedule_create(
            physio=physio, patient=patient, instrument="lefs", every_days=7, starts_on=late.date()
        )
    reminder = questionnaire_reminders().get()
    assert reminder.scheduled_for == late
    assert reminder.due_at == dt.datetime(2026, 6, 11, 7, 0, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("changes", "attr", "code"),
    [
        ({"instrument": "koos"}, "instrument", "unknown_instrument"),
        ({"instrument": 5}, "instrument", "invalid"),
        ({"every_days": 0}, "every_days", "min_value"),
        ({"every_days": 366}, "every_days", "max_value"),
        ({"every_days": "7"}, "every_days", "invalid"),
        ({"every_days": 7.0}, "every_days", "invalid"),
        ({"starts_on": "2026-06-08"}, "starts_on", "in_past"),
        ({"starts_on": "2027-06-11"}, "starts_on", "too_far"),
        ({"starts_on": "10/06/2026"}, "starts_on", "invalid"),
        ({"starts_on": 20260610}, "starts_on", "invalid"),
        ({"episode": "x"}, "episode", "invalid"),
        ({"colour": "x"}, "colour", "unknown_field"),
        ({"instrument": None}, "instrument", "null"),
    ],
)
def test_bad_schedules_are_a_400_naming_the_field_and_store_nothing(
    instruments, frozen, linked, physio_client, patient, changes, attr, code
):
    response = physio_client.post(url(patient), body(**changes), format="json")

    assert response.status_code == 400, response.content
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [(attr, code)]
    assert not OutcomeSchedule.objects.exists()
    assert not Reminder.objects.exists()


def test_yesterday_is_accepted_for_a_physio_a_zone_ahead(
    instruments, frozen, linked, physio_client, patient
):
    response = physio_client.post(url(patient), body(starts_on="2026-06-09"), format="json")
    assert response.status_code == 201
    # Yesterday's occurrence is due now (reminded at once); the next is on the 16th.
    assert [r.scheduled_for for r in questionnaire_reminders()] == [
        NOON,
        dt.datetime(2026, 6, 16, 20, 0, tzinfo=LONDON),
    ]


def test_a_second_active_schedule_of_an_instrument_is_a_409_until_it_ends(
    instruments, frozen, linked, physio_client, patient
):
    first = physio_client.post(url(patient), body(), format="json").json()

    again = physio_client.post(url(patient), body(every_days=14), format="json")
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "schedule_exists"
    assert (
        physio_client.post(url(patient), body(instrument="psfs"), format="json").status_code == 201
    )

    physio_client.post(f"/api/v1/outcome-schedules/{first['id']}/end/", format="json")
    assert physio_client.post(url(patient), body(every_days=14), format="json").status_code == 201


def test_only_a_linked_physio_schedules(
    instruments, frozen, linked, patient, patient_client, other_physio, editor_client, api_client
):
    assert client_for(other_physio).post(url(patient), body(), format="json").status_code == 404
    assert patient_client.post(url(patient), body(), format="json").status_code == 403
    assert editor_client.post(url(patient), body(), format="json").status_code == 403
    assert api_client.post(url(patient), body(), format="json").status_code == 401
    assert not OutcomeSchedule.objects.exists()


# --- Reading schedules -------------------------------------------------------------------------


def test_a_patient_lists_their_own_schedules(
    instruments, frozen, linked, physio_client, patient, patient_client, other_patient
):
    made = physio_client.post(url(patient), body(), format="json").json()

    listed = patient_client.get("/api/v1/outcome-schedules/").json()["results"]
    assert [row["id"] for row in listed] == [made["id"]]
    assert client_for(other_patient).get("/api/v1/outcome-schedules/").json()["results"] == []
    assert not PatientAccessAudit.objects.exists()


def test_a_physio_lists_one_linked_patients_schedules_and_is_audited(
    instruments, frozen, linked, physio, physio_client, patient, other_physio
):
    made = physio_client.post(url(patient), body(), format="json").json()

    response = physio_client.get("/api/v1/outcome-schedules/", {"patient": str(patient.id)})
    assert [row["id"] for row in response.json()["results"]] == [made["id"]]
    assert list(PatientAccessAudit.objects.values_list("physio", "patient", "what")) == [
        (physio.id, patient.id, "outcomes.schedules")
    ]

    missing = physio_client.get("/api/v1/outcome-schedules/")
    assert missing.status_code == 400
    assert [(e["attr"], e["code"]) for e in missing.json()["errors"]] == [("patient", "required")]
    outsider = client_for(other_physio).get(
        "/api/v1/outcome-schedules/", {"patient": str(patient.id)}
    )
    assert outsider.status_code == 404
    assert physio_client.get("/api/v1/outcome-schedules/", {"patient": "nope"}).status_code == 400
    assert PatientAccessAudit.objects.count() == 1


def test_schedules_filter_by_status(
    instruments, frozen, linked, physio_client, patient, patient_client
):
    ended = physio_client.post(url(patient), body(), format="json").json()
    physio_client.post(f"/api/v1/outcome-schedules/{ended['id']}/end/", format="json")
    active = physio_client.post(url(patient), body(instrument="psfs"), format="json").json()

    def ids(status):
        rows = patient_client.get("/api/v1/outcome-schedules/", {"status": status}).json()
        return [row["id"] for row in rows["results"]]

    assert ids("active") == [active["id"]]
    assert ids("ended") == [ended["id"]]
    assert patient_client.get("/api/v1/outcome-schedules/", {"status": "x"}).status_code == 400


# --- Stopping ------------------------------------------------------------------------------------


def test_ending_a_schedule_cancels_its_reminders(
    instruments, frozen, linked, physio, physio_client, patient
):
    made = physio_client.post(url(patient), body(every_days=2), format="json").json()

    response = physio_client.post(f"/api/v1/outcome-schedules/{made['id']}/end/", format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["end_reason"]) == ("ended", "ended")
    assert not questionnaire_reminders(status=ReminderStatus.SCHEDULED).exists()
    schedule = OutcomeSchedule.objects.get()
    assert schedule.ended_by == physio
    again = physio_client.post(f"/api/v1/outcome-schedules/{made['id']}/end/", format="json")
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "schedule_ended"


def test_ending_takes_no_body_and_only_a_linked_physio_may(
    instruments, frozen, linked, physio_client, patient, patient_client, other_physio
):
    made = physio_client.post(url(patient), body(), format="json").json()
    end = f"/api/v1/outcome-schedules/{made['id']}/end/"

    assert client_for(other_physio).post(end, format="json").status_code == 404
    assert patient_client.post(end, format="json").status_code == 403
    assert physio_client.post(end, {"reason": "x"}, format="json").status_code == 400
    assert OutcomeSchedule.objects.get().is_active


def test_ending_the_link_stops_that_physios_schedules(
    instruments, frozen, linked, physio, physio_client, other_physio, patient, patient_client
):
    mine = physio_client.post(url(patient), body(every_days=2), format="json").json()
    care_link_create(physio=other_physio, patient=patient)
    theirs = (
        client_for(other_physio)
        .post(url(patient), body(instrument="psfs", every_days=2), format="json")
        .json()
    )

    # The patient ends the link with the first physio (docs/api.md, Care team).
    assert patient_client.delete(f"/api/v1/care-team/{linked.id}/").status_code == 204

    mine_now = OutcomeSchedule.objects.get(pk=mine["id"])
    assert (mine_now.is_active, mine_now.end_reason, mine_now.ended_by) == (
        False,
        "unlinked",
        patient,
    )
    assert not questionnaire_reminders(mine["id"], status=ReminderStatus.SCHEDULED).exists()
    assert OutcomeSchedule.objects.get(pk=theirs["id"]).is_active
    assert questionnaire_reminders(theirs["id"], status=ReminderStatus.SCHEDULED).count() == 4


def test_ending_an_ended_link_again_changes_nothing(instruments, frozen, linked, physio, patient):
    outcome_schedule_create(
        physio=physio, patient=patient, instrument="lefs", every_days=7, starts_on=TODAY
    )
    care_link_end(link=linked, by=physio)
    care_link_end(link=linked, by=patient)
    assert OutcomeSchedule.objects.get().ended_by == physio


def test_erasing_the_patient_deletes_schedules_responses_and_reminders(
    instruments, frozen, linked, physio_client, patient, patient_client, other_patient
):
    physio_client.post(url(patient), body(), format="json")
    assert (
        patient_client.post("/api/v1/outcome-responses/", lefs_body(), format="json").status_code
        == 201
    )
    client_for(other_patient).post("/api/v1/outcome-responses/", lefs_body(), format="json")

    assert patient_client.delete("/api/v1/me/").status_code == 204

    assert not OutcomeSchedule.objects.exists()
    assert list(OutcomeResponse.objects.values_list("patient", flat=True)) == [other_patient.id]
    assert not Reminder.objects.filter(user_id=patient.id).exists()


# --- Re-planning --------------------------------------------------------------------------------


def test_changing_the_checkin_time_or_switching_reminders_off_replans_them(
    instruments, frozen, linked, physio_client, patient
):
    physio_client.post(url(patient), body(every_days=2), format="json")

    reminder_settings_update(user=patient, checkin_time=dt.time(9, 30))
    scheduled = questionnaire_reminders(status=ReminderStatus.SCHEDULED)
    assert [r.scheduled_for for r in scheduled] == [
        NOON,
        dt.datetime(2026, 6, 12, 9, 30, tzinfo=LONDON),
        dt.datetime(2026, 6, 14, 9, 30, tzinfo=LONDON),
        dt.datetime(2026, 6, 16, 9, 30, tzinfo=LONDON),
    ]

    reminder_settings_update(user=patient, questionnaire_reminders=False)
    assert not questionnaire_reminders(
        status=ReminderStatus.SCHEDULED, scheduled_for__gt=NOON
    ).exists()


def test_the_hourly_top_up_adds_the_next_occurrences(instruments, linked, physio, patient):
    with time_machine.travel(NOON, tick=False):
        schedule = outcome_schedule_create(
            physio=physio, patient=patient, instrument="lefs", every_days=7, starts_on=TODAY
        )
    assert questionnaire_reminders().count() == 1

    later = NOON + dt.timedelta(days=2)
    with time_machine.travel(later, tick=False):
        assert on_reminders_plan_ahead(sender=None, now=later) == 1
        assert on_reminders_plan_ahead(sender=None, now=later) == 0  # covered now
        reminders_plan_ahead()  # every source, through the hook: nothing more to add
    assert [r.scheduled_for for r in questionnaire_reminders()] == [
        NOON,
        dt.datetime(2026, 6, 17, 20, 0, tzinfo=LONDON),
    ]
    assert questionnaire_reminders().filter(source=schedule_source(schedule)).count() == 2


def test_switching_the_instrument_off_stops_its_reminders_until_it_is_back(
    instruments, frozen, linked, physio_client, patient
):
    physio_client.post(url(patient), body(every_days=2), format="json")
    version = InstrumentVersion.objects.get(instrument="lefs")

    instrument_version_set_enabled(version=version, enabled=False)
    assert not questionnaire_reminders(
        status=ReminderStatus.SCHEDULED, scheduled_for__gt=NOON
    ).exists()

    instrument_version_set_enabled(version=version, enabled=True)
    assert (
        questionnaire_reminders(status=ReminderStatus.SCHEDULED, scheduled_for__gt=NOON).count()
        == 3
    )


def test_the_top_up_skips_schedules_with_nothing_at_the_window_end(
    instruments, linked, physio, patient
):
    with time_machine.travel(NOON, tick=False):
        outcome_schedule_create(
            physio=physio, patient=patient, instrument="lefs", every_days=30, starts_on=TODAY
        )
    for hours in range(0, 72, 7):
        moment = NOON + dt.timedelta(hours=hours)
        assert on_reminders_plan_ahead(sender=None, now=moment) == 0


def test_the_at_once_reminder_stays_scheduled_when_the_clock_runs(
    instruments, linked, physio, patient
):
    """Without frozen time the row is saved a moment after the service read the clock:
    its reminder is still wanted, not cancelled as a stray future time."""
    schedule = outcome_schedule_create(
        physio=physio,
        patient=patient,
        instrument="lefs",
        every_days=7,
        starts_on=dt.datetime.now(tz=patient.zone).date(),
    )
    reminder = questionnaire_reminders(schedule.id).get()
    assert (reminder.status, reminder.scheduled_for) == (
        ReminderStatus.SCHEDULED,
        schedule.created_at,
    )

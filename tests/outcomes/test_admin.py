"""The admin: editors switch instrument versions on and off and never see patients'
schedules or responses; a version with responses keeps its wording; schedules and
responses are read-only for staff."""

import uuid

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts import services as accounts
from apps.notifications.models import Reminder, ReminderStatus
from apps.outcomes.models import InstrumentVersion, OutcomeResponse, OutcomeSchedule
from apps.outcomes.services import outcome_responses_store, outcome_schedule_create
from tests.outcomes.conftest import bulk_item, lefs_answers
from tests.second_factor import admin_sign_in

VERSIONS = "/admin/outcomes/instrumentversion/"


@pytest.fixture
def editor_browser(db) -> Client:
    editor = accounts.user_create(
        email="ed@example.org", password="Edit-content-2026", role="editor"
    )
    client = Client()
    admin_sign_in(client, editor)
    return client


@pytest.fixture
def answered(instruments, patient) -> OutcomeResponse:
    return outcome_responses_store(
        patient=patient,
        items=[
            bulk_item(
                0,
                fields={
                    "client_id": uuid.uuid4(),
                    "instrument": "lefs",
                    "answers": lefs_answers(3),
                    "completed_at": timezone.now(),
                },
            )
        ],
    )[0].record


@pytest.fixture
def scheduled(instruments, linked, physio, patient) -> OutcomeSchedule:
    return outcome_schedule_create(
        physio=physio,
        patient=patient,
        instrument="psfs",
        every_days=1,
        starts_on=timezone.now().astimezone(patient.zone).date(),
    )


def version(code: str) -> InstrumentVersion:
    return InstrumentVersion.objects.get(instrument=code)


def test_an_editor_lists_instruments_and_switches_one_off(editor_browser, scheduled):
    psfs = version("psfs")
    assert editor_browser.get("/admin/").status_code == 200
    listing = editor_browser.get(VERSIONS)
    assert listing.status_code == 200
    assert "Patient-Specific Functional Scale" in listing.content.decode()

    response = editor_browser.post(f"{VERSIONS}{psfs.pk}/change/", {})  # "enabled" unticked

    assert response.status_code == 302, response.content.decode()[:2000]
    psfs.refresh_from_db()
    assert (psfs.enabled, psfs.edited_in_admin) == (False, True)
    pending = Reminder.objects.filter(
        source=f"outcome_schedule:{scheduled.id}", status=ReminderStatus.SCHEDULED
    )
    assert not pending.exists()


def test_an_editor_switches_a_version_on_with_the_action(editor_browser, instruments):
    lefs = version("lefs")
    lefs.enabled = False
    lefs.save()

    editor_browser.post(VERSIONS, {"action": "switch_on", "_selected_action": [lefs.pk]})

    assert version("lefs").enabled


def test_an_editor_cannot_change_the_wording_even_of_an_unused_version(editor_browser, instruments):
    lefs = version("lefs")
    form = editor_browser.get(f"{VERSIONS}{lefs.pk}/change/").content.decode()
    assert 'name="enabled"' in form
    assert 'name="question"' not in form
    assert 'name="items"' not in form

    editor_browser.post(
        f"{VERSIONS}{lefs.pk}/change/", {"enabled": "on", "question": "Changed?", "mcid": "1"}
    )

    lefs.refresh_from_db()
    assert lefs.question.startswith("Today")
    assert lefs.mcid == 9


def test_an_editor_adds_and_deletes_nothing_and_sees_no_patient_data(
    editor_browser, answered, scheduled
):
    assert editor_browser.get(f"{VERSIONS}add/").status_code == 403
    assert editor_browser.get(f"{VERSIONS}{version('psfs').pk}/delete/").status_code == 403
    assert editor_browser.get("/admin/outcomes/instrument/add/").status_code == 403
    assert editor_browser.get("/admin/outcomes/outcomeresponse/").status_code == 403
    assert editor_browser.get("/admin/outcomes/outcomeschedule/").status_code == 403
    index = editor_browser.get("/admin/").content.decode()
    assert "/admin/outcomes/instrumentversion/" in index
    assert "/admin/outcomes/outcomeresponse/" not in index


def test_a_version_with_responses_keeps_its_wording_in_the_admin(staff_browser, answered):
    lefs = version("lefs")
    form = staff_browser.get(f"{VERSIONS}{lefs.pk}/change/").content.decode()
    assert 'name="question"' not in form
    assert 'name="enabled"' in form
    assert staff_browser.get(f"{VERSIONS}{lefs.pk}/delete/").status_code == 403

    staff_browser.post(f"{VERSIONS}{lefs.pk}/change/", {"question": "Changed?"})

    lefs.refresh_from_db()
    assert lefs.question.startswith("Today")
    assert not lefs.enabled  # the checkbox was unticked: switching off is allowed


def test_staff_may_correct_an_unused_version(staff_browser, instruments):
    pain = version("pain_week")
    form = staff_browser.get(f"{VERSIONS}{pain.pk}/change/").content.decode()
    assert 'name="question"' in form


def test_schedules_and_responses_are_read_only_for_staff(staff_browser, answered, scheduled):
    for changelist, obj in (
        ("/admin/outcomes/outcomeresponse/", answered),
        ("/admin/outcomes/outcomeschedule/", scheduled),
    ):
        listing = staff_browser.get(changelist)
        assert listing.status_code == 200
        assert str(obj.pk) in listing.content.decode()
        assert staff_browser.get(f"{changelist}add/").status_code == 403
        assert staff_browser.get(f"{changelist}{obj.pk}/delete/").status_code == 403
        assert staff_browser.post(f"{changelist}{obj.pk}/change/", {}).status_code == 403
    assert OutcomeResponse.objects.count() == 1
    assert OutcomeSchedule.objects.count() == 1

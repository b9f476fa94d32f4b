"""The caseload's Today list: unresolved alerts (most urgent first, acknowledged ones
still there), unread messages, questionnaires overdue and suggestions to reduce load, across
every patient, each a link to where it is dealt with, and gone once dealt with; the search
and filter narrow the table, not the list."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.services import care_link_create
from apps.outcomes.models import OutcomeSchedule
from apps.outcomes.services import outcome_schedule_end
from tests.factories import (
    AlertFactory,
    InstrumentVersionFactory,
    MessageFactory,
    OutcomeResponseFactory,
    OutcomeScheduleFactory,
    PatientFactory,
)
from tests.guidance.test_reduce_counts import patient_with

pytestmark = pytest.mark.django_db


def groups(response) -> dict:
    return {group.key: group for group in response.context["today"]}


@pytest.mark.usefixtures("frozen_now")  # the load guidance's sessions are dated from it
def test_today_lists_what_waits_across_the_caseload(physio, portal, other_physio):
    clot, quiet, chatty = (
        PatientFactory(email=f"{name}@example.org") for name in ("clot", "quiet", "chatty")
    )
    links = {p: care_link_create(physio=physio, patient=p) for p in (clot, quiet, chatty)}
    urgent = AlertFactory(patient=clot, acknowledged=True)
    soon = AlertFactory(patient=chatty, worsening=True)
    AlertFactory(patient=quiet, resolved=True)
    MessageFactory.create_batch(2, link=links[chatty])
    MessageFactory(link=links[chatty], sender=physio)  # the physio's own: not unread
    # Someone else's patient's alert and messages are not this physio's day.
    stranger = PatientFactory(email="stranger@example.org")
    MessageFactory(link=care_link_create(physio=other_physio, patient=stranger))
    AlertFactory(patient=stranger)
    heavy = patient_with(physio, reduce=2)

    response = portal.get("/clinic/", {"q": "quiet"})  # the table is narrowed, not Today

    today = groups(response)
    assert [(e.email, e.level, e.acknowledged) for e in today["alerts"].entries] == [
        ("clot@example.org", "urgent", True),
        ("chatty@example.org", "soon", False),
    ]
    assert today["alerts"].entries[0].url == f"/clinic/patients/{clot.pk}/#alert-{urgent.pk}"
    assert today["alerts"].entries[1].url.endswith(f"#alert-{soon.pk}")
    assert [(e.email, e.text) for e in today["messages"].entries] == [
        ("chatty@example.org", "2 unread messages")
    ]
    assert [(e.email, e.text) for e in today["reduce"].entries] == [
        (heavy.email, "2 exercises to reduce")
    ]
    body = response.content.decode()
    assert (
        f'<a href="/clinic/patients/{chatty.pk}/messages/">chatty@example.org'
        '<span class="visually-hidden">: 2 unread messages</span></a>'
    ) in body
    assert "stranger@example.org" not in body
    assert [row.email for row in response.context["patients"]] == ["quiet@example.org"]


def test_an_empty_day_says_so_and_a_long_one_counts_the_rest(physio, portal):
    empty = groups(portal.get("/clinic/"))
    assert [(g.title, g.entries, g.none) for g in empty.values()] == [
        ("Alerts to resolve", [], "No alert waits."),
        ("Unread messages", [], "All messages read."),
        ("Questionnaires overdue", [], "No questionnaire overdue."),
        ("Suggestions to reduce load", [], "No suggestion to reduce."),
    ]
    for n in range(11):
        patient = PatientFactory(email=f"p{n:02}@example.org")
        care_link_create(physio=physio, patient=patient)
        AlertFactory(patient=patient)
    response = portal.get("/clinic/")
    alerts = groups(response)["alerts"]
    assert (len(alerts.entries), alerts.total, alerts.more) == (8, 11, 3)
    assert "and 3 more." in response.content.decode()


def test_htmx_updates_leave_today_alone(physio, portal, patient, linked):
    AlertFactory(patient=patient)
    body = portal.get("/clinic/", {"q": "o"}, headers={"HX-Request": "true"}).content.decode()
    assert "today-heading" not in body


def asked(physio, patient, *, started_days_ago: int, every_days: int = 7) -> OutcomeSchedule:
    """A questionnaire asked of a linked patient, started that many days ago."""
    version = InstrumentVersionFactory(title="Lower Extremity Functional Scale (LEFS)")
    return OutcomeScheduleFactory(
        patient=patient,
        physio=physio,
        instrument=version.instrument,
        every_days=every_days,
        starts_on=timezone.localdate() - dt.timedelta(days=started_days_ago),
    )


@pytest.mark.usefixtures("frozen_now")
def test_questionnaires_overdue_by_two_days_or_more_longest_first(physio, portal, other_physio):
    late, later, on_time, yesterday, ended, answered, stranger = (
        PatientFactory(email=f"{name}@example.org")
        for name in ("late", "later", "ontime", "yesterday", "ended", "answered", "stranger")
    )
    for patient in (late, later, on_time, yesterday, ended, answered):
        care_link_create(physio=physio, patient=patient)
    care_link_create(physio=other_physio, patient=stranger)
    asked(physio, late, started_days_ago=9)  # due 2 days ago (every 7 days)
    asked(physio, later, started_days_ago=5, every_days=30)  # due 5 days ago
    asked(physio, on_time, started_days_ago=0)  # due today
    asked(physio, yesterday, started_days_ago=1)  # due yesterday: not chased yet
    outcome_schedule_end(schedule=asked(physio, ended, started_days_ago=20), by=physio)
    OutcomeResponseFactory(schedule=asked(physio, answered, started_days_ago=3))
    asked(other_physio, stranger, started_days_ago=10)
    switched_off = asked(physio, PatientFactory(), started_days_ago=10)
    care_link_create(physio=physio, patient=switched_off.patient)
    switched_off.instrument.versions.update(enabled=False)

    overdue = groups(portal.get("/clinic/"))["questionnaires"]

    today = timezone.localdate()
    due = [today - dt.timedelta(days=n) for n in (5, 2)]
    assert [(e.email, e.text) for e in overdue.entries] == [
        ("later@example.org", f"LEFS due {due[0].day} {due[0]:%b}, 5 days overdue"),
        ("late@example.org", f"LEFS due {due[1].day} {due[1]:%b}, 2 days overdue"),
    ]
    assert overdue.entries[0].url == f"/clinic/patients/{later.pk}/outcomes/"

    # Answered (even late), the questionnaire leaves the list; the next one is not due yet.
    OutcomeResponseFactory(schedule=OutcomeSchedule.objects.get(patient=later))
    assert [e.email for e in groups(portal.get("/clinic/"))["questionnaires"].entries] == [
        "late@example.org"
    ]


@pytest.mark.usefixtures("frozen_now")
def test_the_overdue_list_costs_the_same_queries_for_1_or_5_questionnaires(physio, portal):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            portal.get("/clinic/")
        return len(queries.captured_queries)

    def add_late_patient() -> None:
        patient = PatientFactory()
        care_link_create(physio=physio, patient=patient)
        asked(physio, patient, started_days_ago=3)

    add_late_patient()
    one = count()
    for _ in range(4):
        add_late_patient()
    assert count() == one
    assert len(groups(portal.get("/clinic/"))["questionnaires"].entries) == 5


@pytest.mark.usefixtures("frozen_now")
def test_each_source_leaves_today_once_dealt_with_in_the_portal(physio, portal):
    """Resolving the alert, reading the messages, ending the overdue questionnaire and
    applying the suggestions, each through the portal, empties its group."""
    patient = PatientFactory(email="busy@example.org")
    link = care_link_create(physio=physio, patient=patient)
    alert = AlertFactory(patient=patient)
    messages = MessageFactory.create_batch(2, link=link)
    schedule = asked(physio, patient, started_days_ago=3)
    heavy = patient_with(physio, reduce=1)
    before = groups(portal.get("/clinic/"))
    assert {key: len(group.entries) for key, group in before.items()} == {
        "alerts": 1,
        "messages": 1,
        "questionnaires": 1,
        "reduce": 1,
    }

    base = f"/clinic/patients/{patient.pk}"
    assert portal.post(f"{base}/alerts/{alert.pk}/resolve/", {"note": ""}).status_code == 302
    read = portal.post(f"{base}/messages/read/", {"up_to": str(messages[-1].pk)})
    assert read.status_code in (200, 302)
    ended = portal.post(f"{base}/outcomes/schedules/{schedule.pk}/end/")
    assert ended.status_code == 302
    item = heavy.exercise_plans.get().items.get()
    applied = portal.post(
        f"/clinic/patients/{heavy.pk}/guidance/{item.pk}/apply/",
        {"expected_suggestion": "reduce", "dosage_version": str(item.dosage_version)},
    )
    assert applied.status_code == 302

    after = groups(portal.get("/clinic/"))
    assert {key: group.entries for key, group in after.items()} == {key: [] for key in before}


@pytest.mark.usefixtures("frozen_now")
@pytest.mark.parametrize(
    ("language", "overdue", "alert"),
    [
        pytest.param("en", ": LEFS due ", ": red flag</span>", id="english"),
        pytest.param("es", ": LEFS, para el ", ": señal de alarma</span>", id="spanish"),
    ],
)
def test_the_links_hidden_words_keep_an_instruments_case(physio, portal, language, overdue, alert):
    """A screen reader hears "late: LEFS due 4 Dec, 2 days overdue", the instrument's
    published short name; only an alert's kind is said in lower case after the colon."""
    physio.language = language
    physio.save(update_fields=["language"])
    late = PatientFactory(email="late@example.org")
    care_link_create(physio=physio, patient=late)
    asked(physio, late, started_days_ago=9)
    AlertFactory(patient=late)

    body = portal.get("/clinic/").content.decode()

    assert f'<span class="visually-hidden">{overdue}' in body
    assert alert in body
    assert "lefs" not in body

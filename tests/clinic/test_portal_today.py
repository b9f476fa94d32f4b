"""The caseload's Today list: unresolved alerts (most urgent first, acknowledged ones
still there), unread messages and suggestions to reduce load, across every patient, each a
link to where it is dealt with; the search and filter narrow the table, not the list."""

import pytest

from apps.accounts.services import care_link_create
from tests.factories import AlertFactory, MessageFactory, PatientFactory
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

"""Alerts on the patient's overview: most severe first then newest, an acknowledged one
marked and kept in its place, each with when the patient recorded it, its signs, the
patient's note and the figures behind it, and resolved with a note kept in its history."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.alerts.models import Alert, AlertEvent
from tests.factories import AlertFactory, SymptomLogFactory
from tests.factories.outcomes import InstrumentVersionFactory

pytestmark = pytest.mark.django_db


def overview(portal, patient) -> str:
    response = portal.get(f"/clinic/patients/{patient.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def alert_ids_in_order(body: str) -> list[str]:
    return re.findall(r'<li class="alert [^"]*" id="alert-([0-9a-f-]+)"', body)


def test_alerts_are_ranked_by_severity_then_time_and_acknowledging_keeps_the_rank(
    portal, physio, patient, linked
):
    """Listed by time, "Soon" stood above "Urgent"; acknowledged, an emergency sank."""
    now = timezone.now()
    emergency = AlertFactory(patient=patient, acknowledged=True, level="emergency")
    urgent = AlertFactory(patient=patient)
    soon = AlertFactory(patient=patient, worsening=True)
    for alert, hours in ((emergency, 30), (urgent, 20), (soon, 1)):
        Alert.objects.filter(pk=alert.pk).update(created_at=now - dt.timedelta(hours=hours))
    older_urgent = AlertFactory(patient=patient)
    Alert.objects.filter(pk=older_urgent.pk).update(created_at=now - dt.timedelta(hours=40))

    body = overview(portal, patient)

    assert alert_ids_in_order(body) == [
        str(emergency.pk),
        str(urgent.pk),
        str(older_urgent.pk),
        str(soon.pk),
    ]
    head = body[body.index(f'id="alert-{emergency.pk}"') :]
    assert head.startswith(f'id="alert-{emergency.pk}" aria-labelledby')
    assert "acknowledged, not resolved" in head[: head.index("</h3>")]
    assert f"Status: <strong>Acknowledged</strong> by {emergency.acknowledged_by.email}" in head


def test_an_alert_says_when_the_patient_recorded_it_its_signs_note_and_figures(
    portal, patient, linked
):
    """A red flag synced from offline said when it was raised, not when it was recorded;
    nothing linked to the log or the patient's note."""
    recorded = timezone.now() - dt.timedelta(hours=3)
    log = SymptomLogFactory(
        patient=patient,
        recorded_at=recorded,
        pain_score=7,
        locations=["calf"],
        redness=True,
        warmth=True,
        swelling="significant",
        note="Calf hot and tight since the flight.",
    )
    alert = AlertFactory(patient=patient, symptom_log=log)

    body = overview(portal, patient)
    card = body[body.index(f'id="alert-{alert.pk}"') :]
    card = card[: card.index("</li>\n")]

    local = timezone.localtime(recorded)
    assert (
        f'<dt>Recorded by the patient</dt><dd><time datetime="{local.isoformat()}">'
        f"{local:%-d %b %Y, %H:%M}</time>"
    ) in card
    assert "(the log reached us 3\xa0hours after it was recorded)" in card
    for sign in ("Possible blood clot", "Swelling: significant", "Redness", "Warmth"):
        assert sign in card, sign
    assert "<li>Pain 7/10</li>" in card
    assert "Calf hot and tight since the flight." in card
    assert f'/clinic/patients/{patient.pk}/diary/?log={log.pk}#log-{log.pk}"' in card


def test_a_worsening_alert_shows_the_score_that_moved(portal, patient, linked):
    InstrumentVersionFactory(
        instrument__code="lefs", title="Lower Extremity Functional Scale (LEFS)"
    )
    AlertFactory(
        patient=patient,
        worsening=True,
        codes=["lefs_worsened"],
        details={"lefs_worsened": {"instrument": "lefs", "baseline": 50.0, "score": 38.0}},
    )
    body = overview(portal, patient)
    assert "<li>LEFS 50 → 38</li>" in body
    assert "lefs_worsened" not in body


def test_resolving_keeps_the_note_on_the_alert_and_in_its_history(portal, physio, patient, linked):
    alert = AlertFactory(patient=patient)
    url = f"/clinic/patients/{patient.pk}/alerts/{alert.pk}/resolve/"

    response = portal.post(
        url, {"note": "Phoned: sent to the DVT clinic today."}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    alert.refresh_from_db()
    assert (alert.status, alert.resolved_by, alert.resolution_note) == (
        "resolved",
        physio,
        "Phoned: sent to the DVT clinic today.",
    )
    event = AlertEvent.objects.get(alert=alert, action="resolved")
    assert event.details == {"note": "Phoned: sent to the DVT clinic today."}
    body = response.content.decode()
    assert "What was done: Phoned: sent to the DVT clinic today." in body
    assert "Resolved by physio@example.org: “Phoned: sent to the DVT clinic today.”" in body
    # The overview keeps the recently resolved ones, with their notes, apart.
    page = overview(portal, patient)
    resolved = page[page.index("Recently resolved (1)") :]
    assert "What was done: Phoned: sent to the DVT clinic today." in resolved
    assert "No open or acknowledged alerts." in page

    again = portal.post(url, {"note": "Twice"}, headers={"HX-Request": "true"})
    assert again.status_code == 409
    assert "already resolved" in again.content.decode()
    alert.refresh_from_db()
    assert alert.resolution_note == "Phoned: sent to the DVT clinic today."


def test_a_note_too_long_is_refused_and_nothing_changes(portal, patient, linked):
    alert = AlertFactory(patient=patient)
    response = portal.post(
        f"/clinic/patients/{patient.pk}/alerts/{alert.pk}/resolve/",
        {"note": "x" * 2001},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ensure this value has at most 2000 characters" in body
    assert 'aria-invalid="true"' in body
    alert.refresh_from_db()
    assert (alert.status, alert.resolution_note) == ("open", "")
    assert not AlertEvent.objects.filter(alert=alert, action="resolved").exists()


def test_without_htmx_a_refusal_comes_back_on_the_overview(portal, patient, linked):
    alert = AlertFactory(patient=patient, resolved=True)
    response = portal.post(
        f"/clinic/patients/{patient.pk}/alerts/{alert.pk}/resolve/", {"note": ""}, follow=True
    )
    assert response.redirect_chain == [(f"/clinic/patients/{patient.pk}/#alert-{alert.pk}", 302)]
    assert "This alert is already resolved." in response.content.decode()


def test_the_overview_reads_alerts_in_a_fixed_number_of_queries(portal, patient, linked):
    AlertFactory(patient=patient)
    AlertFactory(patient=patient, resolved=True)
    portal.get(f"/clinic/patients/{patient.pk}/")
    with CaptureQueriesContext(connection) as few:
        overview(portal, patient)
    for _ in range(8):
        AlertFactory(patient=patient, acknowledged=True)
        AlertFactory(patient=patient, resolved=True)
    with CaptureQueriesContext(connection) as many:
        overview(portal, patient)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_overview_counts_acknowledged_alerts_as_still_to_resolve(portal, patient, linked):
    AlertFactory(patient=patient, acknowledged=True)
    body = overview(portal, patient)
    assert "<dt>Alerts to resolve</dt><dd>1</dd>" in body

"""The symptom diary tab: each log with its signs and the patient's note, newest first,
paginated, filtered by triage level; an alert links to its log's page."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import PatientAccessAudit
from tests.factories import AlertFactory, SymptomLogFactory

pytestmark = pytest.mark.django_db


def diary(portal, patient, **params):
    response = portal.get(f"/clinic/patients/{patient.pk}/diary/", params)
    assert response.status_code == 200
    return response


def shown(response) -> list:
    return [entry.log.pk for entry in response.context["entries"]]


def logs_of(patient, count: int, **fields) -> list:
    now = timezone.now()
    return [
        SymptomLogFactory(patient=patient, recorded_at=now - dt.timedelta(hours=n), **fields)
        for n in range(count)
    ]


def test_each_log_with_its_signs_and_note_newest_first(portal, physio, patient, linked):
    older = SymptomLogFactory(
        patient=patient,
        recorded_at=timezone.now() - dt.timedelta(days=2),
        pain_score=3,
        locations=["front_of_knee"],
        qualities=["aching"],
        triggers=["stairs"],
    )
    newer = SymptomLogFactory(
        patient=patient,
        recorded_at=timezone.now() - dt.timedelta(hours=1),
        pain_score=7,
        side="left",
        locations=["calf"],
        qualities=["throbbing"],
        triggers=["walking"],
        redness=True,
        warmth=True,
        swelling="significant",
        note="Hot and swollen after the flight.",
    )
    alert = AlertFactory(patient=patient, symptom_log=newer)

    response = diary(portal, patient)

    assert shown(response) == [newer.pk, older.pk]
    body = response.content.decode()
    card = body[body.index(f'id="log-{newer.pk}"') : body.index(f'id="log-{older.pk}"')]
    assert "Pain <strong>7</strong>/10" in card
    assert '<span class="badge level-urgent">Urgent</span>' in card
    assert "Possible blood clot" in card
    assert "<dd>Calf (left)</dd>" in card
    assert "<dd>Throbbing</dd>" in card
    assert "<dd>Walking</dd>" in card
    assert "<dd>Swelling: significant, Redness, Warmth</dd>" in card
    assert "Hot and swollen after the flight." in card
    assert f'href="/clinic/patients/{patient.pk}/#alert-{alert.pk}"' in card
    assert "Signs</dt><dd>None reported</dd>" in body[body.index(f'id="log-{older.pk}"') :]
    # Times are the patient's own (London), as the page says.
    local = newer.recorded_at.astimezone(patient.zone)
    assert f'<time datetime="{local.isoformat()}">' in card
    assert "Times are the patient's (Europe/London)." in body
    # Codes are shown as words.
    assert "front_of_knee" not in body
    assert "possible_dvt" not in body
    assert PatientAccessAudit.objects.filter(
        physio=physio, patient=patient, what="portal.diary"
    ).exists()


def test_the_diary_is_paginated_and_costs_the_same_queries_per_page(portal, patient, linked):
    logs = logs_of(patient, 45)
    first = diary(portal, patient)
    assert shown(first) == [log.pk for log in logs[:20]]
    body = first.content.decode()
    assert "45 logs; page 1 of 3." in body
    assert '<a href="?page=2" rel="next">Older logs</a>' in body
    assert 'rel="prev"' not in body

    last = diary(portal, patient, page=3)
    assert shown(last) == [log.pk for log in logs[40:]]
    assert '<a href="?page=2" rel="prev">Newer logs</a>' in last.content.decode()
    # A page past the end shows the last one; a page that is not a number the first.
    assert shown(diary(portal, patient, page=99)) == shown(last)
    assert shown(diary(portal, patient, page="x")) == shown(first)

    for log in logs[:20]:
        AlertFactory(patient=patient, symptom_log=log)
    with CaptureQueriesContext(connection) as with_alerts:
        diary(portal, patient)
    with CaptureQueriesContext(connection) as without:
        diary(portal, patient, page=3)
    assert len(with_alerts.captured_queries) == len(without.captured_queries)


def test_the_diary_filters_by_level_and_keeps_the_filter_across_pages(portal, patient, linked):
    calm = logs_of(patient, 3)
    urgent = logs_of(patient, 22, fever=True)  # triaged urgent: possible infection
    assert {log.triage_level for log in urgent} == {"urgent"}

    response = diary(portal, patient, level="urgent")
    assert set(shown(response)) <= {log.pk for log in urgent}
    assert len(shown(response)) == 20
    body = response.content.decode()
    assert "22 logs triaged urgent; page 1 of 2." in body
    assert '<a href="?level=urgent&amp;page=2" rel="next">' in body
    assert 'id="level-urgent" checked' in body

    both = diary(portal, patient, level=["urgent", "self_care"], page=2)
    assert len(shown(both)) == 5
    assert "25 logs triaged urgent or self-care; page 2 of 2." in both.content.decode()
    none = diary(portal, patient, level="emergency")
    assert shown(none) == []
    assert "No logs at these levels." in none.content.decode()
    # An unknown level is ignored: every log.
    assert len(diary(portal, patient, level="bogus").context["page"].paginator.object_list) == 25
    assert calm


def test_an_alerts_log_opens_on_the_page_that_holds_it(portal, patient, linked, other_patient):
    logs = logs_of(patient, 30)
    response = diary(portal, patient, log=str(logs[25].pk))
    assert response.context["page"].number == 2
    assert logs[25].pk in shown(response)
    # Another patient's log, or a malformed id, opens the first page.
    stranger = SymptomLogFactory(patient=other_patient)
    assert diary(portal, patient, log=str(stranger.pk)).context["page"].number == 1
    assert diary(portal, patient, log="nope").context["page"].number == 1
    assert str(stranger.pk) not in diary(portal, patient, log=str(stranger.pk)).content.decode()


def test_htmx_gets_only_the_list(portal, patient, linked):
    logs_of(patient, 2)
    body = portal.get(
        f"/clinic/patients/{patient.pk}/diary/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in body
    assert re.search(r'<ol class="diary">', body)

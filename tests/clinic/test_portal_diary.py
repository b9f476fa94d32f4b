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
    assert "There is no page" not in last.content.decode()

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


UNKNOWN_LEVEL = "A level that does not exist was left out of the filter."


@pytest.mark.parametrize(
    ("levels", "count"),
    [
        (["bogus"], 25),  # nothing known left: every log
        (["urgent", "bogus"], 22),  # the known level still filters
        (["URGENT"], 25),  # levels are codes, not words: case matters
        (["<script>"], 25),
    ],
)
def test_an_unknown_level_is_left_out_and_the_page_says_so(portal, patient, linked, levels, count):
    logs_of(patient, 3)
    logs_of(patient, 22, fever=True)
    response = diary(portal, patient, level=levels)
    assert response.context["page"].paginator.count == count
    body = response.content.decode()
    assert f'<p class="notice warning" role="alert">{UNKNOWN_LEVEL}</p>' in body
    assert ('id="level-urgent" checked' in body) == ("urgent" in levels)
    assert "script&gt;" not in body  # what was asked is not echoed
    assert UNKNOWN_LEVEL not in diary(portal, patient, level="urgent").content.decode()


@pytest.mark.parametrize(
    ("page", "number", "notice"),
    [
        ("1", 1, ""),
        ("3", 3, ""),  # the last page, exactly: 5 logs
        ("4", 3, "There is no page 4: showing the last page."),
        ("99999999999", 3, "There is no page 99999999999: showing the last page."),
        ("0", 1, "That page does not exist: showing the first page."),
        ("-1", 1, "That page does not exist: showing the first page."),
        ("x", 1, "That page does not exist: showing the first page."),
        ("2.5", 1, "That page does not exist: showing the first page."),
        ("", 1, ""),
    ],
)
def test_pagination_edges(portal, patient, linked, page, number, notice):
    logs = logs_of(patient, 45)
    response = diary(portal, patient, page=page)
    assert response.context["page"].number == number
    assert len(shown(response)) == (5 if number == 3 else 20)
    assert shown(response)[0] == logs[(number - 1) * 20].pk
    body = response.content.decode()
    if notice:
        assert f'<p class="notice warning" role="alert">{notice}</p>' in body
    else:
        assert 'role="alert"' not in body


def test_exactly_one_page_has_no_pager_and_one_more_log_makes_two(portal, patient, linked):
    logs_of(patient, 20)
    body = diary(portal, patient).content.decode()
    assert "20 logs." in body
    assert 'aria-label="Diary pages"' not in body
    SymptomLogFactory(patient=patient, recorded_at=timezone.now() - dt.timedelta(days=30))
    body = diary(portal, patient).content.decode()
    assert "21 logs; page 1 of 2." in body
    assert '<a href="?page=2" rel="next">Older logs</a>' in body
    assert len(shown(diary(portal, patient, page=2))) == 1


def test_an_empty_diary_says_so_on_any_page(portal, patient, linked):
    for page in ("1", "2"):
        body = diary(portal, patient, page=page).content.decode()
        assert "0 logs." in body
        assert "<p>No logs.</p>" in body

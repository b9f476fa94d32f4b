"""`GET me/export/` against the published schema (docs/openapi.yaml, `Export`): every
kind of record the patient owns, as the apps' `export_for` really read it, is described
field by field, and a column the schema does not name is a violation."""

import datetime as dt
import json

import pytest
from django.http import HttpResponse

from apps.accounts.services import patient_access_record
from apps.interop.serializers import ExportSerializer
from apps.notifications.reminders import reminder_settings_update
from tests.conftest import client_for
from tests.schema_conformance import answer_problems
from tests.seed import seed_state

URL = "/api/v1/me/export/"


@pytest.fixture
def exported(db) -> dict:
    seeded = seed_state()
    # What the seed leaves at its default: a physio's read, the patient's own settings.
    patient_access_record(physio=seeded.physio, patients=[seeded.patient], what="patients.summary")
    reminder_settings_update(user=seeded.patient, checkin_time=dt.time(8, 30))
    response = client_for(seeded.patient).get(URL)
    assert response.status_code == 200
    return {"response": response, "document": response.json()}


def test_every_kind_of_record_in_the_export_is_as_the_schema_says(exported):
    document = exported["document"]
    # Not a vacuous pass: every section the schema names is there, and holds a record.
    assert set(document) == set(ExportSerializer().fields)
    empty = [name for name, rows in document.items() if isinstance(rows, list) and not rows]
    assert empty == []
    assert document["reminder_settings"] is not None
    assert {episode["report"] is None for episode in document["episodes"]} == {True, False}

    assert answer_problems(URL, URL, exported["response"]) == []


@pytest.mark.parametrize(
    ("section", "change"),
    [
        pytest.param("symptom_logs", {"mood": "fine"}, id="a_column_the_schema_does_not_name"),
        pytest.param("plan_items", {"days_of_week": ["monday"]}, id="days_as_names"),
        pytest.param("messages", {"sender": "robot"}, id="a_sender_outside_the_enum"),
        pytest.param("alerts", {"details": {"adherence": 0.2}}, id="alert_details_unnamed"),
        pytest.param("goals", {"target": "60"}, id="a_number_as_text"),
    ],
)
def test_the_published_schema_refuses_rows_it_does_not_describe(exported, section, change):
    document = exported["document"]
    document[section][0].update(change)
    forged = HttpResponse(json.dumps(document), content_type="application/json")

    assert answer_problems(URL, URL, forged) != []


def test_a_report_frozen_before_reports_named_the_clinic_is_exported_with_it(db):
    from apps.episodes.models import Episode

    seeded = seed_state()
    episode = Episode.objects.filter(patient=seeded.patient, report__isnull=False).first()
    older = {**episode.report, "episode": dict(episode.report["episode"])}
    del older["episode"]["clinic"]
    Episode.objects.filter(pk=episode.pk).update(report=older)

    response = client_for(seeded.patient).get(URL)

    (exported,) = [row for row in response.json()["episodes"] if row["id"] == str(episode.id)]
    assert exported["report"]["episode"]["clinic"] == {
        "id": str(episode.clinic_id),
        "name": episode.clinic.name,
    }
    assert "clinic__id" not in exported
    assert answer_problems(URL, URL, response) == []

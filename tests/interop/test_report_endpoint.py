"""GET episodes/{id}/report/: JSON by default, a PDF for `Accept: application/pdf` or
`?format=pdf`; errors always in the JSON envelope; a physio's read audited.

The first tests stand apps.review's two functions in with a report dict (the format
negotiation, headers and audit are this view's); the last ones run the real episode
through them (who may read which episode is apps.review's selector)."""

import io
import uuid

import pypdf
import pytest
from django.http import Http404

pytest.importorskip("apps.review")

from apps.accounts.models import PatientAccessAudit
from apps.interop import report_views
from tests.conftest import client_for
from tests.factories import EditorFactory, PatientFactory, PhysioFactory
from tests.factories.report_dicts import episode_report_dict

pytestmark = pytest.mark.django_db


def url(episode_id, query=""):
    return f"/api/v1/episodes/{episode_id}/report/{query}"


@pytest.fixture
def people():
    return {"patient": PatientFactory(), "physio": PhysioFactory()}


@pytest.fixture
def stood_in(monkeypatch, people):
    """apps.review's selector and report, stood in: the episode `known` is readable by
    the patient and the physio of `people`, any other id is a 404."""
    known = uuid.uuid4()
    report = episode_report_dict()
    report["episode"]["id"] = str(known)
    report["episode"]["patient"] = {"id": str(people["patient"].id), "email": "p@example.org"}
    report["episode"]["physio"] = {"id": str(people["physio"].id), "email": "f@example.org"}
    calls = []

    def episode_for_report(*, user, episode_id):
        calls.append((user, episode_id))
        if episode_id != known or user not in people.values():
            raise Http404
        return object()

    monkeypatch.setattr(report_views, "episode_for_report", episode_for_report)
    monkeypatch.setattr(report_views, "episode_report", lambda episode: report)
    return {"id": known, "report": report, "calls": calls}


def pdf_text(content: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_json_by_default_for_the_patient_unaudited(people, stood_in):
    response = client_for(people["patient"]).get(url(stood_in["id"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == stood_in["report"]
    assert response["Cache-Control"] == "no-store"
    assert "Accept" in response["Vary"]
    assert "Content-Disposition" not in response
    assert stood_in["calls"] == [(people["patient"], stood_in["id"])]
    assert not PatientAccessAudit.objects.exists()


@pytest.mark.parametrize(
    ("headers", "query"),
    [({"HTTP_ACCEPT": "application/pdf"}, ""), ({}, "?format=pdf")],
    ids=["accept", "format"],
)
def test_a_pdf_when_asked_as_an_attachment_named_by_the_id_only(people, stood_in, headers, query):
    response = client_for(people["patient"]).get(url(stood_in["id"], query), **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == (
        f'attachment; filename="episode-{stood_in["id"]}-report.pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    text = pdf_text(response.content)
    assert "Discharge report" in text
    assert "6.03 3.24 -2.79 2 Improved" in text


@pytest.mark.parametrize("accept", ["*/*", "application/json, application/pdf"])
def test_json_wins_when_the_client_takes_either(people, stood_in, accept):
    response = client_for(people["patient"]).get(url(stood_in["id"]), HTTP_ACCEPT=accept)
    assert response["Content-Type"] == "application/json"


def test_a_physio_read_is_audited_for_the_episode_patient(people, stood_in):
    response = client_for(people["physio"]).get(url(stood_in["id"], "?format=pdf"))
    assert response.status_code == 200
    assert list(PatientAccessAudit.objects.values_list("physio", "patient", "what")) == [
        (people["physio"].id, people["patient"].id, "episodes.report")
    ]


@pytest.mark.parametrize(
    ("headers", "query"),
    [({}, ""), ({"HTTP_ACCEPT": "application/pdf"}, ""), ({}, "?format=pdf")],
    ids=["json", "accept-pdf", "format-pdf"],
)
def test_someone_else_s_episode_is_a_404_in_json_and_unaudited(stood_in, headers, query):
    stranger = PhysioFactory()
    response = client_for(stranger).get(url(stood_in["id"], query), **headers)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "not_found"
    assert "Content-Disposition" not in response
    assert not PatientAccessAudit.objects.exists()


def test_an_unknown_id_is_a_404(people, stood_in):
    response = client_for(people["physio"]).get(url(uuid.uuid4(), "?format=pdf"))
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"
    assert not PatientAccessAudit.objects.exists()


def test_a_format_it_cannot_give_is_refused_in_json(people, stood_in):
    response = client_for(people["patient"]).get(url(stood_in["id"]), HTTP_ACCEPT="text/csv")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "not_acceptable"
    response = client_for(people["patient"]).get(url(stood_in["id"], "?format=csv"))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert stood_in["calls"] == []  # refused before any episode was read


def test_editors_and_anonymous_callers_never_reach_an_episode(stood_in):
    from rest_framework.test import APIClient

    assert client_for(EditorFactory()).get(url(stood_in["id"])).status_code == 403
    assert APIClient().get(url(stood_in["id"], "?format=pdf")).status_code == 401
    assert stood_in["calls"] == []

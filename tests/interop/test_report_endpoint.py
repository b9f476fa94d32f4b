"""GET episodes/{id}/report/: JSON by default, a PDF for `Accept: application/pdf` or
`?format=pdf`; errors always in the JSON envelope; a physio's read audited.

The first tests stand apps.episode_lifecycle's two functions in with a report dict (the format
negotiation, headers and audit are this view's); the last ones run the real episode
through them (who may read which episode is apps.episode_lifecycle's selector)."""

import datetime as dt
import io
import uuid

import pypdf
import pytest

pytest.importorskip("apps.episode_lifecycle")

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
    """apps.episode_lifecycle's selector and report, stood in: the episode `known` is readable by
    the patient and the physio of `people`, any other id is a 404."""
    known = uuid.uuid4()
    report = episode_report_dict()
    report["episode"]["id"] = str(known)
    report["episode"]["patient"] = {"id": str(people["patient"].id), "email": "p@example.org"}
    report["episode"]["physio"] = {"id": str(people["physio"].id), "email": "f@example.org"}
    calls = []

    def episode_for(*, user, episode_id):
        calls.append((user, episode_id))
        if episode_id != known or user not in people.values():
            return None
        return object()

    monkeypatch.setattr(report_views, "episode_for", episode_for)
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


# --- A real episode through apps.episode_lifecycle ----------------------------------------------------


@pytest.fixture
def episode(frozen_now, patient, physio):
    """A 20-day episode of the linked physio: pain logged every day, easing from 6 to 2,
    one red-flag log on day 3."""
    from apps.accounts.services import care_link_create
    from apps.episodes.services import episode_open
    from tests.factories import SymptomLogFactory

    care_link_create(physio=physio, patient=patient)
    today = frozen_now.date()
    episode = episode_open(
        physio=physio,
        patient=patient,
        title="Left knee",
        started_on=today - dt.timedelta(days=19),
    )
    for day in range(20):
        SymptomLogFactory(
            patient=patient,
            recorded_at=frozen_now - dt.timedelta(days=19 - day, hours=1),
            pain_score=6 - day // 5,
            **({"saddle_numbness": True} if day == 3 else {}),
        )
    return episode


def test_the_real_report_as_json_and_as_pdf(patient, episode):
    client = client_for(patient)
    report = client.get(url(episode.id)).json()
    assert report["episode"]["id"] == str(episode.id)
    assert report["final"] is False
    assert report["pain"]["first_7_days_mean"] == 5.71  # 6 ×5, 5 ×2
    assert report["pain"]["last_7_days_mean"] == 3.29  # 4 ×2, 3 ×5
    assert len(report["pain"]["series"]) == 20
    assert [day["red_flag"] for day in report["pain"]["series"]].count(True) == 1

    response = client.get(url(episode.id, "?format=pdf"))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Progress report Left knee" in text
    assert "5.71 3.29 -2.42 2 Improved" in text
    assert "No outcome measures were completed in this episode." in text


def test_the_report_names_the_clinic_that_owns_the_episode(db, patient, frozen_now):
    """The episode's clinic, not the test clinic every factory physio joins: a physio of
    another clinic opens it, and the JSON and the PDF name that clinic."""
    from apps.accounts.services import care_link_create
    from apps.episodes.services import episode_open
    from tests.factories import ClinicFactory, PhysioFactory

    clinic = ClinicFactory(name="Клиника Ωμέγα Norte")
    physio = PhysioFactory(clinic=clinic)
    care_link_create(physio=physio, patient=patient)
    episode = episode_open(
        physio=physio, patient=patient, title="Right calf", started_on=frozen_now.date()
    )

    for reader in (patient, physio):
        report = client_for(reader).get(url(episode.id)).json()
        assert report["episode"]["clinic"] == {"id": str(clinic.id), "name": clinic.name}
        text = pdf_text(client_for(reader).get(url(episode.id, "?format=pdf")).content)
        assert "Clinic Клиника Ωμέγα Norte" in text


def test_a_report_frozen_before_reports_named_the_clinic_gets_the_episodes(
    patient, physio, episode
):
    from apps.episode_lifecycle.services import episode_discharge

    episode_discharge(episode=episode, by=physio, note="")
    episode.refresh_from_db()
    assert episode.report["episode"]["clinic"]["name"] == "Riverside Physiotherapy"
    older = {**episode.report, "episode": dict(episode.report["episode"])}
    del older["episode"]["clinic"]
    type(episode).objects.filter(pk=episode.pk).update(report=older)

    report = client_for(patient).get(url(episode.id)).json()

    assert report["episode"]["clinic"] == {
        "id": str(episode.clinic_id),
        "name": "Riverside Physiotherapy",
    }
    assert {k: v for k, v in report.items() if k != "episode"} == {
        k: v for k, v in older.items() if k != "episode"
    }


def test_the_real_report_for_physios_linked_or_not(physio, other_physio, other_patient, episode):
    assert client_for(physio).get(url(episode.id, "?format=pdf")).status_code == 200
    assert list(PatientAccessAudit.objects.values_list("physio", "patient", "what")) == [
        (physio.id, episode.patient_id, "episodes.report")
    ]
    for outsider in (other_physio, other_patient):
        response = client_for(outsider).get(url(episode.id, "?format=pdf"))
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
    assert PatientAccessAudit.objects.count() == 1


def test_a_discharged_episode_s_report_is_the_one_frozen_at_discharge(
    patient, physio, episode, time_machine
):
    from apps.episode_lifecycle.services import episode_discharge

    episode_discharge(episode=episode, by=physio, note="Back to running & stairs.")
    episode.refresh_from_db()
    time_machine.shift(dt.timedelta(days=3))  # later logs and the clock change nothing
    from tests.factories import SymptomLogFactory

    SymptomLogFactory(patient=patient, pain_score=9)

    client = client_for(patient)
    assert client.get(url(episode.id)).json() == episode.report
    text = pdf_text(client.get(url(episode.id), HTTP_ACCEPT="application/pdf").content)
    assert "Discharge report Left knee" in text
    assert "Physiotherapist's note Back to running & stairs." in text


def test_the_queries_do_not_grow_with_the_episode(patient, physio, episode, frozen_now):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import GoalFactory, SymptomLogFactory

    client = client_for(physio)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(episode.id, "?format=pdf")).status_code == 200
        return len(captured.captured_queries)

    GoalFactory(episode=episode)
    before = queries()
    for day in range(10):
        SymptomLogFactory(patient=patient, recorded_at=frozen_now - dt.timedelta(days=day))
    GoalFactory(episode=episode, description="Walk 30 minutes")
    assert queries() == before


def test_the_pdf_is_in_the_language_of_the_physio_who_asks(physio, episode):
    physio.language = "es"
    physio.save(update_fields=["language"])

    response = client_for(physio).get(url(episode.id, "?format=pdf"))

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Informe de evolución Left knee" in text
    assert "5.71 3.29 -2.42 2 Mejoría" in text
    assert "Progress report" not in text
    # The patient, who reads English, gets the same episode in English.
    english = pdf_text(client_for(episode.patient).get(url(episode.id, "?format=pdf")).content)
    assert "Progress report Left knee" in english

"""The care team sees a patient's display name instead of the e-mail (the e-mail when the
patient set none): the caseload API, the portal, messages, reports and the PDF."""

from io import BytesIO

import pytest
from pypdf import PdfReader

from apps.accounts.services import user_profile_update
from apps.episodes.services import episode_open
from tests.conftest import client_for

from .conftest import portal_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(patient, linked):
    return user_profile_update(user=patient, display_name="Jane Q. Patient")


def test_the_patient_sets_a_display_name_of_1_to_80_characters(patient_client, patient):
    ok = patient_client.patch("/api/v1/me/", {"display_name": "  Jane  "}, format="json")
    assert ok.status_code == 200
    assert ok.json()["display_name"] == "Jane"

    for bad, code in (
        ("", "blank"),
        ("x" * 81, "max_length"),
        ("a\nb", "invalid_display_name"),
        (7, "invalid"),
    ):
        response = patient_client.patch("/api/v1/me/", {"display_name": bad}, format="json")
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["code"] == code
    patient.refresh_from_db()
    assert patient.display_name == "Jane"


def test_the_language_is_one_of_the_supported(patient_client, patient):
    assert (
        patient_client.patch("/api/v1/me/", {"language": "es"}, format="json").json()["language"]
        == "es"
    )
    refused = patient_client.patch("/api/v1/me/", {"language": "de"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "invalid_choice"
    patient.refresh_from_db()
    assert patient.language == "es"


def test_the_caseload_api_and_care_team_show_the_display_name(named, physio, patient):
    physio_client = client_for(physio)

    row = physio_client.get("/api/v1/patients/").json()["results"][0]
    summary = physio_client.get(f"/api/v1/patients/{patient.id}/summary/").json()
    link = physio_client.get("/api/v1/care-team/").json()["results"][0]

    assert row["display_name"] == summary["display_name"] == "Jane Q. Patient"
    assert link["patient"]["display_name"] == "Jane Q. Patient"


def test_the_portal_shows_and_finds_the_display_name(named, physio, patient):
    portal = portal_client_for(physio)

    caseload = portal.get("/clinic/").content.decode()
    page = portal.get(f"/clinic/patients/{patient.pk}/").content.decode()
    messages = portal.get(f"/clinic/patients/{patient.pk}/messages/").content.decode()
    found = portal.get("/clinic/?q=q.+pat").content.decode()

    assert "Jane Q. Patient" in caseload
    assert "<h1>Jane Q. Patient</h1>" in page
    assert "Jane Q. Patient" in messages
    assert "Jane Q. Patient" in found


def test_the_report_and_its_pdf_name_the_patient_by_display_name(named, physio, patient):
    episode = episode_open(physio=physio, patient=patient, title="Knee")
    client = client_for(physio)

    report = client.get(f"/api/v1/episodes/{episode.id}/report/").json()
    pdf = client.get(f"/api/v1/episodes/{episode.id}/report/?format=pdf")

    assert report["episode"]["patient"]["display_name"] == "Jane Q. Patient"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert "Jane Q. Patient" in text

"""`GET plans/{id}/handout/`: the plan as a printable PDF, read back with pypdf: every
item's first picture (an image object), steps, dosage, days, pain limit and notes."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pypdf import PdfReader

from apps.content.services import media_renditions_make
from apps.interop.handout_pdf import Handout, HandoutItem, render_handout_pdf
from tests.conftest import client_for
from tests.factories import EditorFactory
from tests.media import picture

pytestmark = pytest.mark.usefixtures("frozen_now")


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # lines wrap where the page width says


def image_count(data: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def plan_with_a_picture(make_plan, exercise, media_store):
    editor = client_for(EditorFactory())
    created = editor.post(
        f"/api/v1/exercises/{exercise.slug}/media/",
        {
            "file": SimpleUploadedFile("x.jpg", picture((900, 600)), content_type="image/jpeg"),
            "alt_text": "Hands on the wall, back leg straight.",
        },
        format="multipart",
    )
    assert created.status_code == 201, created.content
    media_renditions_make(media_id=created.json()["id"])
    plan = make_plan()
    plan.items.filter(exercise=exercise).update(notes="Keep the back heel down.")
    return plan


@pytest.mark.parametrize("who", ["patient", "physio"])
def test_the_handout_prints_every_item_with_its_picture(plan_with_a_picture, who, request):
    client = client_for(request.getfixturevalue(who))

    response = client.get(f"/api/v1/plans/{plan_with_a_picture.id}/handout/")

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Language"] == "en"
    assert f"plan-{plan_with_a_picture.id}-handout.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    for expected in (
        "Your exercise plan",
        plan_with_a_picture.title,
        "1. Wall calf stretch",
        "2. Quad sets",
        "Stand facing a wall.",
        "Keep the back heel down.",
        "Hands on the wall, back leg straight.",
        "Pain limit",
        # The clinic of the plan's episode (the prescribing physio's): the test clinic.
        "Clinic: Riverside Physiotherapy",
        "hold 30 seconds",
        "10 repetitions",
    ):
        assert expected in text, expected
    # The first exercise has a picture; the second says it has none yet.
    assert image_count(response.content) == 1
    assert "No picture yet." in text


def test_the_handout_is_a_404_for_outsiders(plan_with_a_picture, other_physio, other_patient):
    for user in (other_physio, other_patient):
        response = client_for(user).get(f"/api/v1/plans/{plan_with_a_picture.id}/handout/")
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"


def test_an_error_is_json_even_when_a_pdf_was_asked_for(plan_with_a_picture, other_physio):
    response = client_for(other_physio).get(
        f"/api/v1/plans/{plan_with_a_picture.id}/handout/", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_the_fixed_texts_follow_the_active_language():
    """Every fixed text is a gettext string: with a catalogue for the language, the
    handout reads in it; the PDF says which language it was made for."""
    from datetime import date

    handout = Handout(
        plan_id="p",
        title="Knee",
        start_date=date(2026, 12, 1),
        end_date=date(2026, 12, 20),
        items=[
            HandoutItem(
                name="Squat",
                instructions=["Bend"],
                cautions=[],
                sets=2,
                reps=8,
                hold_seconds=None,
                times_per_day=1,
                days_of_week=[0, 2],
                max_pain=3,
            )
        ],
    )
    with translation.override("es"):
        data = render_handout_pdf(handout)
    assert PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"] == "es"
    # Django's own Spanish catalogue already covers the dates and weekday names.
    text = pdf_text(data)
    assert "1 de diciembre de 2026" in text
    assert "Mon" not in text


def test_the_handout_names_the_prescribing_physios_clinic(patient, exercise, other_exercise):
    import datetime as dt

    from apps.accounts.services import care_link_create
    from apps.content.models import Exercise
    from apps.plans.services import plan_create
    from tests.bodies import plan_body
    from tests.factories import ClinicFactory, PhysioFactory

    clinic = ClinicFactory(name="Northside Knee Clinic")
    physio = PhysioFactory(clinic=clinic)
    care_link_create(physio=physio, patient=patient)
    body = plan_body(patient)
    plan = plan_create(
        physio=physio,
        patient_id=patient.id,
        title=body["title"],
        start_date=dt.date.fromisoformat(body["start_date"]),
        end_date=dt.date.fromisoformat(body["end_date"]),
        reminder_times=[],
        items=[
            {**item, "exercise": Exercise.objects.get(slug=item["exercise"])}
            for item in body["items"]
        ],
    )

    response = client_for(patient).get(f"/api/v1/plans/{plan.id}/handout/")

    assert response.status_code == 200, response.content
    text = pdf_text(response.content)
    assert "Clinic: Northside Knee Clinic" in text
    assert "Riverside" not in text

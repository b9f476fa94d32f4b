"""The portal's exercise library with a physio's own exercises, pictures on the plan page,
the printable handout, and plan templates (save one, start a plan from one)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from apps.accounts.services import care_link_create
from apps.content.services import exercise_media_add, exercise_own_create
from apps.plans.models import PlanTemplate
from tests.factories import PatientFactory, PhysioFactory
from tests.media import picture

from .conftest import portal_client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def own_exercise(owner, name="Towel heel slide"):
    return exercise_own_create(
        owner=owner,
        name=name,
        instructions="Lie down.\nSlide the heel.",
        default_sets=2,
        default_reps=10,
    )


def test_the_search_offers_own_exercises_beside_the_library(portal, physio, exercise):
    mine = own_exercise(physio)
    theirs = own_exercise(PhysioFactory(email="else@example.org"), name="Towel knee press")

    page = portal.get("/clinic/exercises/", {"q": "towel"}).content.decode()

    assert mine.name in page
    assert "Your exercise" in page
    assert theirs.name not in page
    library = portal.get("/clinic/exercises/", {"q": "wall"}).content.decode()
    assert exercise.name in library


def test_another_physio_cannot_add_my_exercise_to_a_plan(physio):
    mine = own_exercise(physio)
    other = PhysioFactory(email="else@example.org")
    client = portal_client_for(other)
    assert client.get("/clinic/plan-item/", {"exercise": mine.slug}).status_code == 404
    assert (
        "Towel heel slide" not in client.get("/clinic/exercises/", {"q": "towel"}).content.decode()
    )


def test_the_plan_page_shows_each_items_picture(portal, patient, make_plan, exercise, media_store):
    exercise_media_add(
        exercise=exercise,
        file=SimpleUploadedFile("x.jpg", picture((400, 300))),
        alt_text="Hands on the wall.",
    )
    make_plan()

    page = portal.get(f"/clinic/patients/{patient.id}/plan/").content.decode()

    assert 'alt="Hands on the wall."' in page
    assert "Print handout (PDF)" in page


def test_the_handout_downloads_over_the_portal_session(portal, patient, make_plan, other_physio):
    plan = make_plan()
    response = portal.get(f"/clinic/patients/{patient.id}/plan/handout.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert plan.title in text
    outsider = portal_client_for(other_physio)
    assert outsider.get(f"/clinic/patients/{patient.id}/plan/handout.pdf").status_code == 404


def test_a_plan_saved_as_a_template_starts_another_plan(portal, physio, patient, make_plan):
    make_plan()
    response = portal.post(
        f"/clinic/patients/{patient.id}/plan/template/", {"title": "Calf starter"}
    )
    assert response.status_code == 302
    assert "template_saved=1" in response["Location"]
    template = PlanTemplate.objects.get()
    assert (template.physio, template.title) == (physio, "Calf starter")

    other_patient = PatientFactory(email="next@example.org")
    care_link_create(physio=physio, patient=other_patient)
    page = portal.get(f"/clinic/patients/{other_patient.id}/plan/", {"template": str(template.pk)})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="Calf starter"' in html
    assert "Wall calf stretch" in html
    assert "Quad sets" in html


def test_saving_a_template_of_another_physios_patient_is_a_404(patient, make_plan, other_physio):
    make_plan()
    response = portal_client_for(other_physio).post(
        f"/clinic/patients/{patient.id}/plan/template/", {"title": "Mine now"}
    )
    assert response.status_code == 404
    assert not PlanTemplate.objects.exists()

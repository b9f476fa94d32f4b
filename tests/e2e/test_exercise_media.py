"""An editor uploads a picture in the admin; the physiotherapist sees it on the portal's
plan page (loaded by the browser from the media store) and in the printed handout (its
text and an image object, read back with pypdf). Debian's Chromium, driven by Playwright,
against pytest-django's live server."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import expect
from pypdf import PdfReader

from apps.accounts import services as accounts
from apps.clinics.services import staff_add
from apps.content.models import ExerciseMedia
from apps.plans.services import plan_create
from tests.factories import PASSWORD, ExerciseFactory
from tests.factories.clinics import the_test_clinic
from tests.media import jpeg_with_exif_and_gps
from tests.second_factor import authenticator_for

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ALT = "Hands flat on the wall, the back leg straight."


def test_a_picture_uploaded_in_the_admin_shows_in_the_portal_and_the_handout(
    editor_page, browser, live_server, media_store, tmp_path
):
    exercise = ExerciseFactory(slug="wall-calf-stretch", name="Wall calf stretch")
    photo = tmp_path / "IMG_2041.jpg"
    photo.write_bytes(jpeg_with_exif_and_gps(size=(900, 600)))

    # 1. The editor adds the picture on the exercise's page in the admin.
    page = editor_page
    page.goto(f"/admin/content/exercise/{exercise.pk}/change/")
    page.get_by_text(re.compile("Add another picture or video", re.I)).click()
    page.locator("input[name=media-0-upload]").set_input_files(str(photo))
    page.locator("[name=media-0-alt_text]").fill(ALT)
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    expect(page.get_by_role("img", name=ALT)).to_be_visible()
    item = ExerciseMedia.objects.get()
    assert item.file.name.startswith("exercises/")
    assert "IMG_2041" not in item.file.name
    assert b"SecretCam" not in b"".join(media_store.read(name) for name in media_store.names())

    # 2. A physio's plan for a patient uses the exercise.
    physio = accounts.user_create(email="physio@example.org", password=PASSWORD, role="physio")
    staff_add(clinic=the_test_clinic(), user=physio)
    patient = accounts.user_create(email="pat@example.org", password=PASSWORD, role="patient")
    accounts.care_link_create(physio=physio, patient=patient)
    today = timezone.now().date()
    plan_create(
        physio=physio,
        patient_id=patient.pk,
        title="Calf, week one",
        start_date=today,
        end_date=today + dt.timedelta(days=21),
        items=[
            {
                "exercise": exercise,
                "sets": 3,
                "hold_seconds": 30,
                "days_of_week": [0, 2, 4],
                "max_pain": 3,
                "notes": "Keep the back heel on the floor.",
            }
        ],
    )
    device = authenticator_for(physio)

    # 3. The physio signs in to the portal and opens the plan page: the picture loads.
    context = browser.new_context(base_url=live_server.url)
    portal = context.new_page()
    try:
        portal.goto("/clinic/")
        portal.get_by_label("Email").fill(physio.email)
        portal.get_by_label("Password").fill(PASSWORD)
        portal.get_by_role("button", name="Sign in").click()
        portal.wait_for_url("**/clinic/two-factor/**")
        portal.get_by_label("Code").fill(f"{TOTP(device.seed()).token():06d}")
        portal.get_by_role("button", name=re.compile("Continue|Confirm|Verify", re.I)).click()
        portal.wait_for_url(re.compile(r".*/clinic/$"))
        portal.goto(f"/clinic/patients/{patient.pk}/plan/")
        picture = portal.locator("[data-plan-item]").get_by_role("img", name=ALT)
        expect(picture).to_be_visible()
        assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
        expect(portal.get_by_role("link", name="Print handout (PDF)")).to_be_visible()

        # 4. The handout the button downloads: the text and the picture as an image object.
        handout = portal.request.get(f"/clinic/patients/{patient.pk}/plan/handout.pdf")
        assert handout.status == 200
        assert handout.headers["content-type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(handout.body()))
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        for expected in ("Calf, week one", "1. Wall calf stretch", ALT, "Keep the back heel"):
            assert expected in text
        images = [image for page in reader.pages for image in page.images]
        assert len(images) == 1
        assert images[0].image.size[0] > 100
    finally:
        context.close()

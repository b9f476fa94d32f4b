"""The caseload on a clinic's desktop screens (1280 × 800 and 1440 × 900): every column in
view without sideways scrolling, the patient column kept in view, discharged patients
apart, and no axe violation, with a caseload as wide as real ones get (long addresses,
every figure filled in)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.services import care_link_create
from tests.factories import (
    AlertFactory,
    EpisodeFactory,
    MessageFactory,
    PatientFactory,
    SymptomLogFactory,
)

from .portal import (
    DESKTOPS,
    Accessibility,
    by_language_at_one_size,
    caseload_table,
    sideways_overflow,
    signed_in_physio,
    words,
)

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

LONG_EMAILS = [
    "alexandra.konstantinopoulou-whitfield@physio-example.org",
    "maximilian.oberhauser-lindqvist@example-clinic.co.uk",
    "j.smith@example.org",
    "bartholomew.featherstonehaugh@example.org",
]


@pytest.fixture
def wide_caseload(physio_account):
    """Patients with every figure filled in: alerts of each level (one acknowledged),
    unread messages, pain logs with a change over 7 days, and one discharged patient."""
    now = timezone.now()
    patients = []
    for n, email in enumerate(LONG_EMAILS):
        patient = PatientFactory(email=email)
        link = care_link_create(physio=physio_account, patient=patient)
        EpisodeFactory(patient=patient, physio=physio_account)
        SymptomLogFactory(patient=patient, pain_score=2, recorded_at=now - timedelta(days=6))
        SymptomLogFactory(patient=patient, pain_score=8, recorded_at=now - timedelta(hours=n + 1))
        MessageFactory.create_batch(3 + n, link=link)
        patients.append(patient)
    AlertFactory(patient=patients[0])  # urgent: possible clot
    AlertFactory(patient=patients[1], acknowledged=True)
    AlertFactory(patient=patients[2], worsening=True)
    AlertFactory(patient=patients[3], missed_exercises=True)

    discharged = PatientFactory(email="theodora.vanderstraeten-mcallister@example.org")
    care_link_create(physio=physio_account, patient=discharged)
    EpisodeFactory(patient=discharged, physio=physio_account, discharged=True)
    return patients, discharged


@by_language_at_one_size(DESKTOPS)
def test_the_caseload_fits_a_desktop_screen_without_sideways_scrolling(
    portal_page, physio_account, wide_caseload, viewport, language
):
    page, a11y, t = portal_page, Accessibility(), words(language)
    page.set_viewport_size(viewport)
    signed_in_physio(page, physio_account)

    expect(page.locator("#caseload").get_by_role("rowheader", name=LONG_EMAILS[0])).to_be_visible()
    assert sideways_overflow(page) == {}
    table = caseload_table(page, t)
    expect(table.get_by_role("row")).to_have_count(1 + len(LONG_EMAILS))
    # Every column header is on screen, the last one included.
    last = table.get_by_role("columnheader").last
    expect(last).to_be_in_viewport()
    box = last.bounding_box()
    assert box["x"] + box["width"] <= viewport["width"]

    discharged = page.get_by_role(
        "table",
        name=t("Discharged patients, sorted by %(order)s", order=t("the most urgent alert")),
    )
    expect(discharged).to_contain_text("theodora.vanderstraeten-mcallister@example.org")
    expect(table).not_to_contain_text("theodora.vanderstraeten-mcallister@example.org")
    expect(page.locator("html")).to_have_attribute("lang", language)
    a11y.check(page, f"20-caseload-{viewport['width']}-{language}")


def test_on_a_narrow_screen_the_patient_column_stays_in_view(
    portal_page, physio_account, wide_caseload
):
    """Where the table must scroll (a tablet held upright), it scrolls inside its own box and
    the patient's name stays at the left edge, so a row is never read without its patient."""
    page = portal_page
    page.set_viewport_size({"width": 600, "height": 900})
    signed_in_physio(page, physio_account)
    assert "document" not in sideways_overflow(page)
    wrap = page.locator(".table-wrap").first
    wrap.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    first = page.get_by_role("table", name="Patients in care").get_by_role("rowheader").first
    left = first.bounding_box()["x"]
    assert left <= wrap.bounding_box()["x"] + 1

"""The clinician's day in the portal, on a desktop screen: a plan form that puts the keyboard
on what went wrong, unlinking a patient behind a confirmation, and axe on every new page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.accounts.models import CareTeamLink
from tests.content.factories import ExerciseFactory

from .portal import (
    DESKTOPS,
    Accessibility,
    linked_patient_through_the_app,
    signed_in_physio,
    symptom_log,
)

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


@pytest.fixture
def desktop_page(portal_page):
    portal_page.set_viewport_size(DESKTOPS[0])
    return portal_page


@pytest.fixture
def library(transactional_db):
    ExerciseFactory(slug="quad-sets", name="Quad sets", target_area="quadriceps", default_reps=10)


def focused(page) -> dict:
    return page.evaluate(
        "() => ({id: document.activeElement.id, text: document.activeElement.innerText || ''})"
    )


def test_a_plan_form_with_errors_moves_focus_to_them(desktop_page, api, physio_account, library):
    page, a11y = desktop_page, Accessibility()
    linked_patient_through_the_app(api, physio_account)
    signed_in_physio(page, physio_account)
    page.get_by_role("link", name="pat@example.org").click()
    page.get_by_role("link", name="Exercise plan").click()
    page.get_by_label("Search exercises").fill("quad")
    page.get_by_role("button", name="Add Quad sets to the plan").click()
    item = page.locator("[data-plan-item]").first
    for day in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"):
        item.get_by_label(day).uncheck()
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Create plan").click()

    # The page comes back with the errors, and the keyboard is on their summary.
    summary = page.get_by_role("alert").filter(has_text="There are 2 problems")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        ["Title: This field is required.", "Quad sets: Days: This field is required."]
    )
    a11y.check(page, "21-plan-errors")
    # Each entry takes the keyboard to its field.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Title")).to_be_focused()
    summary.get_by_role("link", name=re.compile("Days")).click()
    expect(page.locator("[data-plan-item]").first.get_by_label("Mon")).to_be_focused()
    assert focused(page)["id"].endswith("days_of_week_0")


def test_a_physio_unlinks_a_patient_after_confirming(desktop_page, api, physio_account):
    page, a11y = desktop_page, Accessibility()
    linked_patient_through_the_app(api, physio_account)
    signed_in_physio(page, physio_account)
    page.get_by_role("link", name="pat@example.org").click()
    page.get_by_role("link", name="Unlink this patient…").click()
    expect(page.get_by_role("heading", name="Unlink pat@example.org")).to_be_visible()
    a11y.check(page, "22-unlink")

    page.get_by_role("button", name="Unlink the patient").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick the box to confirm the unlinking.")
    expect(page.get_by_role("alert")).to_be_focused()
    assert CareTeamLink.objects.get().ended_at is None
    a11y.check(page, "23-unlink-not-confirmed")

    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Unlink the patient").click()
    page.wait_for_url("**/clinic/")
    expect(page.get_by_role("status").first).to_contain_text(
        "pat@example.org is no longer linked to you."
    )
    expect(page.get_by_role("link", name="pat@example.org")).to_have_count(0)
    assert CareTeamLink.objects.get().ended_by == physio_account
    a11y.check(page, "24-unlinked")
    a11y.save("clinicians-day")


def test_an_urgent_alert_from_offline_acknowledged_then_resolved_with_a_note(
    desktop_page, api, physio_account
):
    """The patient's phone syncs a possible clot recorded three hours ago, with a note.
    The alert keeps its rank on the caseload once acknowledged; its card says when it was
    recorded, the signs, the note and links to the log in the diary; resolving keeps the
    physio's note."""
    page, a11y = desktop_page, Accessibility()
    _, patient_auth = linked_patient_through_the_app(api, physio_account)
    logs = [symptom_log(days, 3) for days in (6, 4, 2)]
    logs.append(
        symptom_log(
            0.125,
            7,
            redness=True,
            warmth=True,
            swelling="significant",
            note="Calf hot and tight since the flight.",
        )
    )
    synced = api.post("/api/v1/symptom-logs/bulk/", data=logs, headers=patient_auth)
    assert synced.status == 200, synced.text()

    signed_in_physio(page, physio_account)
    row = page.get_by_role("table", name="Patients in care").get_by_role("row").nth(1)
    expect(row).to_contain_text("Urgent")
    row.get_by_role("link", name="pat@example.org").click()

    card = page.locator("li.alert").first
    expect(card).to_contain_text("Recorded by the patient")
    expect(card).to_contain_text("the log reached us 3 hours after it was recorded")
    expect(card).to_contain_text("Possible blood clot")
    expect(card).to_contain_text("Swelling: significant")
    expect(card).to_contain_text("Calf hot and tight since the flight.")
    expect(card).to_contain_text("Pain 7/10")
    card.get_by_role("button", name=re.compile("^Acknowledge")).click()
    expect(page.locator("li.alert").first).to_contain_text("acknowledged, not resolved")
    a11y.check(page, "25-alert-acknowledged")

    # Acknowledged is not resolved: the caseload still shows the patient as urgent.
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Caseload").click()
    row = page.get_by_role("table", name="Patients in care").get_by_role("row").nth(1)
    expect(row).to_contain_text("Urgent")
    expect(row).to_contain_text("acknowledged")
    expect(row).to_contain_text("1 alert to resolve")
    a11y.check(page, "26-caseload-acknowledged")

    # The card's link opens the log in the symptom diary.
    row.get_by_role("link", name="pat@example.org").click()
    page.locator("li.alert").first.get_by_role("link", name=re.compile("symptom diary")).click()
    expect(page.get_by_role("heading", name="Symptom diary")).to_be_visible()
    target = page.locator("li.log:target")
    expect(target).to_contain_text("Calf hot and tight since the flight.")
    expect(target).to_contain_text("Swelling: significant, Redness, Warmth")
    expect(page.locator("li.log")).to_have_count(4)
    a11y.check(page, "27-diary")
    page.get_by_label("Urgent").check()
    expect(page.get_by_role("status").filter(has_text="1 log triaged urgent")).to_be_visible()
    expect(page.locator("li.log")).to_have_count(1)
    a11y.check(page, "28-diary-urgent")

    # Resolve with a note of what was done.
    page.get_by_role("link", name="Overview").click()
    card = page.locator("li.alert").first
    card.get_by_label("What was done (optional)").fill("Phoned: sent to the DVT clinic today.")
    card.get_by_role("button", name=re.compile("^Resolve")).click()
    expect(page.get_by_role("status").filter(has_text="Resolved")).to_be_visible()
    expect(page.locator("li.alert").first).to_contain_text(
        "What was done: Phoned: sent to the DVT clinic today."
    )
    a11y.check(page, "29-alert-resolved")
    page.reload()
    expect(page.get_by_text("No open or acknowledged alerts.")).to_be_visible()
    page.get_by_text("Recently resolved (1)").click()
    expect(page.get_by_text("What was done: Phoned: sent to the DVT clinic today.")).to_be_visible()
    a11y.check(page, "30-alerts-resolved-history")
    a11y.save("alerts")

"""The clinician's day in the portal, on a desktop screen: a plan form that puts the keyboard
on what went wrong, unlinking a patient behind a confirmation, and axe on every new page;
each in every language the portal speaks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.accounts.models import CareTeamLink
from apps.content.vocabulary import RedFlagCode
from tests.content.factories import ExerciseFactory

from .portal import (
    DESKTOPS,
    LANGUAGES,
    Accessibility,
    caseload_table,
    linked_patient_through_the_app,
    signed_in_physio,
    symptom_log,
    words,
)

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

by_language = pytest.mark.parametrize("language", LANGUAGES)


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


@by_language
def test_a_plan_form_with_errors_moves_focus_to_them(
    desktop_page, api, physio_account, library, language
):
    page, a11y, t = desktop_page, Accessibility(), words(language)
    linked_patient_through_the_app(api, physio_account)
    signed_in_physio(page, physio_account)
    page.get_by_role("link", name="pat@example.org").click()
    page.get_by_role("link", name=t("Exercise plan")).click()
    page.get_by_label(t("Search exercises")).fill("quad")
    page.get_by_role(
        "button",
        name=t('Add<span class="visually-hidden"> %(name)s</span> to the plan', name="Quad sets"),
    ).click()
    item = page.locator("[data-plan-item]").first
    for day in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"):
        item.get_by_label(t(day)).uncheck()
    page.get_by_label(t("Title")).fill("")
    page.get_by_role("button", name=t("Create plan")).click()

    # The page comes back with the errors, and the keyboard is on their summary.
    summary = page.get_by_role("alert").filter(has_text=t("There are %(count)s problems", count=2))
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    required = t("This field is required.")
    expect(summary.get_by_role("link")).to_have_text(
        [f"{t('Title')}: {required}", f"Quad sets: {t('Days')}: {required}"]
    )
    a11y.check(page, f"21-plan-errors-{language}")
    # Each entry takes the keyboard to its field.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_label(t("Title"))).to_be_focused()
    summary.get_by_role("link", name=re.compile(t("Days"))).click()
    expect(page.locator("[data-plan-item]").first.get_by_label(t("Mon"))).to_be_focused()
    assert focused(page)["id"].endswith("days_of_week_0")


@by_language
def test_a_physio_unlinks_a_patient_after_confirming(desktop_page, api, physio_account, language):
    page, a11y, t = desktop_page, Accessibility(), words(language)
    linked_patient_through_the_app(api, physio_account)
    signed_in_physio(page, physio_account)
    page.get_by_role("link", name="pat@example.org").click()
    page.get_by_role("link", name=t("Unlink this patient…")).click()
    expect(
        page.get_by_role("heading", name=t("Unlink %(name)s", name="pat@example.org"))
    ).to_be_visible()
    a11y.check(page, f"22-unlink-{language}")

    page.get_by_role("button", name=t("Unlink the patient")).click()
    expect(page.get_by_role("alert")).to_contain_text(t("Tick the box to confirm the unlinking."))
    expect(page.get_by_role("alert")).to_be_focused()
    assert CareTeamLink.objects.get().ended_at is None
    a11y.check(page, f"23-unlink-not-confirmed-{language}")

    page.get_by_label(
        t(
            "I understand: I will no longer see this patient's records or alerts, and the "
            "questionnaires I asked for stop."
        )
    ).check()
    page.get_by_role("button", name=t("Unlink the patient")).click()
    page.wait_for_url("**/clinic/")
    expect(page.get_by_role("status").first).to_contain_text(
        t("%(name)s is no longer linked to you.", name="pat@example.org")
    )
    expect(page.get_by_role("link", name="pat@example.org")).to_have_count(0)
    assert CareTeamLink.objects.get().ended_by == physio_account
    a11y.check(page, f"24-unlinked-{language}")
    a11y.save(f"clinicians-day-{language}")


@by_language
def test_an_urgent_alert_from_offline_acknowledged_then_resolved_with_a_note(
    desktop_page, api, physio_account, language
):
    """The patient's phone syncs a possible clot recorded three hours ago, with a note.
    The alert keeps its rank on the caseload once acknowledged; its card says when it was
    recorded, the signs, the note and links to the log in the diary; resolving keeps the
    physio's note."""
    page, a11y, t = desktop_page, Accessibility(), words(language)
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
    swelling = t("Swelling: %(degree)s", degree=t("Significant").lower())

    signed_in_physio(page, physio_account)
    row = caseload_table(page, t).get_by_role("row").nth(1)
    expect(row).to_contain_text(t("Urgent"))
    row.get_by_role("link", name="pat@example.org").click()

    card = page.locator("li.alert").first
    expect(card).to_contain_text(t("Recorded by the patient"))
    three_hours = t.n("%(num)d hour", "%(num)d hours", 3, num=3)
    expect(card).to_contain_text(
        t("the log reached us %(late)s after it was recorded", late=three_hours)
    )
    # A red flag's name stays English until an editor reviewed its translation (none here).
    expect(card).to_contain_text(str(RedFlagCode.POSSIBLE_DVT.label))
    expect(card).to_contain_text(swelling)
    expect(card).to_contain_text("Calf hot and tight since the flight.")
    expect(card).to_contain_text(t("Pain %(score)s/10", score=7))
    card.get_by_role("button", name=re.compile("^" + re.escape(t("Acknowledge")))).click()
    expect(page.locator("li.alert").first).to_contain_text(t("acknowledged, not resolved"))
    a11y.check(page, f"25-alert-acknowledged-{language}")

    # Acknowledged is not resolved: the caseload still shows the patient as urgent.
    page.get_by_role("navigation", name=t("Portal")).get_by_role("link", name=t("Caseload")).click()
    row = caseload_table(page, t).get_by_role("row").nth(1)
    expect(row).to_contain_text(t("Urgent"))
    expect(row).to_contain_text(t("acknowledged"))
    expect(row).to_contain_text(t.n("%(count)s alert to resolve", "%(count)s alerts to resolve", 1))
    a11y.check(page, f"26-caseload-acknowledged-{language}")

    # The card's link opens the log in the symptom diary.
    row.get_by_role("link", name="pat@example.org").click()
    page.locator("li.alert").first.get_by_role(
        "link", name=re.compile(re.escape(t("The log in the symptom diary")))
    ).click()
    expect(page.get_by_role("heading", name=t("Symptom diary"))).to_be_visible()
    target = page.locator("li.log:target")
    expect(target).to_contain_text("Calf hot and tight since the flight.")
    expect(target).to_contain_text(", ".join([swelling, t("Redness"), t("Warmth")]))
    expect(page.locator("li.log")).to_have_count(4)
    a11y.check(page, f"27-diary-{language}")
    page.get_by_label(t("Urgent")).check()
    one_urgent = " ".join(
        [
            t.n("%(counter)s log", "%(counter)s logs", 1),
            t("triaged %(levels)s", levels=t("Urgent").lower()),
        ]
    )
    expect(page.get_by_role("status").filter(has_text=one_urgent)).to_be_visible()
    expect(page.locator("li.log")).to_have_count(1)
    a11y.check(page, f"28-diary-urgent-{language}")

    # Resolve with a note of what was done.
    page.get_by_role("link", name=t("Overview")).click()
    card = page.locator("li.alert").first
    card.get_by_label(t("What was done (optional)")).fill("Phoned: sent to the DVT clinic today.")
    card.get_by_role("button", name=re.compile("^" + re.escape(t("Resolve")))).click()
    expect(page.get_by_role("status").filter(has_text=t("Resolved"))).to_be_visible()
    what_was_done = f"{t('What was done:')} Phoned: sent to the DVT clinic today."
    expect(page.locator("li.alert").first).to_contain_text(what_was_done)
    a11y.check(page, f"29-alert-resolved-{language}")
    page.reload()
    expect(page.get_by_text(t("No open or acknowledged alerts."))).to_be_visible()
    page.get_by_text(t("Recently resolved (%(count)s)", count=1)).click()
    expect(page.get_by_text(what_was_done)).to_be_visible()
    a11y.check(page, f"30-alerts-resolved-history-{language}")
    a11y.save(f"alerts-{language}")

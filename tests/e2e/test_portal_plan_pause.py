"""Pausing the exercise plan from the portal while a red flag is assessed, in Debian's
Chromium at the clinic's desktop sizes (and in Spanish at one of them): offered only with a
red flag open, behind a confirmation page, and resumed from the overview; axe on each
page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from apps.accounts.services import care_link_create
from apps.plans.models import ExercisePlan
from tests.factories import AlertFactory, ExercisePlanFactory, PatientFactory, PlanItemFactory

from .portal import DESKTOPS, Accessibility, by_language_at_one_size, signed_in_physio, words
from .test_portal_desktop import LONG_NAME, fits

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


@by_language_at_one_size(DESKTOPS)
def test_a_physio_pauses_the_plan_while_a_red_flag_is_assessed(
    portal_page, physio_account, viewport, language
):
    """The overview offers the pause only with a red flag open; the confirmation page says
    what pausing does; keeping the plan changes nothing; pausing says so and offers
    resuming."""
    page, a11y, t = portal_page, Accessibility(), words(language)
    size = f"{viewport['width']}-{language}"
    page.set_viewport_size(viewport)
    patient = PatientFactory(email="calf@example.org", display_name=LONG_NAME)
    care_link_create(physio=physio_account, patient=patient)
    plan = ExercisePlanFactory(patient=patient, physio=physio_account, title="Calf and knee")
    PlanItemFactory(plan=plan)
    AlertFactory(patient=patient, worsening=True)
    signed_in_physio(page, physio_account)
    page.goto(f"/clinic/patients/{patient.pk}/")
    offer = page.get_by_role("link", name=t("Pause the exercise plan…"))
    expect(page.get_by_role("heading", name=t("Alerts"))).to_be_visible()
    expect(offer).to_have_count(0)  # a worsening trend is not a red flag

    AlertFactory(patient=patient)  # a possible clot
    page.reload()
    offer.click()
    expect(
        page.get_by_role(
            "heading", name=t("Pause the exercise plan “%(title)s”", title="Calf and knee")
        )
    ).to_be_visible()
    expect(
        page.get_by_text(
            t.n(
                "%(name)s has %(counter)s unresolved red flag.",
                "%(name)s has %(counter)s unresolved red flags.",
                1,
                name=LONG_NAME,
            )
        )
    ).to_be_visible()
    fits(page, a11y, f"desktop-{size}-60-plan-pause-confirm", language)
    page.get_by_role("link", name=t("Keep the plan running")).click()
    expect(offer).to_be_visible()
    assert ExercisePlan.objects.get(pk=plan.pk).paused_at is None

    offer.click()
    page.get_by_role("button", name=t("Pause the plan")).click()
    paused = t(
        "The plan “%(title)s” is paused: no reminders, and the patient's app shows it paused.",
        title="Calf and knee",
    )
    expect(page.get_by_role("status").filter(has_text=paused)).to_be_visible()
    expect(page.locator("#plan-pause")).to_contain_text(
        t("The exercise plan “%(title)s” is paused", title="Calf and knee")
    )
    expect(offer).to_have_count(0)
    assert ExercisePlan.objects.get(pk=plan.pk).paused_at is not None
    fits(page, a11y, f"desktop-{size}-61-plan-paused", language)

    page.get_by_role("button", name=t("Resume the plan")).click()
    again = t(
        "The plan “%(title)s” runs again: its reminders are planned from now.",
        title="Calf and knee",
    )
    expect(page.get_by_role("status").filter(has_text=again)).to_be_visible()
    expect(offer).to_be_visible()
    assert ExercisePlan.objects.get(pk=plan.pk).paused_at is None
    fits(page, a11y, f"desktop-{size}-62-plan-resumed", language)
    a11y.save(f"desktop-plan-pause-{size}")

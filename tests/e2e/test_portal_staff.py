"""A clinic admin's staff work in a real browser, with the e-mail read from a real SMTP
server on loopback: the admin invites a physiotherapist, who makes their account from the
e-mail's link, enrols the second factor at the first sign-in and sees an empty caseload;
then the admin deactivates a colleague, handing their patient over, and the new physio
sees that patient. Each new page is axe-clean under the CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.clinics.models import StaffRole
from tests.factories import PhysioFactory
from tests.factories.clinics import the_test_clinic
from tests.second_factor import authenticator_for

from .conftest import TIMEOUT_MS
from .portal import (
    TABLET,
    Accessibility,
    linked_patient_through_the_app,
    sign_in,
    signed_in_physio,
    totp_now,
)

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

NEW_PASSWORD = "Physio-starts-Monday-2027"


def test_an_admin_invites_a_physio_and_hands_a_colleagues_patients_over(
    portal_page, browser, api, live_server, mail, settings
):
    settings.PORTAL_LINK_BASE = f"{live_server.url}/clinic"
    page, a11y = portal_page, Accessibility()
    clinic = the_test_clinic()
    admin = PhysioFactory(
        email="admin@example.org",
        display_name="Ana Admin",
        clinic=clinic,
        clinic__role=StaffRole.ADMIN,
    )
    colleague = PhysioFactory(email="cara@example.org", display_name="Cara Leaving", clinic=clinic)
    authenticator_for(admin)
    linked_patient_through_the_app(api, colleague, email="pat@example.org")

    # 1. The admin invites a new physiotherapist from the Staff page.
    signed_in_physio(page, admin)
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Staff").click()
    expect(page.get_by_role("heading", name=f"Staff of {clinic.name}")).to_be_visible()
    a11y.check(page, "40-staff")
    page.get_by_label("E-mail address").fill("nico@example.org")
    page.get_by_label("Role").select_option("clinician")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text(
        "The invitation is on its way to nico@example.org"
    )
    expect(page.locator("#invites")).to_contain_text("nico@example.org")
    a11y.check(page, "41-staff-invited")

    # 2. The e-mail arrives; the invitee opens its link in their own browser.
    mail.deliver()
    [message] = mail.to("nico@example.org")  # (the patient's verification e-mail aside)
    [link] = set(message.links())
    assert link.startswith(f"{live_server.url}/clinic/staff-invite/accept/?token=")
    invitee_context = browser.new_context(base_url=live_server.url, viewport=TABLET)
    invitee_context.set_default_timeout(TIMEOUT_MS)
    invitee = invitee_context.new_page()
    try:
        invitee.goto(link)
        expect(
            invitee.get_by_role("heading", name=f"Join the staff of {clinic.name}")
        ).to_be_visible()
        a11y.check(invitee, "42-staff-invite-accept")
        invitee.get_by_label("Your name, as patients and colleagues see it").fill("Nico Nuevo")
        invitee.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
        invitee.get_by_label("Password, again").fill(NEW_PASSWORD)
        invitee.get_by_role("button", name="Make my account").click()
        invitee.wait_for_url("**/clinic/sign-in/")
        expect(invitee.get_by_role("status")).to_contain_text("Your account is ready")

        # 3. The first sign-in enrols the second factor; the caseload is empty.
        sign_in(invitee, "nico@example.org", NEW_PASSWORD)
        invitee.wait_for_url("**/clinic/two-factor/setup/**")
        secret = invitee.locator("#totp-secret").inner_text()
        invitee.get_by_label("Code from the app").fill(totp_now(secret))
        invitee.get_by_role("button", name="Confirm").click()
        expect(invitee.get_by_role("heading", name="Your recovery codes")).to_be_visible()
        invitee.get_by_role("link", name=re.compile("continue")).click()
        invitee.wait_for_url("**/clinic/")
        expect(invitee.get_by_text("0 patients")).to_be_visible()
        # Not an admin: no Staff link.
        expect(
            invitee.get_by_role("navigation", name="Portal").get_by_role("link", name="Staff")
        ).to_have_count(0)

        # 4. The admin deactivates the colleague, handing their patient to the new physio.
        page.reload()
        page.get_by_role("link", name="Deactivate Cara Leaving").click()
        expect(page.get_by_role("heading", name="Deactivate Cara Leaving")).to_be_visible()
        a11y.check(page, "43-staff-deactivate")
        page.get_by_label("Hand their patients over to").select_option(
            label="Nico Nuevo (nico@example.org)"
        )
        page.get_by_label("I understand that this account can no longer sign in.").check()
        page.get_by_role("button", name="Deactivate and hand over").click()
        expect(page.get_by_role("status")).to_contain_text("Patients handed over: 1.")
        expect(page.locator("#staff")).to_contain_text("Deactivated")

        # 5. The new physio sees the patient.
        invitee.reload()
        expect(invitee.get_by_role("link", name="pat@example.org")).to_be_visible()
    finally:
        invitee_context.close()
    a11y.save("staff")

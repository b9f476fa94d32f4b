"""A clinic admin's staff work in a real browser, with the e-mail read from a real SMTP
server on loopback: the admin invites a physiotherapist, who makes their account from the
e-mail's link, enrols the second factor at the first sign-in and sees an empty caseload;
then the admin deactivates a colleague, handing their patient over, and the new physio
sees that patient. Each new page is axe-clean under the CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from apps.clinics.models import StaffRole
from tests.factories import PhysioFactory
from tests.factories.clinics import the_test_clinic
from tests.second_factor import authenticator_for

from .conftest import TIMEOUT_MS
from .portal import (
    BROWSER_LOCALES,
    LANGUAGES,
    TABLET,
    Accessibility,
    linked_patient_through_the_app,
    sign_in,
    signed_in_physio,
    totp_now,
    words,
)

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

NEW_PASSWORD = "Physio-starts-Monday-2027"


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_admin_invites_a_physio_and_hands_a_colleagues_patients_over(
    portal_page, browser, api, live_server, mail, settings, language
):
    settings.PORTAL_LINK_BASE = f"{live_server.url}/clinic"
    page, a11y, t = portal_page, Accessibility(), words(language)
    clinic = the_test_clinic()
    admin = PhysioFactory(
        email="admin@example.org",
        display_name="Ana Admin",
        language=language,
        clinic=clinic,
        clinic__role=StaffRole.ADMIN,
    )
    colleague = PhysioFactory(
        email="cara@example.org", display_name="Cara Leaving", language=language, clinic=clinic
    )
    authenticator_for(admin)
    linked_patient_through_the_app(api, colleague, email="pat@example.org")

    # 1. The admin invites a new physiotherapist from the Staff page.
    signed_in_physio(page, admin)
    portal = page.get_by_role("navigation", name=t("Portal"))
    portal.get_by_role("link", name=t("Staff")).click()
    expect(
        page.get_by_role("heading", name=t("Staff of %(clinic)s", clinic=clinic.name))
    ).to_be_visible()
    a11y.check(page, f"40-staff-{language}")
    page.get_by_label(t("E-mail address")).fill("nico@example.org")
    page.get_by_label(t("Role")).select_option("clinician")
    page.get_by_role("button", name=t("Send the invitation")).click()
    expect(page.get_by_role("status")).to_contain_text(
        t(
            "The invitation is on its way to %(email)s. Its link works for 7 days.",
            email="nico@example.org",
        )
    )
    expect(page.locator("#invites")).to_contain_text("nico@example.org")
    a11y.check(page, f"41-staff-invited-{language}")

    # 2. The e-mail arrives; the invitee opens its link in their own browser.
    mail.deliver()
    [message] = mail.to("nico@example.org")  # (the patient's verification e-mail aside)
    [link] = set(message.links())
    assert link.startswith(f"{live_server.url}/clinic/staff-invite/accept/?token=")
    invitee_context = browser.new_context(
        base_url=live_server.url, viewport=TABLET, locale=BROWSER_LOCALES[language]
    )
    invitee_context.set_default_timeout(TIMEOUT_MS)
    invitee = invitee_context.new_page()
    try:
        invitee.goto(link)
        expect(
            invitee.get_by_role(
                "heading", name=t("Join the staff of %(clinic)s", clinic=clinic.name)
            )
        ).to_be_visible()
        a11y.check(invitee, f"42-staff-invite-accept-{language}")
        invitee.get_by_label(t("Your name, as patients and colleagues see it")).fill("Nico Nuevo")
        invitee.get_by_label(t("Password"), exact=True).fill(NEW_PASSWORD)
        invitee.get_by_label(t("Password, again")).fill(NEW_PASSWORD)
        invitee.get_by_role("button", name=t("Make my account")).click()
        invitee.wait_for_url("**/clinic/sign-in/")
        expect(invitee.get_by_role("status")).to_contain_text(
            t("Your account is ready. Sign in, then set up your authenticator app.")
        )

        # 3. The first sign-in enrols the second factor; the caseload is empty.
        sign_in(invitee, "nico@example.org", NEW_PASSWORD, language=language)
        invitee.wait_for_url("**/clinic/two-factor/setup/**")
        secret = invitee.locator("#totp-secret").inner_text()
        invitee.get_by_label(t("Code from the app")).fill(totp_now(secret))
        invitee.get_by_role("button", name=t("Confirm")).click()
        expect(invitee.get_by_role("heading", name=t("Your recovery codes"))).to_be_visible()
        invitee.get_by_role("link", name=t("I have kept them: continue")).click()
        invitee.wait_for_url("**/clinic/")
        expect(
            invitee.get_by_text(
                t.n("%(counter)s patient in care", "%(counter)s patients in care", 0)
            )
        ).to_be_visible()
        expect(invitee.locator("html")).to_have_attribute("lang", language)
        # Not an admin: no Staff link.
        expect(
            invitee.get_by_role("navigation", name=t("Portal")).get_by_role("link", name=t("Staff"))
        ).to_have_count(0)

        # 4. The admin deactivates the colleague, handing their patient to the new physio.
        page.reload()
        page.get_by_role(
            "link",
            name=t('Deactivate <span class="visually-hidden">%(name)s</span>', name="Cara Leaving"),
        ).click()
        expect(
            page.get_by_role("heading", name=t("Deactivate %(name)s", name="Cara Leaving"))
        ).to_be_visible()
        a11y.check(page, f"43-staff-deactivate-{language}")
        page.get_by_label(t("Hand their patients over to")).select_option(
            label="Nico Nuevo (nico@example.org)"
        )
        page.get_by_label(t("I understand that this account can no longer sign in.")).check()
        page.get_by_role("button", name=t("Deactivate and hand over")).click()
        expect(page.get_by_role("status")).to_contain_text(
            t(
                "%(name)s was deactivated. Patients handed over: %(count)s.",
                name="Cara Leaving",
                count=1,
            )
        )
        expect(page.locator("#staff")).to_contain_text(t("Deactivated"))

        # 5. The new physio sees the patient.
        invitee.reload()
        expect(invitee.get_by_role("link", name="pat@example.org")).to_be_visible()
    finally:
        invitee_context.close()
    a11y.save(f"staff-{language}")

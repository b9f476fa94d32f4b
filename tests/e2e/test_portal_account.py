"""The portal's account pages in a real browser: a forgotten password, the new-password
page, the account page and signing out of all devices; each page axe-clean under the CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from apps.accounts.models import AccountToken, TokenPurpose
from apps.accounts.services import PASSWORD_RESET_LIFETIME
from apps.accounts.single_use import single_use_issue
from tests.e2e.portal import Accessibility, signed_in_physio

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Another-long-passphrase-2027"


def test_a_physio_resets_a_forgotten_password_and_signs_out_everywhere(
    portal_page,
    physio_account,
):
    page, a11y = portal_page, Accessibility()

    page.goto("/clinic/sign-in/")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.wait_for_url("**/clinic/password-reset/")
    a11y.check(page, "20-password-reset")
    page.get_by_label("E-mail address").fill(physio_account.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    a11y.check(page, "21-password-reset-sent")

    # The link the e-mail carries (the e-mail itself is read in tests/clinic).
    token = single_use_issue(
        AccountToken,
        scope=TokenPurpose.PASSWORD_RESET,
        lifetime=PASSWORD_RESET_LIFETIME,
        user=physio_account,
        purpose=TokenPurpose.PASSWORD_RESET,
        email=physio_account.email,
    ).token
    page.goto(f"/clinic/password-reset/confirm/?token={token}")
    a11y.check(page, "22-password-reset-confirm")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password, again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    page.wait_for_url("**/clinic/sign-in/")
    expect(page.get_by_role("status")).to_contain_text("Your password was changed")
    physio_account.refresh_from_db()
    assert physio_account.check_password(NEW_PASSWORD)

    physio_account.set_password("a-Strong-passphrase-42")
    physio_account.save()
    signed_in_physio(page, physio_account)
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    a11y.check(page, "23-account")
    page.get_by_role("button", name="Sign out of all devices").click()
    page.wait_for_url("**/clinic/sign-in/")
    expect(page.get_by_role("status")).to_contain_text("signed out on every device")
    a11y.save("account")

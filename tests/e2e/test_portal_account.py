"""The portal's account pages in a real browser: a forgotten password, the new-password
page, the account page and signing out of all devices; each page axe-clean under the CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from apps.accounts.models import AccountToken, TokenPurpose
from apps.accounts.services import PASSWORD_RESET_LIFETIME
from apps.accounts.single_use import single_use_issue
from tests.e2e.portal import LANGUAGES, Accessibility, signed_in_physio, words

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Another-long-passphrase-2027"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_physio_resets_a_forgotten_password_and_signs_out_everywhere(
    portal_page, physio_account, language
):
    page, a11y, t = portal_page, Accessibility(), words(language)

    page.goto("/clinic/sign-in/")
    page.get_by_role("link", name=t("Forgotten your password?")).click()
    page.wait_for_url("**/clinic/password-reset/")
    a11y.check(page, f"20-password-reset-{language}")
    page.get_by_label(t("E-mail address")).fill(physio_account.email)
    page.get_by_role("button", name=t("Send the link")).click()
    expect(page.get_by_role("heading", name=t("Check your e-mail"))).to_be_visible()
    a11y.check(page, f"21-password-reset-sent-{language}")

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
    a11y.check(page, f"22-password-reset-confirm-{language}")
    page.get_by_label(t("New password"), exact=True).fill(NEW_PASSWORD)
    page.get_by_label(t("New password, again")).fill(NEW_PASSWORD)
    page.get_by_role("button", name=t("Set the new password")).click()
    page.wait_for_url("**/clinic/sign-in/")
    expect(page.get_by_role("status")).to_contain_text(
        t("Your password was changed. Sign in with the new one.")
    )
    physio_account.refresh_from_db()
    assert physio_account.check_password(NEW_PASSWORD)

    physio_account.set_password("a-Strong-passphrase-42")
    physio_account.save()
    signed_in_physio(page, physio_account)
    page.get_by_role("navigation", name=t("Portal")).get_by_role("link", name=t("Account")).click()
    expect(page.get_by_role("heading", name=t("Your account"))).to_be_visible()
    a11y.check(page, f"23-account-{language}")
    page.get_by_role("button", name=t("Sign out of all devices")).click()
    page.wait_for_url("**/clinic/sign-in/")
    expect(page.get_by_role("status")).to_contain_text(
        t("You were signed out on every device, this one included.")
    )
    a11y.save(f"account-{language}")

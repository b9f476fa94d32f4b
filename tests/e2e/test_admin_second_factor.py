"""The admin's second factor in a real browser: an editor who typed the right password
reaches no admin page until a code from the authenticator app is given, and the first
sign-in enrols the app (apps/accounts/admin_site.py)."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.second_factor import authenticator_for, code_of

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

EXERCISES = "/admin/content/exercise/"


def password_step(page, email: str) -> None:
    page.goto(EXERCISES)
    page.wait_for_url(re.compile(r".*/admin/login/\?next="))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()


def test_an_editor_with_the_password_only_reaches_no_admin_page(page, editor_account):
    device = authenticator_for(editor_account)
    password_step(page, editor_account.email)
    page.wait_for_url(
        re.compile(r".*/admin/second-factor/\?next=%2Fadmin%2Fcontent%2Fexercise%2F$")
    )
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()

    # Typing an admin address instead of the code leads back to the code page.
    for url in ("/admin/", EXERCISES, "/admin/content/condition/add/"):
        page.goto(url)
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        assert "/admin/second-factor/" in page.url
        expect(page.get_by_text("Select exercise to change")).to_have_count(0)

    page.get_by_label("Code").fill(code_of(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r".*/admin/content/condition/add/$"))  # the page last asked for
    page.goto(EXERCISES)
    expect(page.get_by_role("heading", name="Select exercise to change")).to_be_visible()


def test_an_editors_first_sign_in_enrols_an_authenticator_app(page, editor_account):
    password_step(page, editor_account.email)
    page.wait_for_url(re.compile(r".*/admin/second-factor/setup/\?next="))
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    key = base64.b32decode("".join(page.locator("#totp-secret").inner_text().split()))
    page.get_by_label("Code from the app").fill(f"{TOTP(key).token():06d}")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("status")).to_have_text("Your second factor is set up.")
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(
        10
    )
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("heading", name="Select exercise to change")).to_be_visible()

"""A real Chromium driven by Playwright against pytest-django's live server.

The browser is Debian's chromium (`.ci/run` installs it); Playwright's own browser
download is never used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from apps.accounts import services as accounts
from apps.clinics.services import staff_add
from tests.factories import PASSWORD
from tests.factories.clinics import the_test_clinic
from tests.second_factor import authenticator_for, code_of
from tests.workers import require

from .portal import BROWSER_LOCALES, TABLET

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One Chromium per test module."""
    require(CHROMIUM.exists(), "chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and Django then
    # refuses ORM calls from it (SynchronousOnlyOperation). The documented workaround,
    # set only while the browser runs so the rest of the suite keeps the protection.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh browser context (no cookies) per test, pointed at the live server.

    Fails the test if the page raised a JavaScript error or a static file did not
    load: the admin's sortable inlines and actions depend on their scripts.
    """
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    js_errors: list[str] = []
    missing_static: list[str] = []
    tab.on("pageerror", lambda error: js_errors.append(str(error)))
    tab.on(
        "response",
        lambda response: (
            missing_static.append(f"{response.status} {response.url}")
            if "/static/" in response.url and response.status >= 400
            else None
        ),
    )
    yield tab
    context.close()
    assert not js_errors, f"JavaScript errors in the admin: {js_errors}"
    assert not missing_static, f"Static files that did not load: {missing_static}"


@pytest.fixture
def editor_account(transactional_db):
    """An editor as production makes one: staff, in the editors group."""
    return accounts.user_create(email="editor@example.org", password=PASSWORD, role="editor")


@pytest.fixture
def editor_page(page, editor_account):
    """The page of an editor who signed in through the admin's login form and then gave a
    code from the authenticator app enrolled earlier (the admin requires the second factor)."""
    device = authenticator_for(editor_account)
    page.goto("/admin/")
    page.wait_for_url("**/admin/login/?next=/admin/")
    page.get_by_label("Email").fill(editor_account.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url("**/admin/second-factor/?next=%2Fadmin%2F")
    page.get_by_label("Code").fill(code_of(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/admin/")
    return page


def language_of(request) -> str:
    """The `language` a test is parametrised with (English when it is not)."""
    callspec = getattr(request.node, "callspec", None)
    return callspec.params.get("language", "en") if callspec else "en"


@pytest.fixture
def portal_page(browser, live_server, request) -> Iterator:
    """A fresh tablet-sized browser context per test, for the clinic portal, in the locale
    of the test's `language`. Fails the test on a JavaScript error, a static file that did
    not load, or a Content Security Policy violation."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=TABLET,
        locale=BROWSER_LOCALES[language_of(request)],
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    tab.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text} at {tab.url} {message.location}")
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    tab.on(
        "response",
        lambda response: (
            problems.append(f"static {response.status} {response.url}")
            if "/static/" in response.url and response.status >= 400
            else None
        ),
    )
    yield tab
    context.close()
    assert not problems, problems


@pytest.fixture
def api(browser, live_server) -> Iterator:
    """The app's side: JSON requests to the API, with no browser session."""
    context = browser.new_context(base_url=live_server.url)
    yield context.request
    context.close()


@pytest.fixture
def physio_account(transactional_db, request):
    """A physio of the test clinic who chose the test's `language`."""
    physio = accounts.user_create(
        email="physio@example.org",
        password=PASSWORD,
        role="physio",
        language=language_of(request),
    )
    staff_add(clinic=the_test_clinic(), user=physio)
    return physio

"""Every portal page on a clinic's desktop screens (1280 × 800 and 1440 × 900), in Debian's
Chromium: the document never scrolls sideways and axe-core reports no violation, the
second-factor pages (enrolment, a wrong code, recovery codes, the code page) included;
the caseload stays in its width with long names and many alerts; the Today list shows each
source of work and drops it once dealt with; the diary's filter and pages from the
browser."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.services import care_link_create
from tests.factories import (
    PASSWORD,
    AlertFactory,
    EpisodeFactory,
    ExerciseLogFactory,
    ExercisePlanFactory,
    GoalFactory,
    InstrumentVersionFactory,
    MessageFactory,
    OutcomeResponseFactory,
    OutcomeScheduleFactory,
    PatientFactory,
    PlanItemFactory,
    SymptomLogFactory,
)

from .portal import (
    DESKTOPS,
    LANGUAGES,
    Accessibility,
    by_language_at_one_size,
    caseload_table,
    sign_in,
    signed_in_physio,
    totp_now,
    words,
)

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

# Every page at each desktop size in English, and in each other language the portal speaks
# (the physio's choice and the browser's) at the first size.
by_size_and_language = by_language_at_one_size(DESKTOPS)
by_language = pytest.mark.parametrize("language", LANGUAGES)

LONG_NAME = "Alexandra Konstantinopoulou-Whitfield-Oberhauser-Lindqvist"


def document_width(page) -> tuple[int, int]:
    """The page's scrolling element: its scrollWidth and clientWidth."""
    return tuple(
        page.evaluate(
            "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
        )
    )


def fits(page, a11y: Accessibility, name: str, language: str = "en") -> None:
    """No sideways scrolling of the document, no axe violation, and the page says which
    language it is in (`<html lang>`)."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    scroll_width, client_width = document_width(page)
    assert scroll_width <= client_width, f"{name}: {scroll_width} > {client_width}"
    a11y.check(page, name)


@by_size_and_language
def test_the_second_factor_pages_at_desktop_sizes(portal_page, physio_account, viewport, language):
    page, a11y, t = portal_page, Accessibility(), words(language)
    size = f"{viewport['width']}-{language}"
    page.set_viewport_size(viewport)
    page.goto("/clinic/sign-in/")
    fits(page, a11y, f"desktop-{size}-01-sign-in", language)
    sign_in(page, physio_account.email, language=language)
    page.wait_for_url("**/clinic/two-factor/setup/**")
    expect(page.get_by_role("img", name=re.compile("QR"))).to_be_visible()
    fits(page, a11y, f"desktop-{size}-02-enrolment", language)

    secret = page.locator("#totp-secret").inner_text()
    wrong = "000000" if totp_now(secret) != "000000" else "111111"
    page.get_by_label(t("Code from the app")).fill(wrong)
    page.get_by_role("button", name=t("Confirm")).click()
    expect(
        page.get_by_text(
            t("That code did not match. Check the phone's clock and try the newest code.")
        )
    ).to_be_visible()
    fits(page, a11y, f"desktop-{size}-03-enrolment-wrong-code", language)

    page.wait_for_timeout(1_100)  # after a wrong code the next one waits a second
    page.get_by_label(t("Code from the app")).fill(totp_now(secret))
    page.get_by_role("button", name=t("Confirm")).click()
    codes = page.get_by_role("list", name=t("Recovery codes")).get_by_role("listitem")
    expect(codes).to_have_count(10)
    fits(page, a11y, f"desktop-{size}-04-recovery-codes", language)
    recovery_code = codes.first.inner_text().strip()

    # The next sign-in asks for a code; a wrong one is refused, a recovery code lets in.
    page.context.clear_cookies()
    page.goto("/clinic/sign-in/")
    sign_in(page, physio_account.email, language=language)
    page.wait_for_url("**/clinic/two-factor/**")
    fits(page, a11y, f"desktop-{size}-05-code", language)
    page.get_by_label(t("Code"), exact=True).fill(wrong)
    page.keyboard.press("Enter")
    expect(
        page.get_by_text(t("That code did not work. Wait for the next code and try again."))
    ).to_be_visible()
    fits(page, a11y, f"desktop-{size}-06-code-wrong", language)
    page.wait_for_timeout(1_100)  # after a wrong code the next one waits a second
    page.get_by_label(t("Code"), exact=True).fill(recovery_code)
    page.keyboard.press("Enter")
    page.wait_for_url("**/clinic/")
    expect(page.get_by_role("heading", name=t("Caseload"))).to_be_visible()
    a11y.save(f"desktop-second-factor-{size}")


@by_size_and_language
def test_the_signed_out_pages_at_desktop_sizes(portal_page, physio_account, viewport, language):
    """Sign-in with a wrong password, the forgotten-password pages, a patient refused, and
    an account locked after too many failures."""
    from django.conf import settings

    from apps.accounts import services as accounts
    from apps.accounts.models import AccountToken, TokenPurpose
    from apps.accounts.services import PASSWORD_RESET_LIFETIME
    from apps.accounts.single_use import single_use_issue

    page, a11y, t = portal_page, Accessibility(), words(language)
    size = f"{viewport['width']}-{language}"
    page.set_viewport_size(viewport)
    page.goto("/clinic/sign-in/")
    sign_in(page, physio_account.email, "not-the-password", language=language)
    expect(page.get_by_text(t("The email or the password is wrong."))).to_be_visible()
    fits(page, a11y, f"desktop-{size}-70-sign-in-wrong", language)

    page.get_by_role("link", name=t("Forgotten your password?")).click()
    fits(page, a11y, f"desktop-{size}-71-password-reset", language)
    page.get_by_label(t("E-mail address")).fill(physio_account.email)
    page.get_by_role("button", name=t("Send the link")).click()
    expect(page.get_by_role("heading", name=t("Check your e-mail"))).to_be_visible()
    fits(page, a11y, f"desktop-{size}-72-password-reset-sent", language)
    token = single_use_issue(
        AccountToken,
        scope=TokenPurpose.PASSWORD_RESET,
        lifetime=PASSWORD_RESET_LIFETIME,
        user=physio_account,
        purpose=TokenPurpose.PASSWORD_RESET,
        email=physio_account.email,
    ).token
    page.goto(f"/clinic/password-reset/confirm/?token={token}")
    expect(page.get_by_label(t("New password"), exact=True)).to_be_visible()
    fits(page, a11y, f"desktop-{size}-73-password-reset-confirm", language)

    accounts.user_create(
        email="pat@example.org", password=PASSWORD, role="patient", language=language
    )
    page.goto("/clinic/sign-in/")
    sign_in(page, "pat@example.org", language=language)
    expect(
        page.get_by_role("heading", name=t("The clinic portal is for physiotherapists"))
    ).to_be_visible()
    fits(page, a11y, f"desktop-{size}-74-refused", language)

    page.goto("/clinic/sign-in/")
    locked = page.get_by_text(t("Too many failed sign-ins"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):  # one failure was counted above
        expect(locked).to_have_count(0)
        sign_in(page, physio_account.email, "wrong", language=language)
        page.wait_for_load_state()
    expect(locked).to_be_visible()
    fits(page, a11y, f"desktop-{size}-75-locked", language)
    a11y.save(f"desktop-signed-out-{size}")


@pytest.fixture
def busy_patient(physio_account):
    """A linked patient with something on every tab: a long display name, alerts of every
    level (one acknowledged), logs, a plan whose guidance says reduce, unread messages, a
    questionnaire overdue with scores, an episode with a goal."""
    now = timezone.now()
    patient = PatientFactory(email="alexandra.k-w@physio-example.org", display_name=LONG_NAME)
    link = care_link_create(physio=physio_account, patient=patient)
    episode = EpisodeFactory(patient=patient, physio=physio_account)
    for hours in range(30):
        SymptomLogFactory(
            patient=patient,
            pain_score=hours % 9,
            recorded_at=now - timedelta(hours=5 * hours + 1),
            note="Stiff after the stairs." if hours % 4 == 0 else "",
        )
    AlertFactory(patient=patient)
    AlertFactory(patient=patient, acknowledged=True)
    AlertFactory(patient=patient, worsening=True)
    AlertFactory(patient=patient, missed_exercises=True)
    plan = ExercisePlanFactory(patient=patient, physio=physio_account)
    item = PlanItemFactory(plan=plan, max_pain=10)
    for days in (4, 3, 2, 1):  # four sessions as prescribed, each too painful
        ExerciseLogFactory(
            plan_item=item,
            performed_at=now - timedelta(days=days),
            sets_done=item.sets,
            reps_done=item.reps,
            pain_during=6,
        )
    MessageFactory.create_batch(3, link=link)
    version = InstrumentVersionFactory(title="Lower Extremity Functional Scale (LEFS)")
    schedule = OutcomeScheduleFactory(
        patient=patient,
        physio=physio_account,
        episode=episode,
        instrument=version.instrument,
        every_days=7,
        starts_on=timezone.localdate() - timedelta(days=10),
    )
    OutcomeResponseFactory(schedule=schedule, completed_at=now - timedelta(days=9))
    GoalFactory(episode=episode, instrument=version.instrument_id)
    return patient


@by_size_and_language
def test_every_page_of_a_busy_patient_fits_and_passes_axe(
    portal_page, physio_account, busy_patient, viewport, language
):
    page, a11y = portal_page, Accessibility()
    size = f"{viewport['width']}-{language}"
    page.set_viewport_size(viewport)
    signed_in_physio(page, physio_account)
    fits(page, a11y, f"desktop-{size}-10-caseload", language)
    base = f"/clinic/patients/{busy_patient.pk}"
    for name, path in [
        ("11-overview", "/"),
        ("12-diary", "/diary/"),
        ("13-diary-page-2", "/diary/?page=2"),
        ("14-plan", "/plan/"),
        ("15-outcomes", "/outcomes/"),
        ("16-episode", "/episode/"),
        ("17-messages", "/messages/"),
        ("18-unlink", "/unlink/"),
    ]:
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(LONG_NAME)
        fits(page, a11y, f"desktop-{size}-{name}", language)
    for name, path in [("19-invites", "/clinic/invites/"), ("20-account", "/clinic/account/")]:
        page.goto(path)
        fits(page, a11y, f"desktop-{size}-{name}", language)
    a11y.save(f"desktop-pages-{size}")


@by_size_and_language
def test_the_caseload_with_long_names_and_many_alerts_keeps_its_width(
    portal_page, physio_account, viewport, language
):
    page, a11y, t = portal_page, Accessibility(), words(language)
    page.set_viewport_size(viewport)
    for n in range(6):
        patient = PatientFactory(
            email=f"patient.with.a.very.long.address.number{n}@physio-example.org",
            display_name=f"{LONG_NAME} {n}",
        )
        link = care_link_create(physio=physio_account, patient=patient)
        for _ in range(3):
            AlertFactory(patient=patient)
        AlertFactory(patient=patient, acknowledged=True)
        AlertFactory(patient=patient, missed_exercises=True)
        MessageFactory.create_batch(12, link=link)
    signed_in_physio(page, physio_account)

    table = caseload_table(page, t)
    expect(table.get_by_role("row")).to_have_count(7)
    expect(table.get_by_role("row").nth(1)).to_contain_text(
        t.n("%(count)s alert to resolve", "%(count)s alerts to resolve", 5)
    )
    scroll_width, client_width = document_width(page)
    assert scroll_width <= client_width
    last = table.get_by_role("columnheader").last
    box = last.bounding_box()
    assert box["x"] + box["width"] <= viewport["width"]
    today = page.get_by_role("region", name=t("Today"))
    expect(today.get_by_role("region", name=re.compile(t("Alerts to resolve")))).to_contain_text(
        t("and %(more)s more.", more=22)
    )
    fits(page, a11y, f"desktop-{viewport['width']}-{language}-30-caseload-many-alerts", language)


@by_language
def test_today_shows_each_source_and_drops_it_once_dealt_with(
    portal_page, physio_account, busy_patient, language
):
    """From the Today list: the alert resolved on the overview, the messages read on their
    page, the questionnaire no longer asked, the suggestion applied; back on the caseload
    each group says it is empty."""
    page, a11y, t = portal_page, Accessibility(), words(language)
    page.set_viewport_size(DESKTOPS[0])
    busy_patient.alerts.exclude(kind="red_flag").delete()
    busy_patient.alerts.filter(status="acknowledged").delete()
    signed_in_physio(page, physio_account)
    today = page.get_by_role("region", name=t("Today"))

    def group(title: str):
        return today.get_by_role("region", name=re.compile(t(title)))

    def starts(text: str) -> re.Pattern:
        """A control whose name begins with `text`'s words before its first placeholder."""
        return re.compile("^" + re.escape(text.split("%(")[0]))

    expect(group("Alerts to resolve")).to_contain_text(LONG_NAME)
    expect(group("Unread messages")).to_contain_text(
        t.n("%(count)s unread message", "%(count)s unread messages", 3)
    )
    # "LEFS due <day>, 3 days overdue": each part around the day.
    overdue = t.n(
        "%(name)s due %(day)s, %(count)s day overdue",
        "%(name)s due %(day)s, %(count)s days overdue",
        3,
        name="LEFS",
        day="\0",
    )
    for part in overdue.split("\0"):
        expect(group("Questionnaires overdue")).to_contain_text(part)
    expect(group("Suggestions to reduce load")).to_contain_text(
        t.n("%(count)s exercise to reduce", "%(count)s exercises to reduce", 1)
    )
    fits(page, a11y, f"desktop-{language}-40-today-full", language)

    group("Alerts to resolve").get_by_role("link", name=re.compile(LONG_NAME)).click()
    page.locator("li.alert").first.get_by_role("button", name=starts(t("Resolve"))).click()
    expect(page.get_by_role("status").filter(has_text=t("Resolved"))).to_be_visible()

    page.goto("/clinic/")
    group("Unread messages").get_by_role("link", name=re.compile(LONG_NAME)).click()
    expect(page.get_by_role("heading", name=t("Conversation"))).to_be_visible()
    new = page.locator(".thread .badge").filter(has_text=t("New"))
    expect(new).to_have_count(3)
    # The page marks what it showed as read by itself, a moment after it opened.
    expect(new).to_have_count(0)

    page.goto("/clinic/")
    group("Questionnaires overdue").get_by_role("link", name=re.compile(LONG_NAME)).click()
    page.get_by_role("button", name=starts(t("Stop asking"))).click()
    expect(page.get_by_role("heading", name=t("Questionnaires asked"))).to_be_visible()

    page.goto("/clinic/")
    group("Suggestions to reduce load").get_by_role("link", name=re.compile(LONG_NAME)).click()
    page.get_by_role("button", name=starts(t("Apply: %(next)s"))).first.click()
    applied = t(
        "Applied (%(applied)s). The dosage is now <strong>%(current)s</strong>; the "
        "patient's app shows the change. The next suggestion is judged on sessions done at "
        "this dosage."
    )
    expect(page.get_by_text(starts(applied))).to_be_visible()

    page.goto("/clinic/")
    expect(group("Alerts to resolve")).to_contain_text(t("No alert waits."))
    expect(group("Unread messages")).to_contain_text(t("All messages read."))
    expect(group("Questionnaires overdue")).to_contain_text(t("No questionnaire overdue."))
    expect(group("Suggestions to reduce load")).to_contain_text(t("No suggestion to reduce."))
    fits(page, a11y, f"desktop-{language}-41-today-empty", language)
    a11y.save(f"desktop-today-{language}")


@by_language
def test_the_diary_from_the_browser_filters_pages_and_says_what_it_ignored(
    portal_page, physio_account, busy_patient, language
):
    page, a11y, t = portal_page, Accessibility(), words(language)
    page.set_viewport_size(DESKTOPS[1])
    signed_in_physio(page, physio_account)
    page.goto(f"/clinic/patients/{busy_patient.pk}/diary/")
    diary = page.locator("#diary")
    expect(diary.get_by_role("status").first).to_contain_text(
        t("page %(number)s of %(pages)s", number=1, pages=2)
    )
    expect(page.locator("li.log")).to_have_count(20)
    older = diary.get_by_role("link", name=t("Older logs"))
    older.click()
    expect(diary.get_by_role("status").first).to_contain_text(
        t("page %(number)s of %(pages)s", number=2, pages=2)
    )
    expect(page.locator("li.log").filter(has_text="Stiff after the stairs.")).to_have_count(3)
    expect(older).to_have_count(0)
    fits(page, a11y, f"desktop-{language}-50-diary-last-page", language)

    page.goto(f"/clinic/patients/{busy_patient.pk}/diary/?level=urgent&level=nonsense&page=7")
    no_level = t("A level that does not exist was left out of the filter.")
    expect(page.get_by_role("alert").filter(has_text=no_level)).to_be_visible()
    no_page = t("There is no page %(number)s: showing the last page.", number=7)
    expect(page.get_by_role("alert").filter(has_text=no_page)).to_be_visible()
    expect(page.get_by_label(t("Urgent"))).to_be_checked()
    urgent = busy_patient.symptom_logs.filter(triage_level="urgent").count()
    assert urgent
    expect(page.locator("li.log")).to_have_count(urgent)
    fits(page, a11y, f"desktop-{language}-51-diary-ignored", language)
    a11y.save(f"desktop-diary-{language}")

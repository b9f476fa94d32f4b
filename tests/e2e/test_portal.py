"""A physiotherapist's day in the clinic portal, in Debian's Chromium driven by Playwright,
against pytest-django's live server; the patient's side goes through the API as the app
sends it.

Every page is screenshotted under var/screenshots/ (CI keeps var/) and checked with axe-core
(bundled by axe-playwright-python, so it runs offline): no violation of any impact.
The pages run under the portal's strict Content Security Policy; a violation reported by
the browser fails the test.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from apps.accounts import services as accounts
from apps.alerts.models import Alert
from apps.content.vocabulary import RedFlagCode
from tests.accounts.factories import PASSWORD
from tests.content.factories import ExerciseFactory
from tests.factories.outcomes import InstrumentVersionFactory

from .portal import (
    LANGUAGES,
    TABLET,
    Accessibility,
    api_token,
    at,
    linked_patient_through_the_app,
    sign_in,
    signed_in_physio,
    symptom_log,
    totp_now,
    totp_now_of,
    words,
)

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


@pytest.fixture
def library(transactional_db):
    ExerciseFactory(
        slug="wall-calf-stretch",
        name="Wall calf stretch",
        summary="Stretches the calf muscles against a wall.",
        instructions="Stand facing a wall.\nStep one foot back, heel down.\nLean in until the calf stretches.",
        default_reps=None,
        default_hold_seconds=30,
        default_sets=3,
    )
    ExerciseFactory(slug="quad-sets", name="Quad sets", target_area="quadriceps", default_reps=10)


def dosage(t, sets: int, reps: int) -> str:
    """ "3 sets × 10 reps" as the load guidance words it."""
    return f"{t.n('%(count)s set', '%(count)s sets', sets)} × {t('%(reps)s reps', reps=reps)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_physiotherapists_day_in_the_portal(portal_page, api, physio_account, library, language):
    page, a11y, t = portal_page, Accessibility(), words(language)
    questionnaire = InstrumentVersionFactory(title="Knee function (test scale)")
    portal = page.get_by_role("navigation", name=t("Portal"))

    # 1. Sign in: the password, then the second factor, enrolled at this first sign-in.
    page.goto("/clinic/")
    page.wait_for_url("**/clinic/sign-in/?next=/clinic/")
    a11y.check(page, f"01-sign-in-{language}")
    sign_in(page, physio_account.email, language=language)
    page.wait_for_url("**/clinic/two-factor/setup/**")
    expect(page.get_by_role("img", name=re.compile("QR"))).to_be_visible()
    a11y.check(page, f"02-second-factor-setup-{language}")
    page.get_by_label(t("Code from the app")).fill(
        totp_now(page.locator("#totp-secret").inner_text())
    )
    page.get_by_role("button", name=t("Confirm")).click()
    expect(page.get_by_role("heading", name=t("Your recovery codes"))).to_be_visible()
    expect(
        page.get_by_role("list", name=t("Recovery codes")).get_by_role("listitem")
    ).to_have_count(10)
    a11y.check(page, f"03-recovery-codes-{language}")
    page.get_by_role("link", name=t("I have kept them: continue")).click()
    page.wait_for_url("**/clinic/")
    expect(
        page.get_by_text(t.n("%(counter)s patient in care", "%(counter)s patients in care", 0))
    ).to_be_visible()

    # 2. An invite, which the patient's app redeems through the API.
    portal.get_by_role("link", name=t("Invites")).click()
    page.get_by_role("button", name=t("Create an invite")).click()
    code = page.locator("#invite-code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    expect(
        page.get_by_role("img", name=t("QR code of the invite %(code)s", code=code))
    ).to_be_visible()
    expect(page.get_by_text(f"kneecare://join?code={code}")).to_be_visible()
    a11y.check(page, f"04-invites-{language}")

    registered = api.post(
        "/api/v1/auth/register/",
        data={"email": "pat@example.org", "password": PASSWORD, "timezone": "Europe/London"},
    )
    assert registered.status == 201, registered.text()
    patient_auth = api_token(api, "pat@example.org")
    joined = api.post("/api/v1/care-team/join/", data={"code": code}, headers=patient_auth)
    assert joined.status == 201, joined.text()

    # 3. The patient is on the caseload; build a plan for them.
    portal.get_by_role("link", name=t("Caseload")).click()
    page.get_by_role("link", name="pat@example.org").click()
    expect(page.get_by_role("heading", name="pat@example.org", level=1)).to_be_visible()
    page.get_by_role("link", name=t("Exercise plan")).click()
    page.get_by_label(t("Search exercises")).fill("calf")
    results = page.locator("#exercise-results .exercise-results > li")
    expect(results).to_have_count(1)  # the library, searched as the physio types
    add = results.get_by_role(
        "button",
        name=t(
            'Add<span class="visually-hidden"> %(name)s</span> to the plan',
            name="Wall calf stretch",
        ),
    )
    results.get_by_text(t("Instructions")).click()
    expect(page.get_by_text("Lean in until the calf stretches.")).to_be_visible()
    add.click()
    item = page.locator("[data-plan-item]").first
    expect(item.get_by_role("group", name=t("Days"))).to_be_visible()
    page.get_by_label(t("Title")).fill("Calf after the clot scare")
    page.get_by_label(t("Reminder times")).fill("08:00, 18:30")
    item.get_by_label(t("Sun")).uncheck()
    expect(page.locator("#week-preview")).to_contain_text(t("Rest day"))
    expect(page.locator("#week-preview")).to_contain_text(
        t("Reminders at %(times)s", times="08:00, 18:30")
    )
    a11y.check(page, f"05-plan-builder-{language}")
    page.get_by_role("button", name=t("Create plan")).click()
    expect(
        page.get_by_text(
            t("The plan is saved. The patient's app shows it and its reminders follow it.")
        )
    ).to_be_visible()
    a11y.check(page, f"06-plan-saved-{language}")

    # 4. The app logs symptoms and exercise sessions; the patient page charts them.
    logs = [symptom_log(days, pain) for days, pain in ((9, 3), (7, 4), (5, 4), (3, 5), (2, 6))]
    logs.append(symptom_log(0.1, 7, redness=True, warmth=True, swelling="significant"))
    stored = api.post("/api/v1/symptom-logs/bulk/", data=logs, headers=patient_auth)
    assert stored.status == 200, stored.text()
    today = api.get("/api/v1/today/", headers=patient_auth).json()
    if today["items"]:
        done = api.post(
            "/api/v1/exercise-logs/",
            data={
                "client_id": str(uuid.uuid4()),
                "plan_item": today["items"][0]["plan_item"],
                "performed_at": datetime.now(UTC).isoformat(),
                "sets_done": 3,
                "pain_during": 2,
            },
            headers=patient_auth,
        )
        assert done.status == 201, done.text()

    # 5. From the caseload, the most urgent patient is one click away: first row, sorted
    # by the most urgent open alert by default.
    portal.get_by_role("link", name=t("Caseload")).click()
    first_row = page.locator("table.caseload tbody tr").first
    expect(first_row).to_contain_text(t("Urgent"))
    a11y.check(page, f"07-caseload-{language}")
    first_row.get_by_role("rowheader").get_by_role("link").click()
    chart = page.get_by_role("img", name=re.compile(t("Daily pain")))
    expect(chart).to_be_visible()
    numbers = t("%(title)s: the numbers", title=t("Daily pain, last %(days)s days", days=28))
    expect(page.locator("table", has_text=numbers)).to_contain_text(t("red flag"))
    expect(page.get_by_role("img", name=re.compile(t("Exercise sessions done")))).to_be_visible()
    a11y.check(page, f"08-patient-{language}")

    # 6. Acknowledge the alert in place (htmx), then the status says so. The red flag's
    # name stays English until an editor reviewed its translation (none here).
    alert = page.locator("li.alert").first
    expect(alert).to_contain_text(str(RedFlagCode.POSSIBLE_DVT.label))
    alert.get_by_role("button", name=t("Acknowledge")).click()
    expect(page.locator("li.alert").first).to_contain_text(f"{t('Status:')} {t('Acknowledged')}")
    assert Alert.objects.get().status == "acknowledged"
    a11y.check(page, f"09-alert-acknowledged-{language}")

    # 7. Messages: the patient writes from the app; the physio reads and answers here.
    link_id = api.get("/api/v1/care-team/", headers=patient_auth).json()["results"][0]["id"]
    sent = api.post(
        f"/api/v1/care-team/{link_id}/messages/",
        data={"client_id": str(uuid.uuid4()), "body": "Is it fine to walk to work?"},
        headers=patient_auth,
    )
    assert sent.status == 201, sent.text()
    page.get_by_role("link", name=t("Messages")).click()
    expect(page.locator("ol.thread")).to_contain_text("Is it fine to walk to work?")
    expect(page.get_by_role("status").filter(has_text=t("All messages read."))).to_be_visible()
    # Read: the "New" badges and the tab's count clear without a reload.
    expect(page.locator("ol.thread").get_by_text(t("New"), exact=True)).to_have_count(0)
    messages_tab = page.get_by_role("link", name=re.compile(f"^{t('Messages')}"))
    expect(messages_tab).to_have_text(t("Messages"))
    page.get_by_label(t("Message to the patient")).fill(
        "Yes, at an easy pace. Log any new swelling."
    )
    page.get_by_role("button", name=t("Send")).click()
    expect(page.locator("ol.thread li.mine")).to_contain_text("Yes, at an easy pace.")
    a11y.check(page, f"10-messages-{language}")
    thread = api.get(f"/api/v1/care-team/{link_id}/messages/", headers=patient_auth).json()
    assert thread["results"][0]["body"] == "Yes, at an easy pace. Log any new swelling."

    # 8. Outcome measures: ask for a questionnaire here, the app answers it, the chart shows
    # the scores against the band of the baseline ± the MCID.
    page.get_by_role("link", name=t("Outcome measures")).click()
    page.get_by_label(t("Questionnaire"), exact=True).select_option(label=questionnaire.title)
    page.get_by_label(t("Every (days)")).fill("14")
    page.get_by_role("button", name=t("Ask the patient")).click()
    expect(
        page.get_by_text(
            t.n(
                "%(name)s every day",
                "%(name)s every %(days)s days",
                14,
                name=questionnaire.title,
                days=14,
            )
        )
    ).to_be_visible()
    for values, minutes_ago in (((0, 1), 120), ((2, 2), 1)):
        answered = api.post(
            "/api/v1/outcome-responses/",
            data={
                "client_id": str(uuid.uuid4()),
                "instrument": questionnaire.instrument_id,
                "answers": [{"item": "1", "value": values[0]}, {"item": "2", "value": values[1]}],
                "completed_at": (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat(),
            },
            headers=patient_auth,
        )
        assert answered.status in (200, 201), answered.text()
    page.reload()
    expect(page.get_by_role("img", name=re.compile(re.escape(questionnaire.title)))).to_be_visible()
    expect(page.get_by_text(t("Improved by at least the MCID"))).to_be_visible()
    a11y.check(page, f"14-outcomes-{language}")

    # A tablet held upright: the plan builder falls into one column.
    page.set_viewport_size({"width": 820, "height": 1180})
    page.get_by_role("link", name=t("Exercise plan")).click()
    expect(page.get_by_role("button", name=t("Save changes"))).to_be_visible()
    a11y.check(page, f"13-plan-builder-portrait-{language}")
    page.set_viewport_size(TABLET)

    # The search and the open-alerts filter narrow the caseload without a page load.
    portal.get_by_role("link", name=t("Caseload")).click()
    page.get_by_label(t("Only patients with alerts to resolve")).check()
    # The acknowledged red flag is not resolved: the patient stays in the filtered list.
    in_care = t.n("%(counter)s patient in care", "%(counter)s patients in care", 1)
    expect(page.get_by_text(f"{in_care} {t('with alerts to resolve')}.")).to_be_visible()
    a11y.save(f"day-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_returning_physio_signs_in_with_a_code_and_the_keyboard(
    portal_page, physio_account, language
):
    from tests.second_factor import authenticator_for

    device = authenticator_for(physio_account)
    page, a11y, t = portal_page, Accessibility(), words(language)
    page.goto("/clinic/sign-in/")
    expect(page.locator("html")).to_have_attribute("lang", language)

    # The sign-in page puts the cursor in the email field.
    expect(page.get_by_label(t("Email"))).to_be_focused()
    page.keyboard.type(physio_account.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/clinic/two-factor/**")
    expect(page.locator("html")).to_have_attribute("lang", language)
    a11y.check(page, f"11-second-factor-{language}")
    page.get_by_label(t("Code"), exact=True).fill(
        "000000" if totp_now_of(device) != "000000" else "111111"
    )
    page.keyboard.press("Enter")
    expect(
        page.get_by_text(t("That code did not work. Wait for the next code and try again."))
    ).to_be_visible()
    page.wait_for_timeout(1_100)  # after a wrong code the next one waits a second
    page.get_by_label(t("Code"), exact=True).fill(totp_now_of(device))
    page.keyboard.press("Enter")
    page.wait_for_url("**/clinic/")
    expect(page.get_by_role("heading", name=t("Caseload"))).to_be_visible()

    # The skip link is the first stop of the Tab key, visible when focused, and takes the
    # keyboard past the header into the page's content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=t("Skip to main content"))
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    a11y.save(f"returning-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_patient_is_refused_with_a_clear_message(portal_page, transactional_db, language):
    accounts.user_create(
        email="pat@example.org", password=PASSWORD, role="patient", language=language
    )
    page, t = portal_page, words(language)
    page.goto("/clinic/sign-in/")
    sign_in(page, "pat@example.org", language=language)
    expect(
        page.get_by_role("heading", name=t("The clinic portal is for physiotherapists"))
    ).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)
    Accessibility().check(page, f"12-refused-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_physio_applies_a_load_suggestion(portal_page, api, physio_account, library, language):
    """The app logs four easy sessions of quad sets and the mornings around them; the
    overview suggests progress with its reasons and numbers; Apply takes one step and the
    page shows the new dosage, which the plan builder then shows too."""
    from apps.content.models import Exercise
    from apps.plans.models import PlanItem
    from apps.plans.services import plan_create

    page, a11y, t = portal_page, Accessibility(), words(language)
    patient, patient_auth = linked_patient_through_the_app(api, physio_account)
    today = datetime.now(UTC).date()
    plan = plan_create(
        physio=physio_account,
        patient_id=patient.pk,
        title="Knee strength",
        start_date=today - timedelta(days=7),
        end_date=today + timedelta(weeks=6),
        items=[
            {
                "exercise": Exercise.objects.get(slug="quad-sets"),
                "sets": 2,
                "reps": 10,
                "days_of_week": [0, 1, 2, 3, 4, 5, 6],
                "max_pain": 4,
            }
        ],
    )
    item = plan.items.get()

    # Mornings: pain 3 on each of the last five mornings; sessions in the afternoons of
    # four of those days, all sets and reps, pain 1 during, rated 2 of 5.
    mornings = [
        {
            "client_id": str(uuid.uuid4()),
            "recorded_at": at(days, 8),
            "pain_score": 3,
            "locations": ["front_of_knee"],
        }
        for days in (5, 4, 3, 2, 1)
    ]
    stored = api.post("/api/v1/symptom-logs/bulk/", data=mornings, headers=patient_auth)
    assert stored.status == 200, stored.text()
    assert {row["status"] for row in stored.json()["results"]} == {"created"}, stored.text()
    for days in (5, 4, 3, 2):
        done = api.post(
            "/api/v1/exercise-logs/",
            data={
                "client_id": str(uuid.uuid4()),
                "plan_item": str(item.pk),
                "performed_at": at(days, 15),
                "sets_done": 2,
                "reps_done": 10,
                "pain_during": 1,
                "difficulty": 2,
            },
            headers=patient_auth,
        )
        assert done.status == 201, done.text()

    signed_in_physio(page, physio_account)
    page.get_by_role("link", name="pat@example.org").click()
    guidance = page.get_by_role("region", name=t("Load guidance"))
    expect(guidance).to_contain_text(
        t(
            "These suggestions are advice from the pain-monitoring model, not decisions: you "
            "decide. Nothing changes until you press Apply, and Apply takes one step."
        )
    )
    quads = guidance.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Quad sets")
    )
    expect(quads.locator(".suggestion")).to_have_text(t("Progress"))
    expect(quads).to_contain_text(
        t("Sessions done as prescribed, with little pain and no worse mornings.")
    )
    expect(quads.locator(".dosage")).to_have_text(dosage(t, 2, 10))
    quads.get_by_text(t("The numbers behind it")).click()
    expect(quads.locator(".evidence")).to_contain_text(t("Sessions in the last 7 days"))
    a11y.check(page, f"15-load-guidance-{language}")

    apply = t("Apply: %(next)s", next=dosage(t, 3, 10))
    quads.get_by_role("button", name=re.compile(re.escape(apply))).click()
    applied = t(
        "Applied (%(applied)s). The dosage is now <strong>%(current)s</strong>; the "
        "patient's app shows the change. The next suggestion is judged on sessions done at "
        "this dosage.",
        applied=t("Progress").lower(),
        current=dosage(t, 3, 10),
    )
    expect(page.get_by_role("status").filter(has_text=applied)).to_be_visible()
    item = PlanItem.objects.get(pk=item.pk)
    assert (item.sets, item.reps, item.dosage_version) == (3, 10, 2)
    a11y.check(page, f"16-load-guidance-applied-{language}")

    # The plan builder shows the new dosage; the patient's app gets it too.
    page.get_by_role("link", name=t("Exercise plan")).click()
    expect(page.locator("[data-plan-item]").first.get_by_label(t("Sets"))).to_have_value("3")
    today_items = api.get("/api/v1/today/", headers=patient_auth).json()["items"]
    assert [entry["sets"] for entry in today_items] == [3]
    a11y.save(f"guidance-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_physio_discharges_a_patient_and_downloads_the_report(
    portal_page, api, physio_account, library, language
):
    """Open an episode, set a goal on LEFS, discharge with the confirmation, and download
    the frozen report as a PDF that names the episode."""
    import io

    from pypdf import PdfReader

    from apps.episodes.models import Episode
    from apps.outcomes.services import instruments_load

    instruments_load()
    page, a11y, t = portal_page, Accessibility(), words(language)
    linked_patient_through_the_app(api, physio_account)
    signed_in_physio(page, physio_account)
    page.get_by_role("link", name="pat@example.org").click()
    page.get_by_role("link", name=t("Episode and goals")).click()

    # No episode yet: open one.
    page.get_by_label(t("Title")).fill("Left calf strain after a long run")
    a11y.check(page, f"17-episode-open-{language}")
    page.get_by_role("button", name=t("Open the episode")).click()
    expect(page.get_by_role("status")).to_contain_text(
        t("The episode is open. New plans and questionnaires join it.")
    )
    expect(
        page.get_by_role("heading", name="Left calf strain after a long run", level=2)
    ).to_be_visible()

    # A goal on the lower extremity functional scale; a target out of range is refused first.
    page.get_by_label(t("Description")).fill("Run 5 km without calf pain")
    page.get_by_label(t("Questionnaire"), exact=True).select_option("lefs")
    page.get_by_label(t("Target score")).fill("90")
    page.get_by_label(t("Due by")).fill((datetime.now(UTC).date() + timedelta(weeks=8)).isoformat())
    page.get_by_role("button", name=t("Add the goal")).click()
    # (the words before the range, which the service writes as numbers for people: 0 to 80)
    out_of_range = t("Must be within the instrument's scores, %(min)s to %(max)s.").split("%(")[0]
    expect(page.get_by_role("alert")).to_contain_text(out_of_range)
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.locator("#id_target_error")).to_contain_text(out_of_range)
    page.get_by_label(t("Target score")).fill("65")
    page.get_by_role("button", name=t("Add the goal")).click()
    goals = page.get_by_role("table")
    expect(goals).to_contain_text("Run 5 km without calf pain")
    expect(goals).to_contain_text(t("Progressing"))
    a11y.check(page, f"18-episode-goals-{language}")

    # Discharge asks for the confirmation, then archives and freezes.
    page.get_by_label(t("Discharge note")).fill("Back to running three times a week.")
    discharge = page.get_by_role("button", name=t("Discharge the patient"))
    discharge.click()
    expect(page.get_by_role("alert")).to_contain_text(t("Tick the box to confirm the discharge."))
    a11y.check(page, f"19a-discharge-not-confirmed-{language}")
    assert Episode.objects.get().status == "active"
    page.get_by_label(
        t(
            "I understand: the plans are archived, the questionnaires end and their reminders "
            "are cancelled."
        )
    ).check()
    discharge.click()
    expect(page.get_by_role("status")).to_contain_text(
        t(
            "The patient is discharged: plans archived, questionnaires ended, reminders "
            "cancelled. The report is frozen as it stands today."
        )
    )
    assert Episode.objects.get().status == "discharged"
    a11y.check(page, f"19-episode-discharged-{language}")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(re.escape(t("Download report (PDF)")))).click()
    download = download_info.value
    assert download.suggested_filename == f"episode-{Episode.objects.get().pk}-report.pdf"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF")
    # Words as read, not lines: a goal wraps inside its table cell (the embedded Unicode
    # font is wider than the old standard one).
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split()
    )
    assert "Left calf strain after a long run" in text
    assert "Run 5 km without calf pain" in text
    a11y.save(f"discharge-{language}")

"""Editors at work in the admin, in a real browser, and what the app's API then serves."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from apps.content.models import Condition, ProtocolStep, Status
from tests.factories import ConditionFactory, IceStepFactory, ProtocolFactory, link

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


@pytest.fixture
def api(browser, live_server) -> Iterator:
    """The read API as the app calls it: anonymous, without the editor's admin session."""
    context = browser.new_context(base_url=live_server.url)
    yield context.request
    context.close()


def draft_condition_with_ice_protocol(summary: str = "Fluid behind the knee.") -> Condition:
    protocol = ProtocolFactory(regions=["calf"], status=Status.PUBLISHED)
    IceStepFactory(protocol=protocol, min_minutes=15, max_minutes=20)
    condition = ConditionFactory(regions=["calf"], status=Status.DRAFT, summary=summary)
    link(condition, protocols=[protocol])
    return condition


def save(page) -> None:
    page.locator("input[name=_save]").click()


def test_an_editor_edits_and_publishes_a_condition_and_the_api_serves_it(editor_page, api):
    page = editor_page
    condition = draft_condition_with_ice_protocol()
    protocol = condition.protocols.get()
    expect(page.get_by_role("link", name="Conditions")).to_be_visible()

    # Edit the condition's summary.
    page.goto(f"/admin/content/condition/{condition.pk}/change/")
    page.locator("#id_summary_en").fill("A swelling of fluid behind the knee.")
    save(page)
    page.wait_for_url("**/admin/content/condition/")
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")

    # Shorten the ice step, in the protocol's sortable stacked inline.
    page.goto(f"/admin/content/protocol/{protocol.pk}/change/")
    max_minutes = page.locator("input[name=steps-0-max_minutes]")
    expect(max_minutes).to_have_value("20")
    max_minutes.fill("18")
    save(page)
    page.wait_for_url("**/admin/content/protocol/")
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")

    # Still a draft: the app cannot see it.
    assert api.get(f"/api/v1/conditions/{condition.slug}/").status == 404

    # Publish with the changelist action.
    page.goto("/admin/content/condition/")
    page.locator(f"input.action-select[value='{condition.pk}']").check()
    page.locator("select[name=action]").select_option(label="Publish selected items")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist .success")).to_contain_text("1 item published.")

    response = api.get(f"/api/v1/conditions/{condition.slug}/")
    assert response.status == 200
    assert response.json()["summary"] == "A swelling of fluid behind the knee."
    response = api.get(f"/api/v1/protocols/{protocol.slug}/")
    assert response.status == 200
    ice = next(step for step in response.json()["steps"] if step["kind"] == "ice")
    assert ice["max_minutes"] == 18


def test_an_ice_step_of_25_minutes_is_refused_with_a_visible_message(editor_page):
    page = editor_page
    step = IceStepFactory(protocol=ProtocolFactory(regions=["calf"]))

    page.goto(f"/admin/content/protocol/{step.protocol.pk}/change/")
    page.locator("input[name=steps-0-max_minutes]").fill("25")
    save(page)

    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".errorlist").first).to_contain_text("An ice step lasts 15 to 20 minutes.")
    expect(page.locator("input[name=steps-0-max_minutes]")).to_have_value("25")
    assert ProtocolStep.objects.get(pk=step.pk).max_minutes == 20


def test_an_editor_cannot_open_the_users_page(editor_page):
    page = editor_page

    response = page.goto("/admin/accounts/user/")
    assert response is not None
    assert response.status == 403

    page.goto("/admin/")
    content = page.locator("#content-main")
    expect(content.get_by_role("link", name="Conditions")).to_be_visible()
    expect(content).not_to_contain_text(re.compile(r"Users|Accounts"))
    expect(page.get_by_role("link", name="Users")).to_have_count(0)


def test_the_preview_page_shows_the_condition_as_the_app_will(editor_page):
    page = editor_page
    condition = ConditionFactory(
        regions=["calf"], status=Status.DRAFT, summary="Fluid collects in a sac behind the knee."
    )

    page.goto(f"/admin/content/condition/{condition.pk}/change/")
    page.get_by_role("link", name="Preview in the app").click()
    page.wait_for_url(f"**/admin/content/condition/{condition.pk}/preview/")

    preview = page.locator("#app-preview")
    expect(preview).to_contain_text("Fluid collects in a sac behind the knee.")
    expect(preview).to_contain_text("Draft: not visible in the app yet.")


def test_the_history_lists_the_editors_change(editor_page, editor_account):
    page = editor_page
    condition = ConditionFactory(regions=["calf"], status=Status.DRAFT)

    page.goto(f"/admin/content/condition/{condition.pk}/change/")
    page.locator("#id_summary_en").fill("Edited for the history.")
    save(page)
    page.wait_for_url("**/admin/content/condition/")

    page.goto(f"/admin/content/condition/{condition.pk}/change/")
    page.get_by_role("link", name="History").click()
    page.wait_for_url(f"**/admin/content/condition/{condition.pk}/history/")

    rows = page.locator("#change-history tbody tr")
    expect(rows).to_have_count(2)  # the factory's creation, then the editor's change
    editor_row = rows.filter(has_text=editor_account.email)
    expect(editor_row).to_have_count(1)
    expect(editor_row).to_contain_text("Changed")


def test_an_editor_writes_the_spanish_summary_and_a_spanish_reader_gets_it(editor_page, api):
    page = editor_page
    condition = draft_condition_with_ice_protocol(summary="Fluid behind the knee.")
    condition.status = Status.PUBLISHED
    condition.save()

    page.goto(f"/admin/content/condition/{condition.pk}/change/")
    expect(page.locator("#id_summary_en")).to_have_value("Fluid behind the knee.")
    page.locator("#id_summary_es").fill("Líquido detrás de la rodilla.")
    save(page)
    page.wait_for_url("**/admin/content/condition/")
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")

    url = f"/api/v1/conditions/{condition.slug}/"
    spanish = api.get(url, headers={"Accept-Language": "es-ES;q=0.9"})
    assert spanish.headers["content-language"] == "es"
    assert spanish.json()["summary"] == "Líquido detrás de la rodilla."
    english = api.get(url, headers={"Accept-Language": "en"})
    assert english.json()["summary"] == "Fluid behind the knee."

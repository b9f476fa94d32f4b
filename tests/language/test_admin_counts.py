"""Issue 24: the admin's counts after an action, and a refused list of codes, say each
number in its plural in the editor's language, never "item(s)" or "code(s)"."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from apps.accounts import services as accounts
from apps.content.models import Status
from apps.outcomes.models import InstrumentVersion
from apps.outcomes.services import instruments_load
from tests.factories import ConditionFactory
from tests.second_factor import admin_sign_in

pytestmark = pytest.mark.django_db


def editor_in(language: str) -> Client:
    editor = accounts.user_create(
        email="ed@example.org", password="Edit-content-2026", role="editor"
    )
    editor.language = language
    editor.save(update_fields=["language"])
    client = Client()
    admin_sign_in(client, editor)
    return client


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("language", "count", "message"),
    [
        ("en", 1, "1 item moved back to draft."),
        ("en", 2, "2 items moved back to draft."),
        ("es", 1, "1 elemento devuelto a borrador."),
        ("es", 2, "2 elementos devueltos a borrador."),
    ],
)
def test_unpublishing_counts_the_items_in_the_editors_plural(language, count, message):
    conditions = ConditionFactory.create_batch(count, status=Status.PUBLISHED)
    browser = editor_in(language)

    response = browser.post(
        "/admin/content/condition/",
        {"action": "unpublish", "_selected_action": [c.pk for c in conditions]},
    )

    assert said(response) == [message]


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "1 version switched on."), ("es", "1 versión activada.")],
)
def test_switching_a_version_on_counts_it_in_the_editors_plural(language, message):
    instruments_load()
    lefs = InstrumentVersion.objects.get(instrument_id="lefs")
    InstrumentVersion.objects.filter(pk=lefs.pk).update(enabled=False)
    browser = editor_in(language)

    response = browser.post(
        "/admin/outcomes/instrumentversion/", {"action": "switch_on", "_selected_action": [lefs.pk]}
    )

    assert said(response) == [message]


@pytest.mark.parametrize(
    ("language", "red_flags", "mechanisms"),
    [
        ("en", "Unknown codes: bee_sting, dragon_bite.", "Unknown code: levitation."),
        ("es", "Códigos desconocidos: bee_sting, dragon_bite.", "Código desconocido: levitation."),
    ],
)
def test_unknown_codes_are_counted_in_the_readers_plural(language, red_flags, mechanisms):
    condition = ConditionFactory.build(
        red_flag_codes=["possible_dvt", "dragon_bite", "bee_sting"], mechanisms=["levitation"]
    )
    with translation.override(language), pytest.raises(ValidationError) as caught:
        condition.full_clean()

    assert caught.value.message_dict["red_flag_codes"] == [red_flags]
    assert caught.value.message_dict["mechanisms"] == [mechanisms]

"""Cautions in the reader's language only once reviewed; English otherwise."""

import pytest
import yaml
from django.test import Client

from apps.accounts import services as accounts
from apps.content.models import Exercise, ProtocolStep, split_lines
from apps.content.services import (
    FIXTURE_DIR,
    FIXTURE_FILES,
    caution_translations_load,
    cautions_review_follow_edit,
    content_load_fixtures,
)
from tests.second_factor import admin_sign_in

SPANISH = yaml.safe_load((FIXTURE_DIR / "cautions.es.yaml").read_text(encoding="utf-8"))["lines"]
CALF_STRETCH = "calf-stretch-wall"


def english_caution_lines() -> set[str]:
    lines = set()
    for name in FIXTURE_FILES:
        for record in yaml.safe_load((FIXTURE_DIR / name).read_text(encoding="utf-8")):
            lines |= set(split_lines(record["fields"].get("cautions", "")))
    return lines


@pytest.fixture
def seeded(db):
    content_load_fixtures()
    return caution_translations_load()


def cautions_of(client, slug: str, language: str) -> list[str]:
    response = client.get(f"/api/v1/exercises/{slug}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    return response.json()["cautions"]


def test_every_seed_caution_line_has_a_spanish_line_and_no_more():
    assert set(SPANISH) == english_caution_lines()
    for english, spanish in SPANISH.items():
        assert spanish.strip(), english
        assert spanish != english


def test_bootstrap_gives_every_seed_item_reviewed_spanish_cautions(seeded):
    rows = [*Exercise.objects.exclude(cautions=""), *ProtocolStep.objects.exclude(cautions="")]

    assert rows
    for row in rows:
        assert split_lines(row.cautions_es) == [SPANISH[line] for line in split_lines(row.cautions)]
        assert row.cautions_es_reviewed_by
        assert row.cautions_es_reviewed_at
    assert caution_translations_load().updated == []  # safe to run again


def test_reviewed_cautions_are_served_in_spanish_and_english_stays(seeded, api_client):
    english = Exercise.objects.get(slug=CALF_STRETCH).cautions

    assert cautions_of(api_client, CALF_STRETCH, "en") == split_lines(english)
    assert cautions_of(api_client, CALF_STRETCH, "es") == [
        SPANISH[line] for line in split_lines(english)
    ]


def test_unreviewed_cautions_are_served_in_english(seeded, api_client):
    Exercise.objects.filter(slug=CALF_STRETCH).update(
        cautions_es="Sin revisar", cautions_es_reviewed_by="", cautions_es_reviewed_at=None
    )
    english = Exercise.objects.get(slug=CALF_STRETCH).cautions

    assert cautions_of(api_client, CALF_STRETCH, "es") == split_lines(english)


def test_a_protocols_steps_serve_reviewed_spanish_cautions(seeded, api_client):
    step = ProtocolStep.objects.exclude(cautions="").select_related("protocol").first()
    ProtocolStep.objects.filter(pk=step.pk).update(
        cautions_es_reviewed_at=None, cautions_es_reviewed_by=""
    )

    steps = api_client.get(
        f"/api/v1/protocols/{step.protocol.slug}/", HTTP_ACCEPT_LANGUAGE="es"
    ).json()["steps"]

    served = {entry["position"]: entry["cautions"] for entry in steps}
    assert served[step.position] == split_lines(step.cautions)  # unreviewed: English
    others = step.protocol.steps.exclude(pk=step.pk).exclude(cautions="")
    for other in others:
        assert served[other.position] == split_lines(other.cautions_es)


# --- The admin ---------------------------------------------------------------------------------


@pytest.fixture
def editor_browser(db) -> Client:
    editor = accounts.user_create(
        email="ed@example.org", password="Edit-content-2026", role="editor"
    )
    client = Client()
    admin_sign_in(client, editor)  # the admin asks for the second factor
    return client


def test_an_editor_marks_exercise_cautions_reviewed(editor_browser, seeded, api_client):
    exercise = Exercise.objects.get(slug=CALF_STRETCH)
    Exercise.objects.filter(pk=exercise.pk).update(
        cautions_es="Traducción nueva.", cautions_es_reviewed_by="", cautions_es_reviewed_at=None
    )

    response = editor_browser.post(
        "/admin/content/exercise/",
        {"action": "mark_cautions_reviewed", "_selected_action": [exercise.pk]},
    )

    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.cautions_es_reviewed_by == "ed@example.org"
    assert cautions_of(api_client, CALF_STRETCH, "es") == ["Traducción nueva."]


@pytest.mark.parametrize(
    ("changed", "kept"),
    [(["cautions_es"], False), (["cautions"], False), (["name", "summary"], True)],
)
def test_an_edit_of_either_caution_text_takes_the_review_away(seeded, changed, kept):
    exercise = Exercise.objects.get(slug=CALF_STRETCH)

    cautions_review_follow_edit(row=exercise, changed=changed)

    assert (exercise.cautions_es_reviewed_at is not None) is kept
    assert bool(exercise.cautions_es_reviewed_by) is kept

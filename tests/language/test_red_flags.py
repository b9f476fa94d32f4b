"""Red flags in the patient's language: the same level and codes for everyone, and a
translated title or advice only once an editor has reviewed it (else English)."""

import pytest
import yaml
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts import services as accounts
from apps.content.models import RedFlagTranslation
from apps.content.services import (
    FIXTURE_DIR,
    red_flag_translation_save,
    red_flag_translations_load,
)
from apps.content.vocabulary import DISCLAIMER, RedFlagCode
from apps.symptoms.triage import flag_for
from tests.bodies import symptom_log_body
from tests.conftest import client_for
from tests.factories import PatientFactory
from tests.second_factor import admin_sign_in
from tests.symptoms.test_logging import RED_FLAG_ROWS

URL = "/api/v1/symptom-logs/"
SPANISH = {
    flag["code"]: flag
    for flag in yaml.safe_load((FIXTURE_DIR / "red_flags.es.yaml").read_text(encoding="utf-8"))[
        "flags"
    ]
}
SPANISH_DISCLAIMER = (
    "Esta aplicación ofrece educación general y apoyo para el autocuidado. No diagnostica y "
    "no sustituye a un profesional sanitario. Si está preocupado o los síntomas cambian, "
    "contacte con un profesional de la salud; en una emergencia, llame al número de "
    "emergencias de su zona."
)
DVT_LOG = {"locations": ["calf"], "redness": True, "warmth": True, "tenderness": True}


@pytest.fixture
def seeded(db):
    return red_flag_translations_load()


def triage_of(language: str, fields: dict) -> tuple[dict, str]:
    response = client_for(PatientFactory(language=language)).post(
        URL, symptom_log_body(**fields), format="json"
    )
    assert response.status_code == 201
    return response.json()["triage"], response["Content-Language"]


def test_the_fixtures_translate_every_red_flag_with_words_in_each():
    assert set(SPANISH) == set(RedFlagCode.values)
    for code, flag in SPANISH.items():
        assert flag["title"].strip(), code
        assert flag["advice"].strip(), code
        assert flag["title"] != flag_for(code).title
        assert flag["advice"] != flag_for(code).advice


@pytest.mark.parametrize(
    ("fields", "code", "level"), RED_FLAG_ROWS, ids=[row[1] for row in RED_FLAG_ROWS]
)
def test_the_same_log_gives_the_same_level_and_codes_in_each_language(seeded, fields, code, level):
    english, english_language = triage_of("en", fields)
    spanish, spanish_language = triage_of("es", fields)

    assert (english_language, spanish_language) == ("en", "es")
    assert english["level"] == spanish["level"] == level
    assert [flag["code"] for flag in english["flags"]] == [code]
    assert [flag["code"] for flag in spanish["flags"]] == [code]
    assert english["flags"][0]["source"] == spanish["flags"][0]["source"]
    assert english["disclaimer"] == DISCLAIMER
    assert spanish["disclaimer"] == SPANISH_DISCLAIMER
    assert english["flags"][0]["title"] == flag_for(code).title
    assert english["flags"][0]["advice"] == flag_for(code).advice
    assert spanish["flags"][0]["title"] == SPANISH[code]["title"]
    assert spanish["flags"][0]["advice"] == SPANISH[code]["advice"]


@pytest.mark.django_db
def test_an_unreviewed_translation_is_served_in_english():
    RedFlagTranslation.objects.create(
        code=RedFlagCode.POSSIBLE_DVT, language="es", title="Sin revisar", advice="Sin revisar"
    )

    spanish, _ = triage_of("es", DVT_LOG)

    assert spanish["flags"][0]["title"] == flag_for(RedFlagCode.POSSIBLE_DVT).title
    assert spanish["flags"][0]["advice"] == flag_for(RedFlagCode.POSSIBLE_DVT).advice


def test_a_changed_text_loses_its_review_and_is_served_in_english(seeded):
    stored = RedFlagTranslation.objects.get(code=RedFlagCode.POSSIBLE_DVT, language="es")
    stored.advice = "Otro texto."

    red_flag_translation_save(translation=stored, changed=["advice"])

    stored.refresh_from_db()
    assert (stored.reviewed_by, stored.reviewed_at) == ("", None)
    spanish, _ = triage_of("es", DVT_LOG)
    assert spanish["flags"][0]["advice"] == flag_for(RedFlagCode.POSSIBLE_DVT).advice


def test_a_stored_log_is_read_back_in_the_readers_language(seeded):
    patient = PatientFactory(language="en")
    created = client_for(patient).post(URL, symptom_log_body(**DVT_LOG), format="json").json()
    patient.language = "es"
    patient.save(update_fields=["language"])

    again = client_for(patient).get(f"{URL}{created['id']}/").json()["triage"]

    assert again["level"] == created["triage"]["level"]
    assert again["flags"][0]["title"] == SPANISH["possible_dvt"]["title"]


def test_a_spanish_list_reads_the_translations_once(seeded, django_assert_num_queries):
    patient = PatientFactory(language="es")
    client = client_for(patient)
    for _ in range(3):
        client.post(URL, symptom_log_body(**DVT_LOG), format="json")
    english = client_for(PatientFactory(language="en"))
    for _ in range(3):
        english.post(URL, symptom_log_body(**DVT_LOG), format="json")

    with django_assert_num_queries(2):  # user, the page
        assert english.get(URL).status_code == 200
    with django_assert_num_queries(3):  # and the reviewed translations, once
        listed = client.get(URL).json()["results"]

    assert len(listed) == 3
    assert {log["triage"]["flags"][0]["title"] for log in listed} == {
        SPANISH["possible_dvt"]["title"]
    }


def test_bootstrap_keeps_an_editors_translation(seeded):
    RedFlagTranslation.objects.filter(code=RedFlagCode.CAUDA_EQUINA).update(
        title="Cambiado", reviewed_by="", reviewed_at=None
    )

    report = red_flag_translations_load()

    assert report.created == []
    kept = RedFlagTranslation.objects.get(code=RedFlagCode.CAUDA_EQUINA)
    assert (kept.title, kept.reviewed_at) == ("Cambiado", None)


# --- The admin: an editor reviews, with who and when -------------------------------------------


@pytest.fixture
def editor_browser(db) -> Client:
    editor = accounts.user_create(
        email="ed@example.org", password="Edit-content-2026", role="editor"
    )
    client = Client()
    admin_sign_in(client, editor)  # the admin asks for the second factor
    return client


ADMIN = "/admin/content/redflagtranslation/"


def test_an_editor_marks_a_translation_reviewed_in_the_admin(editor_browser):
    draft = RedFlagTranslation.objects.create(
        code=RedFlagCode.POSSIBLE_INFECTION, language="es", title="Título", advice="Consejo"
    )

    response = editor_browser.post(
        ADMIN, {"action": "mark_reviewed", "_selected_action": [draft.pk]}
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.reviewed_by == "ed@example.org"
    assert draft.reviewed_at is not None
    spanish, _ = triage_of("es", {"fever": True})
    assert spanish["flags"][0]["title"] == "Título"


def test_an_editor_changing_the_advice_takes_the_review_away(editor_browser, seeded):
    stored = RedFlagTranslation.objects.get(code=RedFlagCode.POSSIBLE_INFECTION)

    response = editor_browser.post(
        f"{ADMIN}{stored.pk}/change/", {"title": stored.title, "advice": "Nuevo consejo."}
    )

    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.advice == "Nuevo consejo."
    assert stored.reviewed_at is None
    spanish, _ = triage_of("es", {"fever": True})
    assert spanish["flags"][0]["title"] == flag_for(RedFlagCode.POSSIBLE_INFECTION).title


def test_a_blank_translation_is_refused_in_the_admin(editor_browser, seeded):
    stored = RedFlagTranslation.objects.get(code=RedFlagCode.POSSIBLE_INFECTION)

    response = editor_browser.post(f"{ADMIN}{stored.pk}/change/", {"title": "", "advice": "x"})

    assert response.status_code == 200  # the form again, with its error
    stored.refresh_from_db()
    assert stored.title == SPANISH["possible_infection"]["title"]


def test_a_spanish_bulk_upload_reads_the_translations_once(seeded):
    """However many logs an offline phone sends, the reviewed texts are read once."""
    bodies = [symptom_log_body(**DVT_LOG) for _ in range(6)]
    english = client_for(PatientFactory(language="en"))
    spanish = client_for(PatientFactory(language="es"))

    with CaptureQueriesContext(connection) as in_english:
        english.post(f"{URL}bulk/", bodies[:3], format="json")
    with CaptureQueriesContext(connection) as in_spanish:
        answer = spanish.post(f"{URL}bulk/", bodies[3:], format="json")

    assert len(in_spanish) == len(in_english) + 1
    titles = {item["log"]["triage"]["flags"][0]["title"] for item in answer.json()["results"]}
    assert titles == {SPANISH["possible_dvt"]["title"]}

"""Conditions, protocols (and their steps) and exercises in the reader's language: Spanish
where it is written, English per field where not, and a condition's "when to seek care"
only once reviewed (docs/decisions/content-translations.md)."""

import io

import pytest
import yaml
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from pypdf import PdfReader

from apps.accounts import services as accounts
from apps.content.models import Condition, Exercise, Protocol, ProtocolStep, split_lines
from apps.content.services import (
    CONTENT_TRANSLATION_FILES,
    FIXTURE_DIR,
    FIXTURE_FILES,
    content_load_fixtures,
    content_translations_load,
    translated_fields,
)
from tests.factories import (
    ConditionFactory,
    ExerciseFactory,
    ProtocolFactory,
    ProtocolStepFactory,
    link,
)
from tests.second_factor import admin_sign_in

MODELS = {
    "content.condition": Condition,
    "content.protocol": Protocol,
    "content.exercise": Exercise,
}
# Texts edited one item a line: the Spanish has as many lines as the English.
LINE_FIELDS = {
    "other_names",
    "typical_symptoms",
    "clinician_workup",
    "treatment_outline",
    "when_to_seek_care",
    "instructions",
}
SPANISH = "es-ES;q=0.9"  # what a Spanish phone sends, region and quality included


def read(name: str):
    return yaml.safe_load((FIXTURE_DIR / name).read_text(encoding="utf-8"))


def english_records() -> list[dict]:
    return [record for name in FIXTURE_FILES for record in read(name)]


@pytest.fixture
def seeded(db):
    content_load_fixtures()
    return content_translations_load()


def get(client, url: str, language: str):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content
    return response


# --- The seed Spanish: complete, and loaded as bootstrap does ------------------------------


def test_the_spanish_files_cover_exactly_the_seed_items():
    english = {
        (record["model"], record["fields"]["slug"])
        for record in english_records()
        if record["model"] in MODELS
    }
    spanish = set()
    for name in CONTENT_TRANSLATION_FILES:
        document = read(name)
        spanish |= {(document["model"], slug) for slug in document["items"]}
    assert spanish == english


def _expected_pairs(item, english: dict):
    """(field, English text, Spanish column) for every translatable text of a seed item."""
    for field in (*translated_fields(type(item)), "when_to_seek_care"):
        if field in english and (field != "when_to_seek_care" or isinstance(item, Condition)):
            yield field, english[field], getattr(item, f"{field}_es")


def test_every_seed_item_has_every_translatable_field_in_spanish(seeded):
    checked = 0
    for record in english_records():
        model = MODELS.get(record["model"])
        fields = record["fields"]
        if model is None:
            continue
        item = model.objects.get(slug=fields["slug"])
        for field, english, spanish in _expected_pairs(item, fields):
            if not english.strip():
                continue
            assert (spanish or "").strip(), f"{item.slug}.{field}"
            assert spanish != english, f"{item.slug}.{field} is not translated"
            if field in LINE_FIELDS:
                assert len(split_lines(spanish)) == len(split_lines(english)), (
                    f"{item.slug}.{field}"
                )
            checked += 1
    for step in ProtocolStep.objects.select_related("protocol"):
        for field in ("title", "instructions"):
            spanish = getattr(step, f"{field}_es")
            assert (spanish or "").strip(), f"{step}.{field}"
            assert spanish != getattr(step, f"{field}_en")
        lines = split_lines(step.instructions_en)
        assert len(split_lines(step.instructions_es)) == len(lines), str(step)
        checked += 1
    assert checked > 150  # 13 conditions, 4 protocols with 20 steps, 16 exercises


def test_the_seed_when_to_seek_care_is_loaded_reviewed(seeded):
    for condition in Condition.objects.all():
        assert condition.when_to_seek_care_es.strip(), condition.slug
        assert condition.when_to_seek_care_es_reviewed_by.startswith("seed fixtures")
        assert condition.when_to_seek_care_es_reviewed_at is not None


def test_loading_again_changes_nothing(seeded):
    assert seeded.updated
    assert not seeded.kept_edited
    again = content_translations_load()
    assert again.updated == []
    assert len(again.unchanged) == len(seeded.updated)


def test_bootstrap_keeps_what_an_editor_edited_unless_told(seeded):
    condition = Condition.objects.get(slug="bakers-cyst")
    Condition.objects.filter(pk=condition.pk).update(
        name_es="Quiste poplíteo (editado)", edited_in_admin=True
    )

    report = content_translations_load()
    assert "condition:bakers-cyst (es)" in report.kept_edited
    assert Condition.objects.get(pk=condition.pk).name_es == "Quiste poplíteo (editado)"

    content_load_fixtures(overwrite_edited=True)
    content_translations_load(overwrite_edited=True)
    assert Condition.objects.get(pk=condition.pk).name_es == "Quiste de Baker"


def test_a_spanish_file_with_an_unknown_field_is_refused(db, tmp_path):
    content_load_fixtures()
    bad = tmp_path / "conditions.es.yaml"
    bad.write_text(
        "language: es\nmodel: content.condition\nreviewed_by: x\n"
        'reviewed_at: "2026-01-01T00:00:00Z"\nitems:\n  bakers-cyst:\n    nmae: Quiste\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="nmae"):
        content_translations_load(paths=[bad])
    assert Condition.objects.get(slug="bakers-cyst").name_es is None


# --- Served in the caller's language -------------------------------------------------------


def test_an_anonymous_spanish_reader_gets_the_condition_in_spanish(seeded, api_client):
    response = get(api_client, "/api/v1/conditions/bakers-cyst/", SPANISH)

    assert response["Content-Language"] == "es"
    assert "Accept-Language" in response["Vary"]
    body = response.json()
    assert body["name"] == "Quiste de Baker"
    assert body["other_names"] == ["Quiste poplíteo", "Quiste detrás de la rodilla"]
    assert body["when_to_seek_care"][0].endswith("hágase ver hoy")
    assert body["protocols"][0]["title"].startswith("Cuidados en casa")
    assert all(exercise["name"] != "Wall calf stretch" for exercise in body["exercises"])
    # Codes never change with the language.
    assert body["slug"] == "bakers-cyst"
    assert body["kind"] == "self_care"
    assert {flag["code"] for flag in body["red_flags"]} >= {"possible_dvt"}


def test_an_english_reader_gets_the_same_item_in_english(seeded, api_client):
    body = get(api_client, "/api/v1/conditions/bakers-cyst/", "en").json()
    assert body["name"] == "Baker's cyst"
    assert body["when_to_seek_care"][0].endswith("get seen today")


def test_protocols_steps_and_exercises_are_served_in_spanish(seeded, api_client):
    protocol = get(api_client, "/api/v1/protocols/calf-pain-home-care/", SPANISH).json()
    assert protocol["title"].startswith("Cuidados en casa")
    ice = next(step for step in protocol["steps"] if step["kind"] == "ice")
    assert ice["title"] == "Enfríe la zona dolorida con una bolsa de frío envuelta"
    assert "Déjela de 15 a 20 minutos, nunca más de 20 minutos." in ice["instructions"]

    exercise = get(api_client, "/api/v1/exercises/calf-stretch-wall/", SPANISH).json()
    assert exercise["name"] == "Estiramiento de pantorrilla contra la pared"
    assert len(exercise["instructions"]) == 6

    listed = get(api_client, "/api/v1/exercises/?page_size=100", SPANISH).json()["results"]
    assert "Puente" in {item["name"] for item in listed}


def test_the_spanish_answer_has_its_own_etag(seeded, api_client):
    english = get(api_client, "/api/v1/conditions/bakers-cyst/", "en")
    again = api_client.get(
        "/api/v1/conditions/bakers-cyst/",
        HTTP_ACCEPT_LANGUAGE=SPANISH,
        HTTP_IF_NONE_MATCH=english["ETag"],
    )
    assert again.status_code == 200
    assert again.json()["name"] == "Quiste de Baker"


@pytest.mark.django_db
def test_a_field_without_spanish_falls_back_to_english_never_to_blank(api_client):
    condition = ConditionFactory(
        status="published",
        regions=["calf"],
        name="Calf strain",
        name_es="Distensión de la pantorrilla",
        summary="A pulled calf muscle.",
        typical_symptoms="Sudden pain in the calf",
        when_to_seek_care="Cannot walk: get seen today",
    )
    assert condition.summary_es is None

    body = get(api_client, f"/api/v1/conditions/{condition.slug}/", SPANISH).json()

    assert body["name"] == "Distensión de la pantorrilla"
    assert body["summary"] == "A pulled calf muscle."
    assert body["typical_symptoms"] == ["Sudden pain in the calf"]
    assert body["how_it_links"] == ""  # empty in English too: nothing to fall back to
    assert body["when_to_seek_care"] == ["Cannot walk: get seen today"]


@pytest.mark.django_db
def test_an_empty_string_in_spanish_falls_back_too(api_client):
    exercise = ExerciseFactory(status="published", name="Heel slide", name_es="", summary_es="")
    body = get(api_client, f"/api/v1/exercises/{exercise.slug}/", SPANISH).json()
    assert body["name"] == "Heel slide"


@pytest.mark.django_db
def test_when_to_seek_care_in_spanish_waits_for_its_review(api_client):
    condition = ConditionFactory(
        status="published",
        when_to_seek_care="Fever with knee pain: get seen today",
        when_to_seek_care_es="Fiebre con dolor de rodilla: hágase ver hoy",
    )
    url = f"/api/v1/conditions/{condition.slug}/"

    assert get(api_client, url, SPANISH).json()["when_to_seek_care"] == [
        "Fever with knee pain: get seen today"
    ]
    Condition.objects.filter(pk=condition.pk).update(
        when_to_seek_care_es_reviewed_by="clinician@example.org",
        when_to_seek_care_es_reviewed_at="2026-12-01T00:00:00Z",
    )
    assert get(api_client, url, SPANISH).json()["when_to_seek_care"] == [
        "Fiebre con dolor de rodilla: hágase ver hoy"
    ]


# --- Query counts: the same in both languages ----------------------------------------------


def _count(client, url: str, language: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        get(client, url, language)
    return len(queries)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # count, conditions, regions, protocol links (+protocols), exercise links (+exercises)
        pytest.param("/api/v1/conditions/", 5, id="condition_list"),
        # condition, regions, protocol links, exercise links
        pytest.param("/api/v1/conditions/bakers-cyst/", 4, id="condition_detail"),
        # count, protocols, regions, steps
        pytest.param("/api/v1/protocols/", 4, id="protocol_list"),
        # protocol, regions, steps
        pytest.param("/api/v1/protocols/calf-pain-home-care/", 3, id="protocol_detail"),
        # count, exercises, regions, media (no renditions: no media)
        pytest.param("/api/v1/exercises/", 4, id="exercise_list"),
        # exercise, regions, media
        pytest.param("/api/v1/exercises/calf-stretch-wall/", 3, id="exercise_detail"),
    ],
)
def test_a_read_costs_the_same_queries_in_english_and_spanish(seeded, api_client, url, expected):
    assert _count(api_client, url, "en") == expected
    assert _count(api_client, url, SPANISH) == expected


# --- Other places content is read ----------------------------------------------------------


@pytest.fixture
def spanish_patient_with_a_plan(make_plan, patient, exercise, other_exercise):
    Exercise.objects.filter(pk=exercise.pk).update(
        name_es="Estiramiento de pantorrilla contra la pared",
        instructions_es="Póngase frente a una pared.\nLleve un pie atrás.\nMantenga.",
    )
    patient.language = "es"
    patient.save(update_fields=["language"])
    return make_plan()


def test_the_sync_pull_names_exercises_in_the_patients_language(
    spanish_patient_with_a_plan, patient, make_client
):
    response = make_client(patient).get("/api/v1/sync/")

    assert response.status_code == 200, response.content
    assert response["Content-Language"] == "es"
    plans = response.json()["changes"]["plans"]
    names = {item["exercise"]["name"] for plan in plans for item in plan["items"]}
    assert names == {"Estiramiento de pantorrilla contra la pared", "Quad sets"}


def test_the_plan_handout_prints_the_spanish_exercise(spanish_patient_with_a_plan, make_client):
    plan = spanish_patient_with_a_plan
    response = make_client(plan.patient).get(f"/api/v1/plans/{plan.id}/handout/")

    assert response.status_code == 200, response.content
    assert response["Content-Language"] == "es"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Estiramiento de pantorrilla contra la pared" in text
    assert "Póngase frente a una pared." in text
    assert "Quad sets" in text  # no Spanish for it: English, not a blank


# --- The editors' admin --------------------------------------------------------------------


@pytest.fixture
def editor_browser(db) -> Client:
    editor = accounts.user_create(
        email="ed@example.org", password="Edit-content-2026", role="editor"
    )
    client = Client()
    admin_sign_in(client, editor)
    return client


def condition_form(condition: Condition, **changes) -> dict:
    data = {
        "slug": condition.slug,
        "kind": condition.kind,
        "status": condition.status,
        "source": condition.source,
        "regions": ["calf"],
        "mechanisms": [],
        "red_flag_codes": [],
        "when_to_seek_care": condition.when_to_seek_care,
        "when_to_seek_care_es": condition.when_to_seek_care_es,
        "protocol_links-TOTAL_FORMS": "0",
        "protocol_links-INITIAL_FORMS": "0",
        "exercise_links-TOTAL_FORMS": "0",
        "exercise_links-INITIAL_FORMS": "0",
    }
    for field in translated_fields(Condition):
        for language in ("en", "es"):
            data[f"{field}_{language}"] = getattr(condition, f"{field}_{language}") or ""
    data.update(changes)
    return data


def test_an_editor_writes_the_spanish_in_the_admin_and_the_api_serves_it(
    editor_browser, api_client
):
    condition = ConditionFactory(status="published", regions=["calf"], name="Calf strain")
    url = f"/admin/content/condition/{condition.pk}/change/"
    page = editor_browser.get(url)
    assert 'name="name_es"' in page.content.decode()

    response = editor_browser.post(
        url, condition_form(condition, name_es="Distensión de la pantorrilla")
    )

    assert response.status_code == 302, response.content.decode()[-2000:]
    condition.refresh_from_db()
    assert (condition.name_en, condition.name_es) == ("Calf strain", "Distensión de la pantorrilla")
    assert condition.edited_in_admin
    # The history versions both columns.
    assert condition.history.first().name_es == "Distensión de la pantorrilla"
    body = get(api_client, f"/api/v1/conditions/{condition.slug}/", SPANISH).json()
    assert body["name"] == "Distensión de la pantorrilla"


def test_editing_when_to_seek_care_takes_the_review_away_and_the_action_sets_it(
    editor_browser, api_client
):
    condition = ConditionFactory(
        status="published",
        regions=["calf"],
        when_to_seek_care="Fever: get seen today",
        when_to_seek_care_es="Fiebre: hágase ver hoy",
        when_to_seek_care_es_reviewed_by="seed",
        when_to_seek_care_es_reviewed_at="2026-12-01T00:00:00Z",
    )
    url = f"/admin/content/condition/{condition.pk}/change/"

    response = editor_browser.post(
        url, condition_form(condition, when_to_seek_care_es="Fiebre: pida cita")
    )
    assert response.status_code == 302
    condition.refresh_from_db()
    assert condition.when_to_seek_care_es_reviewed_at is None
    served = get(api_client, f"/api/v1/conditions/{condition.slug}/", SPANISH).json()
    assert served["when_to_seek_care"] == ["Fever: get seen today"]

    editor_browser.post(
        "/admin/content/condition/",
        {"action": "mark_when_to_seek_care_reviewed", "_selected_action": [condition.pk]},
    )
    condition.refresh_from_db()
    assert condition.when_to_seek_care_es_reviewed_by == "ed@example.org"
    served = get(api_client, f"/api/v1/conditions/{condition.slug}/", SPANISH).json()
    assert served["when_to_seek_care"] == ["Fiebre: pida cita"]


def test_an_editor_writes_a_steps_spanish_in_the_protocol_inline(editor_browser):
    protocol = ProtocolFactory(regions=["calf"])
    step = ProtocolStepFactory(protocol=protocol, position=1)
    data = {
        "title_en": protocol.title,
        "title_es": "Cuidados en casa",
        "slug": protocol.slug,
        "status": protocol.status,
        "source": protocol.source,
        "summary_en": protocol.summary,
        "summary_es": "",
        "regions": ["calf"],
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "1",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-id": str(step.pk),
        "steps-0-protocol": str(protocol.pk),
        "steps-0-position": "1",
        "steps-0-kind": step.kind,
        "steps-0-title_en": step.title,
        "steps-0-title_es": "Descanso",
        "steps-0-instructions_en": step.instructions,
        "steps-0-instructions_es": "Evite correr durante un tiempo.",
        "steps-0-cautions": "",
        "steps-0-cautions_es": "",
    }

    response = editor_browser.post(f"/admin/content/protocol/{protocol.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[-2000:]
    step.refresh_from_db()
    protocol.refresh_from_db()
    assert (step.title_es, step.instructions_es) == ("Descanso", "Evite correr durante un tiempo.")
    assert step.title_en == "Rest"
    assert protocol.title_es == "Cuidados en casa"
    with translation.override("es"):
        assert step.title == "Descanso"


def test_the_admin_search_finds_an_item_by_its_spanish_or_english_name(seeded, editor_browser):
    for text in ("Quiste de Baker", "Baker"):
        page = editor_browser.get("/admin/content/condition/", {"q": text}).content.decode()
        assert "bakers-cyst" in page, text


@pytest.mark.django_db
def test_the_condition_links_keep_english_where_a_linked_item_has_no_spanish(api_client):
    condition = ConditionFactory(status="published", regions=["calf"])
    protocol = ProtocolFactory(status="published", regions=["calf"], title="Rest the calf")
    link(condition, protocols=[protocol])
    body = get(api_client, f"/api/v1/conditions/{condition.slug}/", SPANISH).json()
    assert body["protocols"] == [{"slug": protocol.slug, "title": "Rest the calf"}]


@pytest.mark.parametrize("text", ["quiste", "popliteal", "poplíteo"])
def test_the_api_search_finds_an_item_by_its_spanish_or_english_words(seeded, api_client, text):
    for language in ("en", SPANISH):
        found = get(api_client, f"/api/v1/conditions/?search={text}", language).json()
        assert "bakers-cyst" in {item["slug"] for item in found["results"]}, (text, language)

"""Outcome instruments: a language version only where a validated translation is stored for
that version (none ships); otherwise English. The texts below are test data, not a
validated translation."""

import pytest
from django.core.exceptions import ValidationError

from apps.outcomes.models import InstrumentVersion
from apps.outcomes.services import instruments_load
from tests.conftest import client_for
from tests.factories import PatientFactory

URL = "/api/v1/outcome-instruments/pain_week/"
LABELS = {str(value): f"etiqueta {value}" for value in range(11)}
TRANSLATION = {
    "source": "Test citation of a validated translation (test data only).",
    "title": "Dolor de la última semana",
    "question": "En la última semana,",
    "items": {"average": "¿cuál fue su dolor medio?", "worst": "¿cuál fue su peor dolor?"},
    "answers": LABELS,
}


@pytest.fixture
def pain_week(db):
    instruments_load()
    return InstrumentVersion.objects.get(instrument_id="pain_week")


def read(language: str) -> dict:
    response = client_for(PatientFactory(language=language)).get(URL)
    assert response.status_code == 200
    return response.json()


def test_no_instrument_ships_a_translation(pain_week):
    assert not any(version.translations for version in InstrumentVersion.objects.all())


def test_without_a_stored_translation_a_spanish_reader_gets_english(pain_week):
    assert read("es") == read("en")


def test_a_stored_validated_translation_is_served_to_its_readers_only(pain_week):
    english = read("en")
    pain_week.translations = {"es": TRANSLATION}
    pain_week.full_clean()
    pain_week.save()

    spanish = read("es")

    assert read("en") == english
    assert spanish["title"] == TRANSLATION["title"]
    assert spanish["question"] == TRANSLATION["question"]
    assert [item["text"] for item in spanish["items"]] == list(TRANSLATION["items"].values())
    assert spanish["items"][0]["answers"][3] == {"value": 3, "label": "etiqueta 3"}
    # What is scored never changes: codes, ids, values and the scoring itself.
    assert [item["id"] for item in spanish["items"]] == [item["id"] for item in english["items"]]
    assert spanish["score"] == english["score"]


@pytest.mark.parametrize(
    "translations",
    [
        {"es": {**TRANSLATION, "source": " "}},  # no citation, no version
        {"es": {**TRANSLATION, "title": ""}},
        {"es": {**TRANSLATION, "items": {"average": "¿medio?"}}},  # an item missing
        {"es": {**TRANSLATION, "items": {**TRANSLATION["items"], "extra": "x"}}},
        {"es": {**TRANSLATION, "answers": {"0": "cero"}}},  # answers missing
        {"fr": TRANSLATION},  # a language the service does not offer
        {"es": "texto"},
        ["es"],
    ],
)
def test_an_unusable_translation_is_refused_and_nothing_stored(pain_week, translations):
    pain_week.translations = translations

    with pytest.raises(ValidationError) as refused:
        pain_week.save()

    assert "translations" in refused.value.message_dict
    pain_week.refresh_from_db()
    assert pain_week.translations == {}

"""Which language an answer is in: the signed-in user's, else Accept-Language, else en."""

import pytest
from django.utils import translation

from tests.conftest import client_for
from tests.factories import PatientFactory

ME = "/api/v1/me/"
# DRF's own texts, translated by its catalogues: they show the active language.
NOT_SIGNED_IN = {
    "en": "Authentication credentials were not provided.",
    "es": "Las credenciales de autenticación no se proveyeron.",
}
PUT_REFUSED = {"en": 'Method "PUT" not allowed.', "es": 'Método "PUT" no permitido.'}


def detail(response) -> str:
    return response.json()["errors"][0]["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("es", "es"),
        ("es-ES", "es"),
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("en;q=0.2, es;q=0.8", "es"),  # q-values, not the order, decide
        ("es;q=0.1, en", "en"),
        ("de-DE, es-AR;q=0.5", "es"),  # an unsupported first choice is skipped
        ("fr, de", "en"),
        ("*", "en"),
        ("", "en"),
        ("es;q=nonsense", "en"),  # an unreadable header is no choice at all
    ],
)
def test_an_anonymous_answer_follows_accept_language(api_client, header, language):
    response = api_client.get(ME, HTTP_ACCEPT_LANGUAGE=header)

    assert response.status_code == 401
    assert response["Content-Language"] == language
    assert detail(response) == NOT_SIGNED_IN[language]
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
def test_without_accept_language_the_answer_is_english(api_client):
    response = api_client.get("/api/v1/conditions/")

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize(("own", "header"), [("es", "en"), ("en", "es-ES")])
def test_a_signed_in_users_language_wins_over_the_header(own, header):
    client = client_for(PatientFactory(language=own))

    response = client.put(ME, {}, format="json", HTTP_ACCEPT_LANGUAGE=header)

    assert response.status_code == 405
    assert response["Content-Language"] == own
    assert detail(response) == PUT_REFUSED[own]


@pytest.mark.django_db
def test_a_token_of_no_use_leaves_the_header_to_decide(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = api_client.get(ME, HTTP_ACCEPT_LANGUAGE="es-ES")

    assert response.status_code == 401
    assert response["Content-Language"] == "es"


@pytest.mark.django_db
def test_choosing_a_language_answers_in_it_at_once(patient, patient_client):
    response = patient_client.patch(ME, {"language": "es"}, format="json")

    assert response.status_code == 200
    assert response.json()["language"] == "es"
    assert response["Content-Language"] == "es"
    patient.refresh_from_db()
    assert patient.language == "es"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["fr", "ES", "es-ES", "", None, 1])
def test_only_a_supported_language_can_be_chosen(patient, patient_client, value):
    response = patient_client.patch(ME, {"language": value}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "language"
    patient.refresh_from_db()
    assert patient.language == "en"


@pytest.mark.django_db
def test_the_language_does_not_outlive_the_request(api_client):
    api_client.get(ME, HTTP_ACCEPT_LANGUAGE="es")

    assert translation.get_language() == "en"


@pytest.mark.django_db
def test_the_portal_sign_in_page_follows_accept_language(client):
    response = client.get("/clinic/sign-in/", HTTP_ACCEPT_LANGUAGE="es-ES")

    assert response["Content-Language"] == "es"
    assert "Accept-Language" in response["Vary"]

"""Issue 24, the API's shared texts (backend/, its own catalogue backend/locale/): a strict
body's refusals, the parser's, the query string's, a bulk upload's and the envelope's own
(404, 405, 413, 429) reach the caller in the caller's language. The status, the code and
`attr` never change with the language; only `detail` does.

Each refusal is asked by four callers: a signed-in user whose `language` is es (no
Accept-Language) and one whose language is en (with `Accept-Language: es-ES`, which the
user's own language overrides), and anonymous visitors with and without
`Accept-Language: es-ES`. Several of these refusals are made before the view reads the
JWT (middleware, an unknown path): the token's user still gets its own language.
Refusals only a signed-in caller can reach (a read-only field, a bulk item) are asked by
the two users only.
"""

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import OperationalError
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import AccessToken

from tests.bodies import symptom_log_body

pytestmark = pytest.mark.django_db

SPANISH = "es-ES"
CALLERS = ["es-user", "en-user", "es-visitor", "en-visitor"]


@dataclass(frozen=True)
class Refusal:
    ask: Callable[[APIClient, bool], Any]  # (client, signed in) -> response
    status: int
    code: str
    attr: str | None
    spanish: str  # the start of the detail
    english: str
    visitors: bool = True  # an anonymous caller can reach it too


def register_body(**extra) -> dict:
    return {
        "email": "new@example.org",
        "password": "a long pass phrase",
        "timezone": "UTC",
        **extra,
    }


def post_chunked(client: APIClient, url: str, body: bytes):
    """What gunicorn hands Django for a chunked body (tests/api/test_chunked_bodies.py)."""
    return client.generic(
        "POST",
        url,
        b"",
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body)},
    )


def unknown_field(client, signed_in):
    if signed_in:
        return client.patch("/api/v1/me/", {"nickname": "Ana"}, format="json")
    return client.post("/api/v1/auth/register/", register_body(nickname="Ana"), format="json")


def read_only_field(client, signed_in):
    return client.patch("/api/v1/me/", {"role": "physio"}, format="json")


def nul_byte_in_the_body(client, signed_in):
    if signed_in:
        return client.patch("/api/v1/me/", {"display_name": "Ana\x00"}, format="json")
    return client.post("/api/v1/auth/register/", register_body(timezone="UTC\x00"), format="json")


def nul_byte_in_the_query(client, signed_in):
    return client.get("/api/v1/symptom-logs/?page=%00")


def unknown_query_parameter(client, signed_in):
    return client.get("/api/v1/me/?fields=all")


def unknown_path(client, signed_in):
    return client.get("/api/v1/nowhere/")


def method_not_allowed(client, signed_in):
    return client.post("/healthz")


def body_too_large(client, signed_in):
    padding = "x" * 5000  # over the limit the `small_bodies` fixture sets
    if signed_in:
        return client.patch("/api/v1/me/", {"display_name": padding}, format="json")
    return client.post("/api/v1/auth/register/", register_body(padding=padding), format="json")


def chunked_body_too_large(client, signed_in):
    url = "/api/v1/symptom-logs/" if signed_in else "/api/v1/auth/token/"
    return post_chunked(client, url, b"{" + b" " * 5000)


def throttled(client, signed_in, monkeypatch):
    url, scope = ("/api/v1/auth/password/", "password_change")
    if not signed_in:
        url, scope = ("/api/v1/auth/register/", "register")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "1/hour")
    client.post(url, {}, format="json")
    return client.post(url, {}, format="json")


def too_many_items(client, signed_in):
    return client.post("/api/v1/symptom-logs/bulk/", [{}] * 501, format="json")


def unknown_sync_list(client, signed_in):
    return client.post("/api/v1/sync/", {"diaries": []}, format="json")


REFUSALS = {
    unknown_field: Refusal(
        unknown_field,
        400,
        "unknown_field",
        "nickname",
        "Este campo no se acepta.",
        "This field is not accepted.",
    ),
    read_only_field: Refusal(
        read_only_field,
        400,
        "read_only",
        "role",
        "Este campo no se puede cambiar.",
        "This field cannot be changed.",
        visitors=False,
    ),
    nul_byte_in_the_body: Refusal(
        nul_byte_in_the_body,
        400,
        "invalid_character",
        None,  # the attr depends on the body: checked below
        "Contiene un carácter que no se puede guardar",
        "Contains a character that cannot be stored",
    ),
    nul_byte_in_the_query: Refusal(
        nul_byte_in_the_query,
        400,
        "invalid_character",
        "page",
        "Contiene un carácter que no se puede guardar",
        "Contains a character that cannot be stored",
    ),
    unknown_query_parameter: Refusal(
        unknown_query_parameter,
        400,
        "unknown_parameter",
        "fields",
        "Este parámetro de consulta no se acepta aquí.",
        "This query parameter is not accepted here.",
    ),
    unknown_path: Refusal(unknown_path, 404, "not_found", None, "No encontrado.", "Not found."),
    method_not_allowed: Refusal(
        method_not_allowed,
        405,
        "method_not_allowed",
        None,
        'Método "POST" no permitido.',
        'Method "POST" not allowed.',
    ),
    body_too_large: Refusal(
        body_too_large,
        413,
        "too_large",
        None,
        "El cuerpo de la solicitud es demasiado grande.",
        "The request body is too large.",
    ),
    chunked_body_too_large: Refusal(
        chunked_body_too_large,
        413,
        "too_large",
        None,
        "El cuerpo de la solicitud es demasiado grande: un cuerpo enviado por partes",
        "The request body is too large: a body sent in chunks",
    ),
    throttled: Refusal(
        throttled,
        429,
        "throttled",
        None,
        "Se han recibido demasiadas solicitudes. Vuelva a intentarlo dentro de ",
        "Request was throttled. Expected available in ",
    ),
    too_many_items: Refusal(
        too_many_items,
        413,
        "too_many_items",
        None,
        "Envíe como máximo 500 registros por solicitud.",
        "Send at most 500 logs per request.",
        visitors=False,
    ),
    unknown_sync_list: Refusal(
        unknown_sync_list,
        400,
        "unknown_field",
        "diaries",
        "Este campo no se acepta.",
        "This field is not accepted.",
        visitors=False,
    ),
}


@pytest.fixture
def small_bodies(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4000


def client_of(caller: str, patient) -> APIClient:
    language, kind = caller.split("-")
    client = APIClient()
    headers = {"HTTP_ACCEPT_LANGUAGE": SPANISH}
    if kind == "user":
        patient.language = language
        patient.save(update_fields=["language"])
        headers["HTTP_AUTHORIZATION"] = f"Bearer {AccessToken.for_user(patient)}"
        if language == "es":  # only the user's own language says Spanish
            del headers["HTTP_ACCEPT_LANGUAGE"]
    elif language == "en":
        del headers["HTTP_ACCEPT_LANGUAGE"]
    client.credentials(**headers)
    return client


@pytest.mark.usefixtures("small_bodies")
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda ask: ask.__name__)
def test_a_shared_refusal_is_in_the_callers_language_with_the_same_status_and_code(
    refusal, caller, patient, monkeypatch
):
    expected = REFUSALS[refusal]
    signed_in = caller.endswith("user")
    if not (signed_in or expected.visitors):
        pytest.skip("an anonymous caller is refused (401) before this check")
    client = client_of(caller, patient)

    if refusal is throttled:
        response = throttled(client, signed_in, monkeypatch)
    else:
        response = refusal(client, signed_in)

    assert response.status_code == expected.status, response.content
    [error] = response.json()["errors"]
    assert error["code"] == expected.code
    if refusal is nul_byte_in_the_body:
        assert error["attr"] == ("display_name" if signed_in else "timezone")
    else:
        assert error["attr"] == expected.attr
    spanish = caller.startswith("es")
    assert error["detail"].startswith(expected.spanish if spanish else expected.english), error
    assert response["Content-Language"] == ("es" if spanish else "en")
    assert "Accept-Language" in response["Vary"]
    if refusal is throttled:  # the wait's own sentence too, in the right plural
        assert re.search(r" \d+ segundos\.$" if spanish else r" \d+ seconds\.$", error["detail"])


@pytest.mark.parametrize("caller", ["es-user", "en-user"])
def test_a_bulk_items_unknown_field_is_refused_in_the_callers_language(caller, patient):
    body = [symptom_log_body(), symptom_log_body(mood="fine")]

    response = client_of(caller, patient).post("/api/v1/symptom-logs/bulk/", body, format="json")

    assert response.status_code == 200, response.content
    first, second = response.json()["results"]
    assert first["status"] == "created"
    assert second["status"] == "invalid"
    assert second["errors"] == [
        {
            "code": "unknown_field",
            "detail": "Este campo no se acepta."
            if caller == "es-user"
            else "This field is not accepted.",
            "attr": "mood",
        }
    ]


@pytest.mark.parametrize(
    ("caller", "detail"),
    [("es-user", "Es de hace más de dos años."), ("en-user", "Is more than two years ago.")],
)
def test_how_long_ago_is_said_in_the_callers_language(caller, detail, patient):
    long_ago = timezone.now() - dt.timedelta(days=3 * 365)

    response = client_of(caller, patient).post(
        "/api/v1/symptom-logs/",
        symptom_log_body(recorded_at=long_ago.isoformat()),
        format="json",
    )

    assert response.status_code == 400, response.content
    assert response.json()["errors"] == [
        {"code": "too_old", "detail": detail, "attr": "recorded_at"}
    ]


def test_an_error_answer_outside_a_view_survives_a_database_that_cannot_find_the_user(
    patient, monkeypatch
):
    """The 404 of an unknown path reads a bearer token's user for the language; when the
    database fails under it, the answer is still the envelope, in the request's language."""

    def outage(self, validated_token):
        raise OperationalError("the database is gone")

    monkeypatch.setattr("apps.accounts.authentication.JWTUserAuthentication.get_user", outage)
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(patient)}",
        HTTP_ACCEPT_LANGUAGE=SPANISH,
    )

    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    [error] = response.json()["errors"]
    assert error["code"] == "not_found"
    assert response["Content-Language"] == "es"

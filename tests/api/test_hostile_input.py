"""Inputs a fuzzer or a hostile client sends: each is a 4xx in the envelope, never a 500."""

import re
import uuid

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.services import user_erase
from tests.api.test_envelope import assert_envelope
from tests.conftest import client_for

CONTENT_LISTS = ["/api/v1/conditions/", "/api/v1/protocols/", "/api/v1/exercises/"]


# --- ?updated_since= with offsets no time zone has ------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", CONTENT_LISTS)
@pytest.mark.parametrize("offset", ["+16:00", "-16:00", "+23:59", "+14:01", "-12:01"])
def test_updated_since_with_an_offset_no_zone_has_is_a_400_naming_it(api_client, url, offset):
    response = api_client.get(url, {"updated_since": f"2026-01-01T00:00:00{offset}"})

    assert_envelope(response, 400, "validation_error", "invalid_offset")
    assert response.json()["errors"][0]["attr"] == "updated_since"


@pytest.mark.django_db
@pytest.mark.parametrize("url", CONTENT_LISTS)
@pytest.mark.parametrize("offset", ["+14:00", "-12:00", "+05:45", "Z"])
def test_updated_since_accepts_every_real_offset(api_client, url, offset):
    response = api_client.get(url, {"updated_since": f"2026-01-01T00:00:00{offset}"})

    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_updated_since_compares_the_instant_not_the_wall_clock(api_client):
    from django.utils import timezone

    from tests.factories.content import ConditionFactory

    ConditionFactory(slug="fresh")
    now = timezone.now()
    # The same instant written in Kiribati's zone (+14:00): nothing changed after it.
    kiribati = (now + timezone.timedelta(minutes=1)).astimezone(timezone.get_fixed_timezone(840))
    early = (now - timezone.timedelta(minutes=1)).astimezone(timezone.get_fixed_timezone(-720))

    later = api_client.get("/api/v1/conditions/", {"updated_since": kiribati.isoformat()})
    earlier = api_client.get("/api/v1/conditions/", {"updated_since": early.isoformat()})

    assert later.json()["results"] == []
    assert [c["slug"] for c in earlier.json()["results"]] == ["fresh"]


# --- The refresh token of an erased account ---------------------------------------------------


@pytest.mark.django_db
def test_refreshing_the_token_of_an_erased_account_is_a_401(api_client, patient):
    refresh = str(RefreshToken.for_user(patient))
    user_erase(user=patient)

    response = api_client.post("/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json")

    assert_envelope(response, 401, "client_error", "no_active_account")


# --- JSON nested deeper than any body of the API -----------------------------------------------

DEEP = ("[" * 950 + "]" * 950).encode()
DEEP_OBJECT = ('{"a":' * 950 + "1" + "}" * 950).encode()


def write_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation of the served schema that takes a body, with
    path parameters filled by a random UUID."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, item in schema["paths"].items():
        for method in ("post", "put", "patch"):
            if method in item:
                found.append((method, re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "object"])
def test_deep_json_is_a_400_parse_error_on_every_endpoint_for_every_role(
    body, patient, physio, editor
):
    operations = write_operations()
    assert len(operations) > 15  # the schema was read
    clients = {
        "anonymous": APIClient(),
        "patient": client_for(patient),
        "physio": client_for(physio),
        "editor": client_for(editor),
    }
    parsed = set()
    for role, client in clients.items():
        for method, path in operations:
            response = getattr(client, method)(path, body, content_type="application/json")

            assert response.status_code < 500, (role, method, path)
            assert set(response.json()) == {"type", "errors"}, (role, method, path)
            if response.status_code == 400:
                assert response.json()["errors"][0]["code"] == "parse_error", (role, path)
                parsed.add(path)
    # Every operation without an id in its path reads the body for some role.
    assert {p for _, p in operations if not re.search(r"/[0-9a-f-]{36}/", p)} <= parsed


@pytest.mark.django_db
def test_deep_json_is_refused_when_anonymous_asks_for_a_token(api_client):
    response = api_client.post("/api/v1/auth/token/", DEEP, content_type="application/json")

    assert_envelope(response, 400, "client_error", "parse_error")


@pytest.mark.django_db
def test_json_just_within_the_depth_limit_is_parsed(api_client):
    from backend.parsers import MAX_DEPTH

    body = '{"email": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"

    response = api_client.post("/api/v1/auth/token/", body, content_type="application/json")

    # Parsed, then refused by the serializer, which names the field.
    assert_envelope(response, 400, "validation_error")
    assert {e["attr"] for e in response.json()["errors"]} >= {"email"}


@pytest.mark.django_db
def test_a_web_push_token_nested_deep_is_a_400(patient_client):
    response = patient_client.post(
        "/api/v1/devices/", {"platform": "web", "token": "[" * 950 + "]" * 950}, format="json"
    )

    assert_envelope(response, 400, "validation_error", "invalid_subscription")


@pytest.mark.django_db
def test_a_body_that_is_not_utf8_is_a_400_parse_error(api_client):
    response = api_client.post(
        "/api/v1/auth/token/", b'{"email": "\xff\xfe"}', content_type="application/json"
    )

    assert_envelope(response, 400, "client_error", "parse_error")


@pytest.mark.django_db
@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_numbers_json_does_not_have_are_a_parse_error(patient_client, constant):
    body = '{"pain_score": ' + constant + "}"
    response = patient_client.post("/api/v1/symptom-logs/", body, content_type="application/json")

    assert_envelope(response, 400, "client_error", "parse_error")

"""Every error, from any layer, answers in docs/api.md's envelope."""

import pytest
from rest_framework.test import APIClient


def assert_envelope(response, status: int, kind: str, code: str | None = None):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"type", "errors"}
    assert body["type"] == kind
    assert body["errors"]
    for error in body["errors"]:
        assert set(error) == {"code", "detail", "attr"}
    if code:
        assert body["errors"][0]["code"] == code


@pytest.mark.django_db
def test_an_unknown_path_is_a_404_envelope(api_client):
    assert_envelope(api_client.get("/api/v1/no-such-thing/"), 404, "client_error", "not_found")


@pytest.mark.django_db
def test_an_unknown_path_outside_the_api_is_a_404_envelope(api_client):
    assert_envelope(api_client.get("/nowhere"), 404, "client_error", "not_found")


@pytest.mark.django_db
def test_a_wrong_method_is_a_405_envelope(patient_client):
    assert_envelope(
        patient_client.delete("/api/v1/auth/register/"), 405, "client_error", "method_not_allowed"
    )


@pytest.mark.django_db
def test_a_non_json_body_is_a_415_envelope(api_client):
    response = api_client.post("/api/v1/auth/token/", "email=a", content_type="text/plain")
    assert_envelope(response, 415, "client_error", "unsupported_media_type")


@pytest.mark.django_db
def test_malformed_json_is_a_400_envelope(api_client):
    response = api_client.post("/api/v1/auth/token/", "{not json", content_type="application/json")
    assert_envelope(response, 400, "client_error", "parse_error")


@pytest.mark.django_db
def test_a_validation_error_names_the_field(api_client):
    response = api_client.post("/api/v1/auth/token/", {"email": "a@b.org"}, format="json")
    assert_envelope(response, 400, "validation_error", "required")
    assert response.json()["errors"][0]["attr"] == "password"


@pytest.mark.django_db
@pytest.mark.urls("tests.api.error_urls")
@pytest.mark.parametrize("path", ["/crash/api/", "/crash/plain/"])
def test_an_unhandled_exception_is_a_500_envelope_without_details(path):
    client = APIClient(raise_request_exception=False)

    response = client.get(path)

    assert_envelope(response, 500, "server_error", "error")
    assert "boom" not in response.content.decode()


@pytest.mark.django_db
def test_a_body_over_the_limit_is_a_413_envelope_and_nothing_is_stored(api_client, settings):
    from apps.accounts.models import User

    body = {"email": "big@example.org", "password": "x" * 64, "timezone": "UTC"}
    body["padding"] = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = api_client.post("/api/v1/auth/register/", body, format="json")

    assert_envelope(response, 413, "client_error", "too_large")
    assert not User.objects.filter(email="big@example.org").exists()


@pytest.mark.django_db
def test_an_error_about_the_whole_body_has_a_null_attr(patient_client):
    response = patient_client.patch("/api/v1/me/", [1, 2], format="json")

    assert_envelope(response, 400, "validation_error")
    assert [error["attr"] for error in response.json()["errors"]] == [None]

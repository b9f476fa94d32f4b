"""Conventions every endpoint keeps (docs/api.md): ETags and 304s on the reads an app
repeats, "HH:MM" for times of day, and a 401 that names its scheme."""

import pytest

from apps.accounts.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(make_plan):
    return make_plan()


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/today/", "plan"])
def test_a_read_with_the_etag_it_was_given_is_a_304(patient_client, plan, path):
    url = f"/api/v1/plans/{plan.id}/" if path == "plan" else path
    first = patient_client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]

    again = patient_client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""
    assert patient_client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_the_etag_changes_when_what_it_describes_changes(patient, patient_client):
    etag = patient_client.get("/api/v1/me/").headers["ETag"]
    patient_client.patch("/api/v1/me/", {"affected_side": "right"}, format="json")

    response = patient_client.get("/api/v1/me/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["affected_side"] == "right"
    assert response.headers["ETag"] != etag


def test_another_users_etag_never_gives_a_304(patient_client, other_patient):
    etag = patient_client.get("/api/v1/me/").headers["ETag"]

    assert client_for(other_patient).get("/api/v1/me/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_times_of_day_are_served_as_hh_mm_and_taken_with_or_without_seconds(patient_client):
    body = {"quiet_hours_start": "22:00:00", "quiet_hours_end": "07:30"}
    answer = patient_client.patch("/api/v1/me/", body, format="json").json()

    assert (answer["quiet_hours_start"], answer["quiet_hours_end"]) == ("22:00", "07:30")
    assert patient_client.get("/api/v1/reminder-settings/").json()["checkin_time"].count(":") == 1


@pytest.mark.parametrize(
    ("method", "url", "body", "headers", "code"),
    [
        pytest.param("get", "/api/v1/me/", None, {}, "not_authenticated", id="no_token"),
        pytest.param(
            "get",
            "/api/v1/me/",
            None,
            {"HTTP_AUTHORIZATION": "Bearer abc"},
            "token_not_valid",
            id="bad_token",
        ),
        pytest.param(
            "post",
            "/api/v1/auth/token/",
            {"email": "owner@example.org", "password": "wrong-password"},
            {},
            "no_active_account",
            id="wrong_password",
        ),
        pytest.param(
            "post",
            "/api/v1/auth/token/refresh/",
            {"refresh": "abc"},
            {},
            "token_not_valid",
            id="bad_refresh",
        ),
        pytest.param("get", "/api/v1/sync/", None, {}, "not_authenticated", id="sync"),
    ],
)
def test_every_401_names_the_bearer_scheme(api_client, patient, method, url, body, headers, code):
    response = getattr(api_client, method)(url, body, format="json", **headers)

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == code
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert User.objects.filter(pk=patient.pk).exists()

import pytest

from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
REFRESH_URL = "/api/v1/auth/token/refresh/"


def login(api_client, email, password=PASSWORD):
    return api_client.post(TOKEN_URL, {"email": email, "password": password}, format="json")


@pytest.mark.django_db
def test_it_logs_in_and_the_access_token_opens_me(api_client, patient):
    response = login(api_client, patient.email)

    assert response.status_code == 200
    tokens = response.json()
    assert set(tokens) == {"access", "refresh"}
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api_client.get("/api/v1/me/").json()["email"] == patient.email


@pytest.mark.django_db
def test_it_logs_in_whatever_the_case_of_the_email(api_client, patient):
    assert login(api_client, patient.email.upper()).status_code == 200


@pytest.mark.django_db
def test_it_refuses_a_wrong_password(api_client, patient):
    response = login(api_client, patient.email, "not-the-password")

    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "client_error"
    assert body["errors"][0]["code"] == "no_active_account"


@pytest.mark.django_db
def test_it_refuses_an_inactive_account(api_client, patient):
    patient.is_active = False
    patient.save()
    assert login(api_client, patient.email).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({"email": "owner@example.org"}, "password", "required"),
        ({"password": PASSWORD}, "email", "required"),
        (
            {"email": "owner@example.org", "password": PASSWORD, "remember": True},
            "remember",
            "unknown_field",
        ),
        ({"email": ["owner@example.org"], "password": PASSWORD}, "email", "invalid"),
    ],
)
def test_it_rejects_bad_login_input(api_client, patient, body, attr, code):
    response = api_client.post(TOKEN_URL, body, format="json")

    assert response.status_code == 400
    assert {(e["attr"], e["code"]) for e in response.json()["errors"]} == {(attr, code)}


@pytest.mark.django_db
def test_refresh_rotates_and_the_used_token_stops_working(api_client, patient):
    first = login(api_client, patient.email).json()

    rotated = api_client.post(REFRESH_URL, {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200
    second = rotated.json()
    assert set(second) == {"access", "refresh"}
    assert second["refresh"] != first["refresh"]

    replay = api_client.post(REFRESH_URL, {"refresh": first["refresh"]}, format="json")
    assert replay.status_code == 401
    assert replay.json()["errors"][0]["code"] == "token_not_valid"

    assert (
        api_client.post(REFRESH_URL, {"refresh": second["refresh"]}, format="json").status_code
        == 200
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "attr", "code"),
    [
        ({"refresh": "not-a-jwt"}, 401, None, "token_not_valid"),
        ({}, 400, "refresh", "required"),
        ({"refresh": 42}, 401, None, "token_not_valid"),
        ({"refresh": ["x"]}, 400, "refresh", "invalid"),
        ({"refresh": "x", "access": "y"}, 400, "access", "read_only"),
    ],
)
def test_it_rejects_bad_refresh_input(api_client, body, status, attr, code):
    response = api_client.post(REFRESH_URL, body, format="json")

    assert response.status_code == status
    assert {(e["attr"], e["code"]) for e in response.json()["errors"]} == {(attr, code)}


@pytest.mark.django_db
def test_an_access_token_cannot_be_used_as_a_refresh_token(api_client, patient):
    tokens = login(api_client, patient.email).json()
    response = api_client.post(REFRESH_URL, {"refresh": tokens["access"]}, format="json")
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_token_login_records_last_login(api_client, patient):
    assert patient.last_login is None
    login(api_client, patient.email)
    patient.refresh_from_db()
    assert patient.last_login is not None

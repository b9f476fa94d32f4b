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


# --- The access token: the user is read without the password hash ----------------------------


def _me(api_client, user, token=None):
    from rest_framework_simplejwt.tokens import AccessToken

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token or AccessToken.for_user(user)}")
    return api_client.get("/api/v1/me/")


@pytest.mark.django_db
def test_authentication_reads_the_user_once_and_never_the_password_hash(api_client, patient):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = _me(api_client, patient)

    assert response.status_code == 200
    user_reads = [q["sql"] for q in queries if '"accounts_user"' in q["sql"]]
    assert len(user_reads) == 1
    assert "password" not in user_reads[0]


@pytest.mark.django_db
def test_the_access_token_of_a_deactivated_account_is_refused(api_client, patient):
    from apps.accounts.models import User

    User.objects.filter(pk=patient.pk).update(is_active=False)

    response = _me(api_client, patient)

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "user_inactive"


@pytest.mark.django_db
def test_the_access_token_of_an_erased_account_is_refused(api_client, patient):
    from rest_framework_simplejwt.tokens import AccessToken

    from apps.accounts.services import user_erase

    token = AccessToken.for_user(patient)  # issued while the account existed
    user_erase(user=patient)

    response = _me(api_client, patient, token)

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "user_not_found"


@pytest.mark.django_db
def test_a_deferred_password_still_changes_and_saves(patient):
    from apps.accounts.selectors import users_without_secrets

    user = users_without_secrets().get(pk=patient.pk)
    user.set_password("a-new-long-passphrase")
    user.save()

    patient.refresh_from_db()
    assert patient.check_password("a-new-long-passphrase")

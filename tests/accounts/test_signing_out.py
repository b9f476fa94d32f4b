"""Changing the password, signing one device out and signing out everywhere: which refresh
tokens, access tokens and portal sessions keep working afterwards."""

import pytest
from django.test import Client
from django.utils.crypto import salted_hmac
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts.models import User
from tests.factories import PASSWORD, PatientFactory, PhysioFactory

PASSWORD_URL = "/api/v1/auth/password/"
SIGN_OUT = "/api/v1/auth/sign-out/"
SIGN_OUT_ALL = "/api/v1/auth/sign-out-all/"
NEW_PASSWORD = "Another-long-passphrase-2027"


def login(email: str, password: str = PASSWORD) -> dict:
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": email, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def refresh(token: str):
    return APIClient().post("/api/v1/auth/token/refresh/", {"refresh": token}, format="json")


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def codes(response) -> list[tuple[str | None, str]]:
    return [(error["attr"], error["code"]) for error in response.json()["errors"]]


@pytest.fixture
def account(db) -> User:
    return PatientFactory(email="phone.owner@example.org")


# --- Change password ----------------------------------------------------------------------------


def test_changing_the_password_answers_a_new_pair_and_ends_every_earlier_token(account):
    this_phone, other_phone = login(account.email), login(account.email)

    response = bearer(this_phone["access"]).post(
        PASSWORD_URL,
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 200
    pair = response.json()
    assert set(pair) == {"access", "refresh"}
    assert bearer(pair["access"]).get("/api/v1/me/").status_code == 200
    assert refresh(pair["refresh"]).status_code == 200
    for earlier in (this_phone, other_phone):
        assert refresh(earlier["refresh"]).status_code == 401
        assert codes(refresh(earlier["refresh"])) == [(None, "token_not_valid")]
        assert bearer(earlier["access"]).get("/api/v1/me/").status_code == 401
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)


def test_a_wrong_current_password_changes_nothing(account):
    pair = login(account.email)

    response = bearer(pair["access"]).post(
        PASSWORD_URL,
        {"current_password": "not-it-at-all", "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 400
    assert codes(response) == [("current_password", "wrong_password")]
    account.refresh_from_db()
    assert account.check_password(PASSWORD)
    assert account.token_generation == 0
    assert refresh(pair["refresh"]).status_code == 200


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        (
            {"current_password": PASSWORD, "new_password": "12345678"},
            "new_password",
            "password_entirely_numeric",
        ),
        (
            {"current_password": PASSWORD, "new_password": "short"},
            "new_password",
            "password_too_short",
        ),
        ({"current_password": PASSWORD}, "new_password", "required"),
        ({"current_password": PASSWORD, "new_password": 123456789}, "new_password", "invalid"),
        (
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "email": "x@y.org"},
            "email",
            "unknown_field",
        ),
    ],
)
def test_bad_new_passwords_are_400s_and_change_nothing(account, body, attr, code):
    pair = login(account.email)

    response = bearer(pair["access"]).post(PASSWORD_URL, body, format="json")

    assert response.status_code == 400
    assert (attr, code) in codes(response)
    account.refresh_from_db()
    assert account.check_password(PASSWORD)
    assert account.token_generation == 0


def test_password_changes_are_throttled_per_user(account, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "password_change", "2/hour")
    client = bearer(login(account.email)["access"])
    wrong = {"current_password": "guess", "new_password": NEW_PASSWORD}

    answers = [client.post(PASSWORD_URL, wrong, format="json").status_code for _ in range(3)]

    assert answers == [400, 400, 429]


# --- Sign out -------------------------------------------------------------------------------------


def test_signing_out_ends_that_refresh_token_only(account):
    this_phone, other_phone = login(account.email), login(account.email)

    response = APIClient().post(SIGN_OUT, {"refresh": this_phone["refresh"]}, format="json")

    assert response.status_code == 204
    assert refresh(this_phone["refresh"]).status_code == 401
    assert refresh(other_phone["refresh"]).status_code == 200
    again = APIClient().post(SIGN_OUT, {"refresh": this_phone["refresh"]}, format="json")
    assert again.status_code == 401
    assert codes(again) == [(None, "token_not_valid")]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"refresh": "not.a.token"}, 401, (None, "token_not_valid")),
        ({}, 400, ("refresh", "required")),
        ({"refresh": 12}, 400, ("refresh", "invalid")),
    ],
)
def test_signing_out_with_a_bad_token_is_refused(account, body, status, code):
    response = APIClient().post(SIGN_OUT, body, format="json")

    assert response.status_code == status
    assert codes(response) == [code]


def test_an_access_token_is_not_a_refresh_token_for_signing_out(account):
    pair = login(account.email)

    response = APIClient().post(SIGN_OUT, {"refresh": pair["access"]}, format="json")

    assert response.status_code == 401
    assert refresh(pair["refresh"]).status_code == 200


# --- Sign out everywhere ------------------------------------------------------------------------


def test_signing_out_everywhere_ends_every_token_of_the_account_and_no_one_elses(account):
    first, second = login(account.email), login(account.email)
    someone_else = login(PatientFactory(email="someone@example.org").email)

    response = bearer(first["access"]).post(SIGN_OUT_ALL, format="json")

    assert response.status_code == 204
    for pair in (first, second):
        assert refresh(pair["refresh"]).status_code == 401
        assert bearer(pair["access"]).get("/api/v1/me/").status_code == 401
    assert refresh(someone_else["refresh"]).status_code == 200
    # Signing in again works at once.
    fresh = login(account.email)
    assert bearer(fresh["access"]).get("/api/v1/me/").status_code == 200
    assert refresh(fresh["refresh"]).status_code == 200


def test_a_refresh_rotated_before_signing_out_everywhere_is_ended_too(account):
    pair = login(account.email)
    rotated = refresh(pair["refresh"]).json()

    bearer(rotated["access"]).post(SIGN_OUT_ALL, format="json")

    assert refresh(rotated["refresh"]).status_code == 401


def test_signing_out_everywhere_takes_no_input(account):
    pair = login(account.email)

    response = bearer(pair["access"]).post(SIGN_OUT_ALL, {"everything": True}, format="json")

    assert response.status_code == 400
    account.refresh_from_db()
    assert account.token_generation == 0


def test_signing_out_everywhere_from_the_app_ends_the_physios_portal_session(db):
    physio = PhysioFactory(email="physio@example.org")
    portal = Client()
    portal.force_login(physio)
    assert portal.get("/clinic/").status_code in {200, 302}
    session_user = lambda: portal.get("/clinic/").wsgi_request.user  # noqa: E731
    assert session_user().is_authenticated

    bearer(login(physio.email)["access"]).post(SIGN_OUT_ALL, format="json")

    assert not session_user().is_authenticated


def test_sessions_made_before_any_sign_out_everywhere_keep_working(db):
    """Generation 0 hashes sessions as Django does: deploying this signs nobody out."""
    physio = PhysioFactory(email="physio@example.org")
    djangos_own = salted_hmac(
        "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
        physio.password,
        algorithm="sha256",
    ).hexdigest()

    assert physio.get_session_auth_hash() == djangos_own

import pytest
from rest_framework.throttling import ScopedRateThrottle

from apps.accounts.models import User
from tests.factories import PASSWORD, PatientFactory

TOKEN_URL = "/api/v1/auth/token/"


def login(api_client, email, password, address="203.0.113.7"):
    return api_client.post(
        TOKEN_URL, {"email": email, "password": password}, format="json", REMOTE_ADDR=address
    )


@pytest.mark.django_db
def test_ten_failed_logins_lock_that_account_from_that_address(api_client, patient):
    for _ in range(10):
        assert login(api_client, patient.email, "wrong-password").status_code == 401

    locked = login(api_client, patient.email, PASSWORD)  # even the right password

    assert locked.status_code == 429
    assert locked.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "too_many_failed_logins",
                "detail": locked.json()["errors"][0]["detail"],
                "attr": None,
            }
        ],
    }
    assert int(locked["Retry-After"]) == 15 * 60


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "detail"),
    [
        pytest.param(
            "es",
            "Demasiados inicios de sesión fallidos para esta cuenta desde esta dirección. "
            "Vuelva a intentarlo dentro de 900 segundos.",
            id="spanish",
        ),
        pytest.param(
            "en",
            "Too many failed logins for this account from this address. "
            "Expected available in 900 seconds.",
            id="english",
        ),
    ],
)
def test_a_lockout_says_why_and_how_long_in_the_callers_language(
    api_client, patient, language, detail
):
    api_client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    for _ in range(10):
        assert login(api_client, patient.email, "wrong-password").status_code == 401

    locked = login(api_client, patient.email, PASSWORD)

    assert locked.status_code == 429
    assert locked.json()["errors"][0] == {
        "code": "too_many_failed_logins",
        "detail": detail,
        "attr": None,
    }
    assert locked["Content-Language"] == language


@pytest.mark.django_db
def test_changing_the_case_of_the_email_does_not_escape_a_lockout(api_client, patient):
    for n in range(10):
        login(api_client, patient.email.upper() if n % 2 else patient.email, "wrong-password")

    assert login(api_client, patient.email.title(), PASSWORD).status_code == 429


@pytest.mark.django_db
def test_a_lockout_is_only_for_that_pair(api_client, patient, other_patient):
    for _ in range(10):
        login(api_client, patient.email, "wrong-password")

    assert login(api_client, patient.email, PASSWORD, address="198.51.100.9").status_code == 200
    assert login(api_client, other_patient.email, PASSWORD).status_code == 200


@pytest.mark.django_db
def test_a_success_resets_the_failure_count(api_client, patient):
    for _ in range(9):
        login(api_client, patient.email, "wrong-password")
    assert login(api_client, patient.email, PASSWORD).status_code == 200
    for _ in range(9):
        login(api_client, patient.email, "wrong-password")
    assert login(api_client, patient.email, PASSWORD).status_code == 200


@pytest.mark.django_db
def test_a_clinic_behind_one_address_can_log_in_sixty_times_a_minute(api_client):
    patients = PatientFactory.create_batch(60)
    statuses = {login(api_client, p.email, PASSWORD).status_code for p in patients}
    assert statuses == {200}


@pytest.mark.django_db
def test_sixty_registrations_a_minute_from_one_address_pass(api_client):
    for n in range(60):
        response = api_client.post(
            "/api/v1/auth/register/",
            {"email": f"p{n}@example.org", "password": PASSWORD, "timezone": "UTC"},
            format="json",
            REMOTE_ADDR="203.0.113.7",
        )
        assert response.status_code == 201
    assert User.objects.count() == 60


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scope", "url", "body"),
    [
        (
            "register",
            "/api/v1/auth/register/",
            {"email": "x@example.org", "password": "bad", "timezone": "UTC"},
        ),
        ("login", TOKEN_URL, {"email": "x@example.org", "password": "whatever"}),
        ("token_refresh", "/api/v1/auth/token/refresh/", {"refresh": "not-a-token"}),
    ],
)
def test_floods_from_one_address_are_throttled(api_client, monkeypatch, scope, url, body):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, scope, "3/min")

    statuses = [
        api_client.post(url, body, format="json", REMOTE_ADDR="203.0.113.50").status_code
        for _ in range(4)
    ]
    elsewhere = api_client.post(url, body, format="json", REMOTE_ADDR="203.0.113.51")

    assert 429 not in statuses[:3]
    assert statuses[3] == 429
    assert elsewhere.status_code != 429


@pytest.mark.django_db
def test_the_admin_login_locks_out_after_ten_failures_too(client, editor):
    for _ in range(10):
        client.post(
            "/admin/login/",
            {"username": editor.email, "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
        )

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": editor.email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lockout_whose_wait_is_unknown_says_try_again_later():
    """Without a cool-off time (axes could be configured so) there is no wait sentence: the
    detail itself says to try later."""
    from apps.accounts.views import _LockedOut

    assert str(_LockedOut(wait=None).detail) == (
        "Too many failed logins for this account from this address. Try again later."
    )
    assert "later" not in str(_LockedOut(wait=900).detail)

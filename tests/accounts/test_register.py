from urllib.parse import urlencode

import pytest

from apps.accounts.models import Role, User
from tests.schema_conformance import answer_problems

URL = "/api/v1/auth/register/"
GOOD = {
    "email": "new.patient@example.org",
    "password": "knee-rehab-Journey-7",
    "timezone": "Europe/Paris",
}


def errors_by_attr(response) -> dict[str, list[str]]:
    body = response.json()
    assert body["type"] in {"validation_error", "client_error"}
    found: dict[str, list[str]] = {}
    for error in body["errors"]:
        assert set(error) == {"code", "detail", "attr"}
        found.setdefault(error["attr"], []).append(error["code"])
    return found


@pytest.mark.django_db
def test_it_registers_a_patient(api_client):
    response = api_client.post(URL, GOOD, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "new.patient@example.org"
    assert body["role"] == "patient"
    assert body["timezone"] == "Europe/Paris"
    assert "password" not in body
    user = User.objects.get(email="new.patient@example.org")
    assert user.role == Role.PATIENT
    assert user.check_password(GOOD["password"])
    assert not user.is_staff


@pytest.mark.django_db
def test_it_lowercases_the_email(api_client):
    response = api_client.post(URL, {**GOOD, "email": "New.Patient@Example.ORG"}, format="json")
    assert response.status_code == 201
    assert response.json()["email"] == "new.patient@example.org"


@pytest.mark.django_db
def test_it_rejects_a_duplicate_email_in_any_case(api_client, patient):
    response = api_client.post(URL, {**GOOD, "email": patient.email.upper()}, format="json")

    assert response.status_code == 400
    assert errors_by_attr(response) == {"email": ["unique"]}
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "attr", "code"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "invalid_timezone"),
        ({"timezone": "utc+2"}, "timezone", "invalid_timezone"),
        ({"timezone": "localtime"}, "timezone", "invalid_timezone"),
        ({"password": "short"}, "password", "password_too_short"),
        ({"password": "password123"}, "password", "password_too_common"),
        ({"password": "8472910384756"}, "password", "password_entirely_numeric"),
        ({"password": "new.patient@example.org"}, "password", "password_too_similar"),
        ({"email": "not-an-email"}, "email", "invalid"),
        ({"email": 12345}, "email", "invalid"),
        ({"timezone": ["Europe/Paris"]}, "timezone", "invalid"),
        ({"password": None}, "password", "null"),
        ({"role": "physio"}, "role", "unknown_field"),
        ({"is_staff": True}, "is_staff", "unknown_field"),
    ],
)
def test_it_rejects_bad_input_naming_the_field(api_client, changes, attr, code):
    response = api_client.post(URL, {**GOOD, **changes}, format="json")

    assert response.status_code == 400
    assert code in errors_by_attr(response)[attr]
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["email", "password", "timezone"])
def test_it_requires_each_field(api_client, missing):
    body = {key: value for key, value in GOOD.items() if key != missing}
    response = api_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert errors_by_attr(response) == {missing: ["required"]}
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_rejects_malformed_json(api_client):
    response = api_client.post(URL, '{"email": "a@b.org",', content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {"code": "parse_error", "detail": response.json()["errors"][0]["detail"], "attr": None}
        ],
    }
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_rejects_a_json_body_that_is_not_an_object(api_client):
    response = api_client.post(URL, [GOOD], format="json")

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_rejects_form_encoded_bodies(api_client):
    response = api_client.post(
        URL, urlencode(GOOD), content_type="application/x-www-form-urlencoded"
    )  # the API speaks JSON only

    assert response.status_code == 415
    assert response.json()["errors"][0]["code"] == "unsupported_media_type"
    assert not User.objects.exists()


@pytest.mark.django_db
def test_the_answer_matches_the_published_schema_before_a_side_is_chosen(api_client):
    # A new patient has chosen no affected side yet (""): schemathesis found the schema
    # of this answer allowing only left, right and both.
    response = api_client.post(URL, GOOD, format="json")

    assert response.json()["affected_side"] == ""
    assert answer_problems(URL, URL, response, method="POST") == []

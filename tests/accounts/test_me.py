import pytest

URL = "/api/v1/me/"


@pytest.mark.django_db
def test_it_shows_the_callers_profile(patient_client, patient):
    response = patient_client.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "id": str(patient.id),
        "email": patient.email,
        "role": "patient",
        "timezone": "Europe/London",
        "quiet_hours_start": None,
        "quiet_hours_end": None,
        "affected_side": "",
    }


@pytest.mark.django_db
def test_it_updates_profile_fields(patient_client, patient):
    response = patient_client.patch(
        URL,
        {
            "timezone": "America/New_York",
            "quiet_hours_start": "22:00",
            "quiet_hours_end": "07:00",
            "affected_side": "left",
        },
        format="json",
    )

    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.timezone == "America/New_York"
    assert str(patient.quiet_hours_start) == "22:00:00"
    assert str(patient.quiet_hours_end) == "07:00:00"
    assert patient.affected_side == "left"
    assert response.json()["quiet_hours_start"] == "22:00"  # a time of day is "HH:MM" (docs/api.md)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({"role": "physio"}, "role", "read_only"),
        ({"email": "new@example.org"}, "email", "read_only"),
        ({"id": "00000000-0000-0000-0000-000000000000"}, "id", "read_only"),
        ({"is_staff": True}, "is_staff", "unknown_field"),
        ({"timezone": "Nowhere/Special"}, "timezone", "invalid_timezone"),
        ({"timezone": 3}, "timezone", "invalid_timezone"),
        ({"quiet_hours_start": "22:00"}, "quiet_hours_end", "quiet_hours_incomplete"),
        (
            {"quiet_hours_start": "25:00", "quiet_hours_end": "07:00"},
            "quiet_hours_start",
            "invalid",
        ),
        (
            {"quiet_hours_start": "08:00", "quiet_hours_end": "08:00"},
            "quiet_hours_end",
            "quiet_hours_empty",
        ),
        ({"affected_side": "middle"}, "affected_side", "invalid_choice"),
    ],
)
def test_it_rejects_bad_changes_and_changes_nothing(patient_client, patient, body, attr, code):
    before = {
        f: getattr(patient, f)
        for f in ("email", "role", "timezone", "quiet_hours_start", "affected_side")
    }

    response = patient_client.patch(URL, body, format="json")

    assert response.status_code == 400
    assert (attr, code) in {(e["attr"], e["code"]) for e in response.json()["errors"]}
    patient.refresh_from_db()
    assert {f: getattr(patient, f) for f in before} == before


@pytest.mark.django_db
def test_a_physio_cannot_make_themselves_an_editor(physio_client, physio):
    response = physio_client.patch(URL, {"role": "editor"}, format="json")

    assert response.status_code == 400
    physio.refresh_from_db()
    assert physio.role == "physio"


@pytest.mark.django_db
def test_it_needs_authentication(api_client):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


@pytest.mark.django_db
def test_it_refuses_a_forged_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer eyJhbGciOiJIUzI1NiJ9.e30.forged")
    assert api_client.get(URL).status_code == 401


@pytest.mark.django_db
def test_put_is_not_allowed(patient_client):
    response = patient_client.put(URL, {"timezone": "UTC"}, format="json")

    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "method_not_allowed"

"""The one boundary for what no database can store, and the one written form and range of
dates and times (backend/parsers.py, backend/rest.py). The schema-driven sweep over every
endpoint is tests/api/test_unstorable_input.py; these name the cases one by one."""

import json
from urllib.parse import urlencode

import pytest

from backend.safejson import unstorable_at
from tests.api.test_envelope import assert_envelope
from tests.bodies import symptom_log_body


@pytest.mark.parametrize(
    ("value", "where"),
    [
        pytest.param({"note": "a\x00b"}, "note", id="value"),
        pytest.param([{"ok": "x"}, {"note": "\ud800"}], "1.note", id="item_of_a_list"),
        pytest.param({"items": [{"notes": "\udfff"}]}, "items.0.notes", id="nested"),
        pytest.param({"a\x00": 1}, None, id="top_level_key"),
        pytest.param({"items": [{"\x00": 1}]}, "items.0", id="nested_key"),
        pytest.param("\x00", None, id="the_body_itself"),
    ],
)
def test_it_finds_where_an_unstorable_character_is(value, where):
    assert unstorable_at(value) == (True, where)


@pytest.mark.parametrize(
    "value",
    [{"note": "café ☕ \U0001f9b5 \ufffe"}, [1, 2.5, None, True], "", {"": ""}],
    ids=["any_other_character", "no_strings", "empty", "empty_key"],
)
def test_everything_else_is_storable(value):
    assert unstorable_at(value) == (False, None)


def post_raw(client, url, text):
    return client.generic("POST", url, text, content_type="application/json")


@pytest.mark.django_db
def test_a_nul_byte_in_the_login_email_is_a_400_before_any_lookup(
    api_client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = post_raw(
            api_client, "/api/v1/auth/token/", '{"email": "a\\u0000@example.org", "password": "x"}'
        )

    assert_envelope(response, 400, "validation_error", "invalid_character")
    assert response.json()["errors"][0]["attr"] == "email"


@pytest.mark.django_db
def test_a_lone_surrogate_in_one_item_of_a_sync_names_the_item(patient_client):
    body = [symptom_log_body(), {**symptom_log_body(), "note": "\ud83d"}]

    response = post_raw(patient_client, "/api/v1/symptom-logs/bulk/", json.dumps(body))

    assert_envelope(response, 400, "validation_error", "invalid_character")
    assert response.json()["errors"][0]["attr"] == "1.note"
    from apps.symptoms.models import SymptomLog

    assert SymptomLog.objects.count() == 0


@pytest.mark.django_db
def test_a_nul_byte_in_a_query_parameter_is_a_400_naming_it(physio_client):
    response = physio_client.get("/api/v1/plans/?status=%00active")

    assert_envelope(response, 400, "validation_error", "invalid_character")
    assert response.json()["errors"][0]["attr"] == "status"


@pytest.mark.django_db
def test_a_nul_byte_in_a_path_parameter_is_a_400(patient_client):
    response = patient_client.get("/api/v1/outcome-instruments/le%00fs/")

    assert response.status_code in (400, 404)
    assert response.status_code < 500


@pytest.mark.django_db
def test_a_nul_byte_in_a_portal_form_is_a_400_before_the_sign_in_looks_it_up(client):
    # As a browser posts the sign-in form: url-encoded.
    response = client.post(
        "/clinic/sign-in/",
        urlencode({"email": "physio\x00@example.org", "password": "x"}),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_character"
    assert response.json()["errors"][0]["attr"] == "email"


# --- Dates and times ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01"])
def test_adherence_from_a_date_out_of_range_is_a_400_not_an_overflow(
    make_plan, patient_client, value
):
    plan = make_plan()

    response = patient_client.get(f"/api/v1/plans/{plan.id}/adherence/", {"from": value})

    assert_envelope(response, 400, "validation_error", "out_of_range")
    assert response.json()["errors"][0]["attr"] == "from"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    [
        "20261201",
        "2026-W48-2",
        "2026-12-1",
        " 2026-12-01",
        "2026-12-01 ",
        "2026-12-01T00:00",
        "２０２６-12-01",
    ],
    ids=[
        "basic",
        "week",
        "short_day",
        "leading_blank",
        "trailing_blank",
        "datetime",
        "wide_digits",
    ],
)
def test_dates_have_one_written_form(make_plan, patient_client, value):
    plan = make_plan()

    response = patient_client.get(f"/api/v1/plans/{plan.id}/adherence/", {"to": value})

    assert_envelope(response, 400, "validation_error", "invalid")
    assert response.json()["errors"][0]["attr"] == "to"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    ["20261201T083000Z", "2026-12-01 08:30:00Z", "2026-12-01T08:30:00+0100", "2026-12-01T08Z"],
    ids=["basic", "space", "offset_without_colon", "hour_only"],
)
def test_times_have_one_written_form(patient_client, value):
    response = patient_client.post(
        "/api/v1/symptom-logs/", symptom_log_body(recorded_at=value), format="json"
    )

    assert_envelope(response, 400, "validation_error", "invalid")
    assert response.json()["errors"][0]["attr"] == "recorded_at"


@pytest.mark.django_db
def test_a_time_far_away_is_out_of_range_before_its_offset_is_applied(patient_client):
    response = patient_client.get("/api/v1/symptom-logs/", {"since": "9999-12-31T23:59:59-12:00"})

    assert_envelope(response, 400, "validation_error", "out_of_range")
    assert response.json()["errors"][0]["attr"] == "since"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value", ["2026-12-01T08:30:00Z", "2026-12-01T08:30Z", "2026-12-01T08:30:00.123456+05:45"]
)
def test_every_form_the_api_documents_is_accepted(patient_client, value):
    response = patient_client.get("/api/v1/symptom-logs/", {"since": value})

    assert response.status_code == 200, response.content

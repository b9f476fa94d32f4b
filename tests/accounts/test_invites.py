import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from apps.accounts.models import CareTeamInvite, CareTeamLink
from apps.accounts.services import (
    INVITE_LIFETIME,
    care_invite_create,
    care_link_create,
    invite_code_hash,
)
from apps.accounts.views import InviteJoinThrottle
from tests.conftest import client_for, post_at_once

# An invite expires 72 hours after it is issued.
pytestmark = pytest.mark.usefixtures("frozen_now")

INVITES = "/api/v1/care-team/invites/"
JOIN = "/api/v1/care-team/join/"
CODE_SHAPE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def issue(physio) -> str:
    response = client_for(physio).post(INVITES, {}, format="json")
    assert response.status_code == 201
    return response.json()["code"]


def stored_state() -> tuple[list, list]:
    """Everything a join may change: compared before and after every refused request."""
    invites = list(
        CareTeamInvite.objects.order_by("id").values_list("id", "used_at", "used_by", "link")
    )
    links = list(CareTeamLink.objects.order_by("id").values_list("id", "ended_at"))
    return invites, links


def error_of(response) -> dict:
    body = response.json()
    assert len(body["errors"]) == 1
    return body["errors"][0]


@pytest.mark.django_db
def test_a_patient_joins_with_the_code_and_both_sides_see_the_link(physio, patient):
    issued_at = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    with time_machine.travel(issued_at, tick=False):
        response = client_for(physio).post(INVITES, {}, format="json")

        assert response.status_code == 201
        assert set(response.json()) == {"code", "expires_at", "emailed_to"}
        assert CODE_SHAPE.match(response.json()["code"])
        expires_at = datetime.fromisoformat(response.json()["expires_at"])
        assert expires_at == issued_at + timedelta(hours=72) == issued_at + INVITE_LIFETIME

        joined = client_for(patient).post(JOIN, {"code": response.json()["code"]}, format="json")

    assert joined.status_code == 201
    link = CareTeamLink.objects.get(physio=physio, patient=patient, ended_at__isnull=True)
    assert joined.json() == {
        "id": str(link.id),
        "physio": {"id": str(physio.id), "email": physio.email, "display_name": physio.email},
        "patient": {"id": str(patient.id), "email": patient.email, "display_name": patient.email},
        "created_at": joined.json()["created_at"],
    }
    invite = CareTeamInvite.objects.get()
    assert (invite.used_at, invite.used_by, invite.link) == (issued_at, patient, link)
    for user in (physio, patient):
        assert [
            row["id"] for row in client_for(user).get("/api/v1/care-team/").json()["results"]
        ] == [str(link.id)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code,
        lambda code: code.replace("-", ""),
        lambda code: code.lower(),
        lambda code: f"  {code.lower().replace('-', ' ')}\n",
    ],
    ids=["as-shown", "without-dash", "lower-case", "spaces-and-padding"],
)
def test_the_code_is_accepted_however_it_is_typed(physio, patient, typed):
    code = issue(physio)

    response = client_for(patient).post(JOIN, {"code": typed(code)}, format="json")

    assert response.status_code == 201
    assert CareTeamLink.objects.filter(physio=physio, patient=patient).count() == 1


@pytest.mark.django_db
def test_the_database_never_holds_the_plain_code(physio, patient):
    code = issue(physio)
    client_for(patient).post(JOIN, {"code": code}, format="json")

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {CareTeamInvite._meta.db_table}")  # noqa: S608
        rows = cursor.fetchall()

    assert len(rows) == 1
    for value in rows[0]:
        for form in (code, code.replace("-", ""), code.lower(), code.replace("-", "").lower()):
            assert form not in str(value)
    plain = code.replace("-", "")
    stored = CareTeamInvite.objects.get().code_hash
    assert stored == invite_code_hash(code)
    # Keyed with SECRET_KEY: the plain sha256 of the code is not what is stored.
    assert stored != hashlib.sha256(plain.encode()).hexdigest()


@pytest.mark.django_db
def test_each_invite_gets_its_own_code(physio):
    codes = {issue(physio) for _ in range(5)}

    assert len(codes) == 5
    assert CareTeamInvite.objects.filter(physio=physio).count() == 5


@pytest.mark.django_db
def test_a_used_code_is_refused_and_makes_no_second_link(physio, patient, other_patient):
    code = issue(physio)
    assert client_for(patient).post(JOIN, {"code": code}, format="json").status_code == 201
    before = stored_state()

    for user in (other_patient, patient):
        response = client_for(user).post(JOIN, {"code": code}, format="json")

        assert response.status_code == 400
        assert error_of(response) == {
            "code": "used",
            "detail": "This code has already been used.",
            "attr": "code",
        }
    assert stored_state() == before
    assert not CareTeamLink.objects.filter(patient=other_patient).exists()


@pytest.mark.django_db
def test_an_expired_code_is_refused(physio, patient):
    code = issue(physio)
    before = stored_state()

    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        # A token made after the travel: one made before it would have expired.
        response = client_for(patient).post(JOIN, {"code": code}, format="json")

    assert response.status_code == 400
    assert error_of(response)["code"] == "expired"
    assert error_of(response)["attr"] == "code"
    assert stored_state() == before
    assert not CareTeamLink.objects.exists()


@pytest.mark.django_db
def test_a_code_still_works_just_before_it_expires(physio, patient):
    code = issue(physio)

    with time_machine.travel(timezone.now() + timedelta(hours=71, minutes=59)):
        response = client_for(patient).post(JOIN, {"code": code}, format="json")

    assert response.status_code == 201


@pytest.mark.django_db
def test_an_unknown_code_is_refused(physio, patient):
    code = issue(physio)
    unknown = "0000-0000" if code != "0000-0000" else "1111-1111"
    before = stored_state()

    response = client_for(patient).post(JOIN, {"code": unknown}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": "invalid", "detail": "This code is not valid.", "attr": "code"}],
    }
    assert stored_state() == before


@pytest.mark.django_db
def test_the_code_of_a_deactivated_physio_is_not_valid(physio, patient):
    code = issue(physio)
    physio.is_active = False
    physio.save(update_fields=["is_active"])
    before = stored_state()

    response = client_for(patient).post(JOIN, {"code": code}, format="json")

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"
    assert stored_state() == before


@pytest.mark.django_db
def test_joining_a_physio_already_linked_spends_the_code_and_returns_the_link(physio, patient):
    existing = care_link_create(physio=physio, patient=patient)
    code = issue(physio)

    response = client_for(patient).post(JOIN, {"code": code}, format="json")

    assert response.status_code == 201
    assert response.json()["id"] == str(existing.id)
    assert CareTeamLink.objects.count() == 1
    invite = CareTeamInvite.objects.get()
    assert invite.used_by == patient
    assert invite.link == existing


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        (lambda code: {}, "code", "required"),
        (lambda code: {"code": 12345}, "code", "invalid"),
        (lambda code: {"code": [code]}, "code", "invalid"),
        (lambda code: {"code": {"value": code}}, "code", "invalid"),
        (lambda code: {"code": ""}, "code", "blank"),
        (lambda code: {"code": "   "}, "code", "blank"),
        (lambda code: {"code": None}, "code", "null"),
        (lambda code: {"code": code * 4}, "code", "max_length"),
        (lambda code: {"code": code, "physio": "someone"}, "physio", "unknown_field"),
    ],
    ids=[
        "missing",
        "number",
        "list",
        "object",
        "blank",
        "spaces",
        "null",
        "too-long",
        "unknown-field",
    ],
)
def test_malformed_join_bodies_are_refused_naming_the_field(physio, patient, body, attr, code):
    valid = issue(physio)
    before = stored_state()

    response = client_for(patient).post(JOIN, body(valid), format="json")

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert error_of(response)["attr"] == attr
    assert error_of(response)["code"] == code
    assert stored_state() == before


@pytest.mark.django_db
def test_a_join_body_that_is_not_an_object_is_refused(physio, patient):
    code = issue(physio)
    before = stored_state()

    response = client_for(patient).post(JOIN, [code], format="json")

    assert response.status_code == 400
    assert stored_state() == before


@pytest.mark.django_db
def test_an_invite_needs_no_body(physio):
    response = client_for(physio).post(INVITES)

    assert response.status_code == 201
    assert CODE_SHAPE.match(response.json()["code"])


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{"physio": "someone"}, {"expires_at": "2030-01-01T00:00:00Z"}])
def test_an_invite_takes_no_fields(physio, body):
    response = client_for(physio).post(INVITES, body, format="json")

    assert response.status_code == 400
    assert error_of(response)["attr"] == next(iter(body))
    assert error_of(response)["code"] == "unknown_field"
    assert not CareTeamInvite.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "expected"),
    [("patient", 403), ("other_patient", 403), ("editor", 403), ("anonymous", 401)],
)
def test_only_physios_make_invites(request, api_client, who, expected):
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))

    response = client.post(INVITES, {}, format="json")

    assert response.status_code == expected
    assert error_of(response)["attr"] is None
    assert not CareTeamInvite.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "expected"),
    [("physio", 403), ("other_physio", 403), ("editor", 403), ("anonymous", 401)],
)
def test_only_patients_join(request, api_client, physio, who, expected):
    code = issue(physio)
    before = stored_state()
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))

    response = client.post(JOIN, {"code": code}, format="json")

    assert response.status_code == expected
    assert stored_state() == before
    assert not CareTeamLink.objects.exists()


@pytest.mark.django_db
def test_join_attempts_are_throttled_per_user(physio, patient, other_patient):
    assert InviteJoinThrottle.rate == "20/hour"
    code = issue(physio)
    guess = "0000-0000" if code != "0000-0000" else "1111-1111"
    for _ in range(20):
        assert client_for(patient).post(JOIN, {"code": guess}, format="json").status_code == 400
    before = stored_state()

    # Even the right code: the limit counts attempts, not failures.
    throttled = client_for(patient).post(JOIN, {"code": code}, format="json")

    assert throttled.status_code == 429
    assert throttled.json()["type"] == "client_error"
    assert error_of(throttled)["code"] == "throttled"
    assert error_of(throttled)["attr"] is None
    assert int(throttled["Retry-After"]) > 0
    assert stored_state() == before
    # Another user is counted apart.
    assert client_for(other_patient).post(JOIN, {"code": code}, format="json").status_code == 201


@pytest.mark.django_db
def test_the_join_limit_resets_after_the_window(monkeypatch, physio, patient):
    monkeypatch.setattr(InviteJoinThrottle, "rate", "2/hour")
    code = issue(physio)
    for _ in range(2):
        client_for(patient).post(JOIN, {"code": "0000-0000"}, format="json")
    assert client_for(patient).post(JOIN, {"code": code}, format="json").status_code == 429

    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        response = client_for(patient).post(JOIN, {"code": code}, format="json")

    assert response.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_two_patients_racing_for_one_code_make_exactly_one_link(physio, patient, other_patient):
    code = care_invite_create(physio=physio).code
    users = (patient, other_patient)
    responses = post_at_once([(user, JOIN, {"code": code}) for user in users])
    outcomes = {user.pk: response for user, response in zip(users, responses, strict=True)}

    assert sorted(response.status_code for response in outcomes.values()) == [201, 400]
    winner = next(pk for pk, response in outcomes.items() if response.status_code == 201)
    loser = next(response for response in outcomes.values() if response.status_code == 400)
    assert error_of(loser)["code"] == "used"
    link = CareTeamLink.objects.get()
    assert link.patient_id == winner
    invite = CareTeamInvite.objects.get()
    assert (invite.used_by_id, invite.link_id) == (winner, link.id)


@pytest.mark.django_db
def test_ending_the_joined_link_removes_the_physios_access_at_once(physio, patient):
    code = issue(physio)
    link_id = client_for(patient).post(JOIN, {"code": code}, format="json").json()["id"]
    logs = f"/api/v1/patients/{patient.id}/symptom-logs/"
    assert client_for(physio).get(logs).status_code == 200

    assert client_for(patient).delete(f"/api/v1/care-team/{link_id}/").status_code == 204

    assert client_for(physio).get(logs).status_code == 404
    assert client_for(physio).get("/api/v1/care-team/").json()["results"] == []

"""Who may do what with outcome measures: every endpoint, called by every kind of caller
(the pattern of tests/test_permission_matrix.py).

Callers: the patient who owns the records, the physio linked to them now, a physio never
linked, a physio whose link has ended (and who scheduled an instrument while linked),
another patient, a content editor and an anonymous client. 401 without a token, 403 for a
role that never may, 404 for what is not the caller's. A refused request leaves every table
as it was; a linked physio's read of the patient writes an audit row, no other read does.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import CareTeamLink, PatientAccessAudit, User
from apps.accounts.services import care_link_create, care_link_end
from apps.alerts.models import Alert
from apps.notifications.models import Notification, Reminder
from apps.outcomes.models import (
    Instrument,
    InstrumentVersion,
    OutcomeResponse,
    OutcomeSchedule,
)
from apps.outcomes.services import (
    instruments_load,
    outcome_response_create,
    outcome_schedule_create,
)
from tests.accounts.factories import EditorFactory, PatientFactory, PhysioFactory
from tests.conftest import client_for
from tests.outcomes.conftest import lefs_answers, lefs_body

OWNER = "owner"
LINKED = "linked_physio"
UNLINKED = "unlinked_physio"
FORMER = "former_physio"
OTHER = "other_patient"
EDITOR = "editor"
ANONYMOUS = "anonymous"
CALLERS = [OWNER, LINKED, UNLINKED, FORMER, OTHER, EDITOR, ANONYMOUS]
PHYSIOS = (LINKED, UNLINKED, FORMER)

WATCHED = [
    User,
    CareTeamLink,
    PatientAccessAudit,
    Instrument,
    InstrumentVersion,
    OutcomeSchedule,
    OutcomeResponse,
    Reminder,
    Notification,
    Alert,
]


@dataclass
class World:
    users: dict[str, User]
    schedule: OutcomeSchedule  # the linked physio's, active
    former_schedule: OutcomeSchedule  # the former physio's, ended with the link
    response: OutcomeResponse

    @property
    def owner(self) -> User:
        return self.users[OWNER]

    def client(self, caller: str) -> APIClient:
        return APIClient() if caller == ANONYMOUS else client_for(self.users[caller])


@pytest.fixture
def world(db) -> World:
    instruments_load()
    owner = PatientFactory(email="owner@example.org")
    users = {
        OWNER: owner,
        LINKED: PhysioFactory(email="linked@example.org"),
        UNLINKED: PhysioFactory(email="unlinked@example.org"),
        FORMER: PhysioFactory(email="former@example.org"),
        OTHER: PatientFactory(email="other@example.org"),
        EDITOR: EditorFactory(email="editor@example.org"),
    }
    today = timezone.now().astimezone(owner.zone).date()
    former_link = care_link_create(physio=users[FORMER], patient=owner)
    former_schedule = outcome_schedule_create(
        physio=users[FORMER], patient=owner, instrument="lefs", every_days=7, starts_on=today
    )
    care_link_end(link=former_link, by=owner)
    care_link_create(physio=users[LINKED], patient=owner)
    schedule = outcome_schedule_create(
        physio=users[LINKED], patient=owner, instrument="psfs", every_days=7, starts_on=today
    )
    response = outcome_response_create(
        patient=owner,
        client_id=uuid.uuid4(),
        instrument="lefs",
        answers=lefs_answers(3),
        completed_at=timezone.now(),
    ).response
    former_schedule.refresh_from_db()
    return World(users, schedule, former_schedule, response)


def snapshot() -> dict[str, list[dict]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}


def audit_rows() -> list[tuple]:
    return list(PatientAccessAudit.objects.order_by("pk").values_list("physio", "patient", "what"))


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable[[World], str]
    expect: dict[str, int]
    body: Callable[[World], object] | None = None
    reads_patient: bool = False


def everyone_signed_in(status: int) -> dict[str, int]:
    return {**{caller: status for caller in CALLERS if caller != ANONYMOUS}, ANONYMOUS: 401}


def patient_only(owner: int, other: int) -> dict[str, int]:
    return {
        OWNER: owner,
        OTHER: other,
        **{physio: 403 for physio in PHYSIOS},
        EDITOR: 403,
        ANONYMOUS: 401,
    }


def physio_only(linked: int, outsider: int) -> dict[str, int]:
    return {
        LINKED: linked,
        UNLINKED: outsider,
        FORMER: outsider,
        OWNER: 403,
        OTHER: 403,
        EDITOR: 403,
        ANONYMOUS: 401,
    }


CASES = [
    Case(
        "instrument list",
        "get",
        lambda w: "/api/v1/outcome-instruments/",
        everyone_signed_in(200),
    ),
    Case(
        "instrument detail",
        "get",
        lambda w: "/api/v1/outcome-instruments/lefs/",
        everyone_signed_in(200),
    ),
    Case(
        "schedule create",
        "post",
        lambda w: f"/api/v1/patients/{w.owner.id}/outcome-schedules/",
        physio_only(linked=201, outsider=404),
        body=lambda w: {
            "instrument": "pain_week",
            "every_days": 14,
            "starts_on": str(timezone.now().astimezone(w.owner.zone).date()),
        },
    ),
    Case(
        "schedule list",
        "get",
        lambda w: f"/api/v1/outcome-schedules/?patient={w.owner.id}",
        {
            OWNER: 200,
            OTHER: 200,  # their own (none): the parameter is a physio's
            LINKED: 200,
            UNLINKED: 404,
            FORMER: 404,
            EDITOR: 403,
            ANONYMOUS: 401,
        },
        reads_patient=True,
    ),
    Case(
        "schedule end",
        "post",
        lambda w: f"/api/v1/outcome-schedules/{w.schedule.id}/end/",
        physio_only(linked=200, outsider=404),
    ),
    Case(
        "former physio's schedule end",
        "post",
        lambda w: f"/api/v1/outcome-schedules/{w.former_schedule.id}/end/",
        physio_only(linked=409, outsider=404),  # ended with the link
    ),
    Case(
        "response list",
        "get",
        lambda w: "/api/v1/outcome-responses/",
        patient_only(owner=200, other=200),
    ),
    Case(
        "response create",
        "post",
        lambda w: "/api/v1/outcome-responses/",
        patient_only(owner=201, other=201),
        body=lambda w: lefs_body(2),
    ),
    Case(
        "response bulk",
        "post",
        lambda w: "/api/v1/outcome-responses/bulk/",
        patient_only(owner=200, other=200),
        body=lambda w: [lefs_body(2)],
    ),
    Case(
        "response detail",
        "get",
        lambda w: f"/api/v1/outcome-responses/{w.response.id}/",
        patient_only(owner=200, other=404),
    ),
    Case(
        "due",
        "get",
        lambda w: "/api/v1/outcome-responses/due/",
        patient_only(owner=200, other=200),
    ),
    Case(
        "patient outcomes",
        "get",
        lambda w: f"/api/v1/patients/{w.owner.id}/outcomes/",
        physio_only(linked=200, outsider=404),
        reads_patient=True,
    ),
]


def test_every_case_names_every_caller():
    for case in CASES:
        assert set(case.expect) == set(CALLERS), case.name


@pytest.mark.django_db
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_permission_matrix(world, case, caller):
    before = snapshot()
    kwargs = {"format": "json"}
    if case.body:
        kwargs["data"] = case.body(world)

    response = getattr(world.client(caller), case.method)(case.path(world), **kwargs)

    expected = case.expect[caller]
    assert response.status_code == expected, response.content
    if expected >= 400:
        body = response.json()
        assert body["type"] in {"client_error", "validation_error"}
        assert body["errors"]
        assert all("code" in error for error in body["errors"])
        assert snapshot() == before, "a refused request changed stored data"
    elif case.method == "get":
        new_rows = audit_rows()[len(before["PatientAccessAudit"]) :]
        if caller == LINKED and case.reads_patient:
            linked = world.users[LINKED]
            assert (linked.id, world.owner.id) in {(row[0], row[1]) for row in new_rows}
        else:
            assert new_rows == [], "only a physio's read of a linked patient is audited"
        assert snapshot() == {**before, "PatientAccessAudit": snapshot()["PatientAccessAudit"]}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_lists_show_only_what_the_caller_may_read(world):
    owner_schedules = ids(world.client(OWNER).get("/api/v1/outcome-schedules/"))
    assert set(owner_schedules) == {str(world.schedule.id), str(world.former_schedule.id)}
    assert ids(world.client(OTHER).get("/api/v1/outcome-schedules/")) == []
    assert ids(world.client(OTHER).get("/api/v1/outcome-responses/")) == []
    assert ids(world.client(OWNER).get("/api/v1/outcome-responses/")) == [str(world.response.id)]
    due = world.client(OTHER).get("/api/v1/outcome-responses/due/").json()["results"]
    assert due == []
    linked = world.client(LINKED).get(
        "/api/v1/outcome-schedules/", {"patient": str(world.owner.id)}
    )
    assert set(ids(linked)) == set(owner_schedules)


@pytest.mark.django_db
def test_ending_the_link_ends_the_physios_access_at_once(world):
    physio = world.client(LINKED)
    outcomes = f"/api/v1/patients/{world.owner.id}/outcomes/"
    assert physio.get(outcomes).status_code == 200

    link = CareTeamLink.objects.get(physio=world.users[LINKED], ended_at__isnull=True)
    assert world.client(OWNER).delete(f"/api/v1/care-team/{link.id}/").status_code == 204

    assert physio.get(outcomes).status_code == 404
    assert (
        physio.get("/api/v1/outcome-schedules/", {"patient": str(world.owner.id)}).status_code
        == 404
    )
    assert physio.post(f"/api/v1/outcome-schedules/{world.schedule.id}/end/").status_code == 404
    world.schedule.refresh_from_db()
    assert world.schedule.end_reason == "unlinked"

"""Who may do what with messages: every endpoint, called by every kind of caller.

The callers are the patient who owns the threads, the physio linked to them now, a physio
never linked, a physio whose link has ended, another patient, a content editor and an
anonymous client (tests/test_permission_matrix.py has the same cast). docs/api.md: 401
without a token, 403 for a role that never may, 404 for a thread that is not the caller's
(never revealing that it exists). After a link ends, its physio reaches none of the thread
and nobody posts in it; its patient still reads it.

Every refused request must leave every table as it was, audit rows included; a physio's
read of a thread writes an audit row, and no other read does.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import CareTeamLink, PatientAccessAudit, User
from apps.accounts.services import care_link_create, care_link_end
from apps.messaging.models import Message
from apps.messaging.services import message_send
from apps.notifications.models import Notification, PushDelivery
from tests.accounts.factories import EditorFactory, PatientFactory, PhysioFactory
from tests.conftest import client_for

OWNER = "owner"
LINKED = "linked_physio"
UNLINKED = "unlinked_physio"
FORMER = "former_physio"
OTHER = "other_patient"
EDITOR = "editor"
ANONYMOUS = "anonymous"
CALLERS = [OWNER, LINKED, UNLINKED, FORMER, OTHER, EDITOR, ANONYMOUS]

WATCHED = [User, CareTeamLink, Message, Notification, PushDelivery, PatientAccessAudit]


@dataclass
class World:
    users: dict[str, User]
    link: CareTeamLink  # owner ↔ linked physio, active
    former_link: CareTeamLink  # owner ↔ former physio, ended
    newest: Message  # the newest message of the active thread
    former_newest: Message  # the newest message of the ended thread

    @property
    def owner(self) -> User:
        return self.users[OWNER]

    def client(self, caller: str) -> APIClient:
        return APIClient() if caller == ANONYMOUS else client_for(self.users[caller])


def say(link: CareTeamLink, sender: User, body: str) -> Message:
    return message_send(link=link, sender=sender, client_id=uuid.uuid4(), body=body).message


@pytest.fixture
def world(db) -> World:
    owner = PatientFactory(email="owner@example.org")
    users = {
        OWNER: owner,
        LINKED: PhysioFactory(email="linked@example.org"),
        UNLINKED: PhysioFactory(email="unlinked@example.org"),
        FORMER: PhysioFactory(email="former@example.org"),
        OTHER: PatientFactory(email="other@example.org"),
        EDITOR: EditorFactory(email="editor@example.org"),
    }
    former_link = care_link_create(physio=users[FORMER], patient=owner)
    say(former_link, owner, "Is the plan still the same?")
    former_newest = say(former_link, users[FORMER], "Yes, keep going.")
    care_link_end(link=former_link, by=owner)

    link = care_link_create(physio=users[LINKED], patient=owner)
    say(link, owner, "Hello, I'm your new patient.")
    newest = say(link, users[LINKED], "Welcome! Any questions, ask here.")
    # The other patient has a thread of their own with the linked physio.
    say(care_link_create(physio=users[LINKED], patient=users[OTHER]), users[OTHER], "Hi")
    return World(users, link, former_link, newest, former_newest)


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
    body: Callable[[World], dict] | None = None
    reads_patient: bool = False  # a linked physio's 200 must write an audit row


def thread_of_active_link(allowed: int) -> dict[str, int]:
    return {
        OWNER: allowed,
        LINKED: allowed,
        UNLINKED: 404,
        FORMER: 404,
        OTHER: 404,
        EDITOR: 403,
        ANONYMOUS: 401,
    }


def thread_of_ended_link(owner: int) -> dict[str, int]:
    """Only the patient reaches an ended link's thread; its former physio gets 404."""
    return {
        OWNER: owner,
        LINKED: 404,
        UNLINKED: 404,
        FORMER: 404,
        OTHER: 404,
        EDITOR: 403,
        ANONYMOUS: 401,
    }


def new_message(world: World) -> dict:
    return {"client_id": str(uuid.uuid4()), "body": "A question about my exercises"}


def messages(link: Callable[[World], CareTeamLink]) -> Callable[[World], str]:
    return lambda w: f"/api/v1/care-team/{link(w).id}/messages/"


def read(link: Callable[[World], CareTeamLink]) -> Callable[[World], str]:
    return lambda w: f"/api/v1/care-team/{link(w).id}/messages/read/"


def active(w: World) -> CareTeamLink:
    return w.link


def ended(w: World) -> CareTeamLink:
    return w.former_link


EVERYONE_BUT_EDITORS = {**{c: 200 for c in CALLERS}, EDITOR: 403, ANONYMOUS: 401}

CASES = [
    Case("care-team list", "get", lambda w: "/api/v1/care-team/", EVERYONE_BUT_EDITORS),
    Case(
        "care-team list of ended links",
        "get",
        lambda w: "/api/v1/care-team/?status=ended",
        EVERYONE_BUT_EDITORS,
    ),
    Case(
        "thread list",
        "get",
        messages(active),
        thread_of_active_link(200),
        reads_patient=True,
    ),
    Case(
        "thread post",
        "post",
        messages(active),
        thread_of_active_link(201),
        body=new_message,
    ),
    Case(
        "thread read",
        "post",
        read(active),
        thread_of_active_link(200),
        body=lambda w: {"up_to": str(w.newest.id)},
    ),
    Case("ended thread list", "get", messages(ended), thread_of_ended_link(200)),
    Case(
        "ended thread post",
        "post",
        messages(ended),
        # The patient: 409 thread_ended (the thread is theirs, and read-only).
        thread_of_ended_link(409),
        body=new_message,
    ),
    Case(
        "ended thread read",
        "post",
        read(ended),
        thread_of_ended_link(200),
        body=lambda w: {"up_to": str(w.former_newest.id)},
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
    client = world.client(caller)
    kwargs = {"format": "json"}
    if case.body:
        kwargs["data"] = case.body(world)

    response = getattr(client, case.method)(case.path(world), **kwargs)

    expected = case.expect[caller]
    assert response.status_code == expected, response.content
    if expected >= 400:
        body = response.json()
        assert body["type"] in {"client_error", "validation_error"}
        assert body["errors"]
        assert all("code" in error for error in body["errors"])
        assert snapshot() == before, "a refused request changed stored data"
    new_audit = audit_rows()[len(before["PatientAccessAudit"]) :]
    if expected == 200 and caller == LINKED and case.reads_patient:
        assert new_audit == [(world.users[LINKED].id, world.owner.id, "messages.list")]
    else:
        assert new_audit == [], "only a physio's read of a linked patient's thread is audited"


@pytest.mark.django_db
@pytest.mark.parametrize("caller", [LINKED, UNLINKED, FORMER, OTHER])
def test_a_thread_that_is_not_yours_looks_like_one_that_does_not_exist(world, caller):
    client = world.client(caller)
    unknown = uuid.uuid4()
    for link_id in (world.former_link.id, *([world.link.id] if caller != LINKED else [])):
        for method, path, body in (
            ("get", "/api/v1/care-team/{}/messages/", None),
            ("post", "/api/v1/care-team/{}/messages/", new_message(world)),
            ("post", "/api/v1/care-team/{}/messages/read/", {"up_to": str(world.newest.id)}),
        ):
            theirs = getattr(client, method)(path.format(link_id), body, format="json")
            nothing = getattr(client, method)(path.format(unknown), body, format="json")
            assert theirs.status_code == nothing.status_code == 404
            assert theirs.json() == nothing.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("caller", "sees"),
    [
        (OWNER, {"active": ["link"], "ended": ["former_link"]}),
        (LINKED, {"active": ["link", "other"], "ended": []}),
        (UNLINKED, {"active": [], "ended": []}),
        (FORMER, {"active": [], "ended": []}),
        (OTHER, {"active": ["other"], "ended": []}),
    ],
)
def test_care_team_lists_only_the_callers_links_with_their_own_unread_counts(world, caller, sees):
    other = CareTeamLink.objects.get(patient=world.users[OTHER])
    named = {"link": world.link, "former_link": world.former_link, "other": other}
    # Unread for each side: the owner has the physio's message in each thread, the linked
    # physio has the owner's message and the other patient's.
    unread = {
        OWNER: {"link": 1, "former_link": 1},
        LINKED: {"link": 1, "other": 1},
        OTHER: {"other": 0},
    }
    client = world.client(caller)
    for status in ("active", "ended"):
        rows = client.get("/api/v1/care-team/", {"status": status}).json()["results"]
        assert {row["id"]: row["unread_count"] for row in rows} == {
            str(named[name].id): unread[caller][name] for name in sees[status]
        }

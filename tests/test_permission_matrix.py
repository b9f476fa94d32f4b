"""Who may do what: every endpoint of the care-team, plans, episodes and home-care work, called by
every kind of caller.

The callers are the patient who owns the records, the physio linked to them now, a physio
never linked, a physio whose link has ended (and who wrote the plan while linked), another
patient, a content editor and an anonymous client. docs/api.md: 401 without a token, 403 for a
role that never may, 404 for another user's object (never revealing that it exists).

Every refused request must leave every table as it was, audit rows included; every read
a physio makes of a patient's records writes an audit row, and no other read does.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import (
    CareTeamInvite,
    CareTeamLink,
    PatientAccessAudit,
    User,
)
from apps.accounts.services import care_invite_create, care_link_create, care_link_end
from apps.alerts.models import Alert, AlertEvent
from apps.care.models import CareSession
from apps.care.services import care_session_start
from apps.content.models import Exercise, ExerciseMedia
from apps.episodes.models import Episode, Goal
from apps.notifications.models import Notification, Reminder
from apps.outcomes.services import instruments_load
from apps.plans.models import (
    ExerciseLog,
    ExercisePlan,
    PlanEvent,
    PlanItem,
    PlanStatus,
    PlanTemplate,
    PlanTemplateItem,
)
from apps.plans.services import plan_create
from apps.symptoms.models import SymptomLog
from tests.conftest import client_for
from tests.factories import EditorFactory, ExerciseFactory, PatientFactory, PhysioFactory

# The world's plan runs from two days ago; `today/` lists what is due on this weekday.
pytestmark = pytest.mark.usefixtures("frozen_now")

OWNER = "owner"
LINKED = "linked_physio"
UNLINKED = "unlinked_physio"
FORMER = "former_physio"
OTHER = "other_patient"
EDITOR = "editor"
ANONYMOUS = "anonymous"
CALLERS = [OWNER, LINKED, UNLINKED, FORMER, OTHER, EDITOR, ANONYMOUS]
PHYSIOS = (LINKED, UNLINKED, FORMER)

# Everything a request of these endpoints could write.
WATCHED = [
    User,
    CareTeamLink,
    CareTeamInvite,
    PatientAccessAudit,
    ExercisePlan,
    PlanItem,
    PlanEvent,
    ExerciseLog,
    CareSession,
    Reminder,
    Notification,
    Alert,
    AlertEvent,
    SymptomLog,
    Episode,
    Goal,
    Exercise,
    ExerciseMedia,
    PlanTemplate,
    PlanTemplateItem,
]


@dataclass
class World:
    users: dict[str, User]
    link: CareTeamLink
    plan: ExercisePlan
    item: PlanItem
    session: CareSession
    invite_code: str
    extra: dict = field(default_factory=dict)

    @property
    def owner(self) -> User:
        return self.users[OWNER]

    def client(self, caller: str) -> APIClient:
        return APIClient() if caller == ANONYMOUS else client_for(self.users[caller])


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
    ExerciseFactory(slug="wall-calf-stretch", name="Wall calf stretch")

    # The former physio wrote the plan while linked, then the patient ended that link.
    former_link = care_link_create(physio=users[FORMER], patient=owner)
    today = timezone.now().date()
    plan = plan_create(
        physio=users[FORMER],
        patient_id=owner.id,
        title="Calf and knee",
        start_date=today - dt.timedelta(days=2),
        end_date=today + dt.timedelta(days=40),
        reminder_times=["08:00"],
        items=[
            {
                "exercise": ExerciseFactory._meta.model.objects.get(slug="wall-calf-stretch"),
                "sets": 3,
                "hold_seconds": 30,
                "times_per_day": 2,
                "days_of_week": [0, 1, 2, 3, 4, 5, 6],
                "max_pain": 3,
            }
        ],
    )
    care_link_end(link=former_link, by=owner)
    link = care_link_create(physio=users[LINKED], patient=owner)

    session = care_session_start(
        patient=owner,
        client_id=uuid.uuid4(),
        kind="ice",
        started_at=timezone.now() - dt.timedelta(minutes=2),
        planned_minutes=15,
    ).session
    return World(
        users=users,
        link=link,
        plan=plan,
        item=plan.items.get(),
        session=session,
        invite_code=care_invite_create(physio=PhysioFactory(email="inviter@example.org")).code,
    )


def snapshot() -> dict[str, list[dict]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}


def audit_rows() -> list[tuple]:
    return list(PatientAccessAudit.objects.order_by("pk").values_list("physio", "patient", "what"))


# --- The matrix -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable[[World], str]
    expect: dict[str, int]
    body: Callable[[World], dict] | None = None
    prepare: Callable[[World], None] | None = None
    reads_patient: bool = False  # a linked physio's 200 must write an audit row
    format: str = "json"


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


def both_sides(allowed: int, outsider: int) -> dict[str, int]:
    """Patient (own) and linked physio may; the others are outsiders to this object."""
    return {
        OWNER: allowed,
        LINKED: allowed,
        UNLINKED: outsider,
        FORMER: outsider,
        OTHER: outsider,
        EDITOR: 403,
        ANONYMOUS: 401,
    }


def archive_the_plan(world: World) -> None:
    world.plan.status = PlanStatus.ARCHIVED
    world.plan.archived_at = timezone.now()
    world.plan.save()


def a_good_week(world: World) -> None:
    """Four sessions of the item as prescribed and easy, with equal mornings: the load
    guidance suggests progress, so the linked physio's apply is a 200."""
    from tests.guidance.conftest import add_mornings, add_sessions

    add_sessions(world.item)
    add_mornings(world.owner)


def plan_body(world: World) -> dict:
    today = timezone.now().date()
    return {
        "patient": str(world.owner.id),
        "title": "A new plan",
        "start_date": str(today),
        "end_date": str(today + dt.timedelta(days=28)),
        "reminder_times": ["09:00"],
        "items": [
            {
                "exercise": "wall-calf-stretch",
                "sets": 2,
                "reps": 10,
                "days_of_week": [0, 2, 4],
                "max_pain": 4,
            }
        ],
    }


def exercise_log_body(world: World) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "plan_item": str(world.item.id),
        "performed_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat(),
        "sets_done": 3,
        "pain_during": 2,
    }


def session_body(world: World) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "kind": "ice",
        "started_at": timezone.now().isoformat(),
        "planned_minutes": 20,
    }


def episode_body(world: World) -> dict:
    return {"title": "Right knee", "started_on": str(timezone.now().date())}


def goal_body(world: World) -> dict:
    return {
        "description": "Stairs without the rail",
        "instrument": "lefs",
        "target": 60,
        "due_on": str(timezone.now().date() + dt.timedelta(days=42)),
    }


def load_instruments(world: World) -> None:
    instruments_load()


def raise_a_red_flag(world: World) -> None:
    from apps.symptoms.services import symptom_log_create

    log = symptom_log_create(
        patient=world.owner,
        client_id=uuid.uuid4(),
        recorded_at=timezone.now() - dt.timedelta(minutes=5),
        pain_score=6,
        locations=["calf"],
        swelling="significant",
        redness=True,
        warmth=True,
    ).log
    world.extra["alert"] = Alert.objects.get(symptom_log=log)


def open_an_episode_of_the_linked_physio(world: World) -> None:
    from apps.episodes.services import episode_open

    world.extra["episode"] = episode_open(
        physio=world.users[LINKED], patient=world.owner, title="Knee"
    )


def own_exercise_body(world: World) -> dict:
    return {
        "name": "Towel heel slide",
        "instructions": "Lie down.\nSlide the heel.",
        "default_sets": 2,
        "default_reps": 10,
    }


def picture_upload(world: World) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.media import picture

    return {
        "file": SimpleUploadedFile("a.jpg", picture((40, 30)), content_type="image/jpeg"),
        "alt_text": "A calf stretch.",
    }


def a_picture_on_the_exercise(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.content.services import exercise_media_add
    from tests.media import picture

    world.extra["media"] = exercise_media_add(
        exercise=Exercise.objects.get(slug="wall-calf-stretch"),
        file=SimpleUploadedFile("a.jpg", picture((40, 30))),
        alt_text="A calf stretch.",
    )


def template_body(world: World) -> dict:
    return {"title": "Calf starter", "items": plan_body(world)["items"]}


def editor_only(allowed: int) -> dict[str, int]:
    return {
        EDITOR: allowed,
        **{physio: 403 for physio in PHYSIOS},
        OWNER: 403,
        OTHER: 403,
        ANONYMOUS: 401,
    }


CASES = [
    # Exercises: a physio's own, and media (editors on the library's)
    Case(
        "exercise write own",
        "post",
        lambda w: "/api/v1/exercises/",
        {**{p: 201 for p in PHYSIOS}, OWNER: 403, OTHER: 403, EDITOR: 403, ANONYMOUS: 401},
        body=own_exercise_body,
    ),
    Case(
        "exercise media upload",
        "post",
        lambda w: "/api/v1/exercises/wall-calf-stretch/media/",
        editor_only(201),
        body=picture_upload,
        format="multipart",
    ),
    Case(
        "exercise media delete",
        "delete",
        lambda w: f"/api/v1/exercises/wall-calf-stretch/media/{w.extra['media'].id}/",
        editor_only(204),
        prepare=a_picture_on_the_exercise,
    ),
    # Plan templates and handouts
    Case(
        "plan template list",
        "get",
        lambda w: "/api/v1/plan-templates/",
        physio_only(linked=200, outsider=200),
    ),
    Case(
        "plan template create",
        "post",
        lambda w: "/api/v1/plan-templates/",
        physio_only(linked=201, outsider=201),
        body=template_body,
    ),
    Case(
        "plan template from a plan",
        "post",
        lambda w: "/api/v1/plan-templates/",
        # A plan the physio may not read is "not found" as a field of the body.
        physio_only(linked=201, outsider=400),
        body=lambda w: {"title": "From the plan", "from_plan": str(w.plan.id)},
    ),
    Case(
        "plan handout",
        "get",
        lambda w: f"/api/v1/plans/{w.plan.id}/handout/",
        both_sides(allowed=200, outsider=404),
        reads_patient=True,
    ),
    # Care team
    Case(
        "care-team list",
        "get",
        lambda w: "/api/v1/care-team/",
        {**{c: 200 for c in (OWNER, OTHER, *PHYSIOS)}, EDITOR: 403, ANONYMOUS: 401},
    ),
    Case(
        "care-team invite",
        "post",
        lambda w: "/api/v1/care-team/invites/",
        {**{p: 201 for p in PHYSIOS}, OWNER: 403, OTHER: 403, EDITOR: 403, ANONYMOUS: 401},
        body=lambda w: {},
    ),
    Case(
        "care-team join",
        "post",
        lambda w: "/api/v1/care-team/join/",
        patient_only(owner=201, other=201),
        body=lambda w: {"code": w.invite_code},
    ),
    Case(
        "care-team end",
        "delete",
        lambda w: f"/api/v1/care-team/{w.link.id}/",
        both_sides(allowed=204, outsider=404),
    ),
    # Exercise plans
    Case(
        "plan list",
        "get",
        lambda w: "/api/v1/plans/",
        {**{c: 200 for c in (OWNER, OTHER, *PHYSIOS)}, EDITOR: 403, ANONYMOUS: 401},
        reads_patient=True,
    ),
    Case(
        "plan create",
        "post",
        lambda w: "/api/v1/plans/",
        # For a patient they are not linked to, physios get the 400 naming `patient`.
        physio_only(linked=201, outsider=400),
        body=plan_body,
        prepare=archive_the_plan,
    ),
    Case(
        "plan detail",
        "get",
        lambda w: f"/api/v1/plans/{w.plan.id}/",
        both_sides(allowed=200, outsider=404),
        reads_patient=True,
    ),
    Case(
        "plan edit",
        "patch",
        lambda w: f"/api/v1/plans/{w.plan.id}/",
        physio_only(linked=200, outsider=404),
        body=lambda w: {"title": "Changed"},
    ),
    Case(
        "plan archive",
        "post",
        lambda w: f"/api/v1/plans/{w.plan.id}/archive/",
        physio_only(linked=200, outsider=404),
    ),
    Case(
        "plan adherence",
        "get",
        lambda w: f"/api/v1/plans/{w.plan.id}/adherence/",
        both_sides(allowed=200, outsider=404),
        reads_patient=True,
    ),
    Case(
        "plan load guidance",
        "get",
        lambda w: f"/api/v1/plans/{w.plan.id}/load-guidance/",
        both_sides(allowed=200, outsider=404),
        reads_patient=True,
    ),
    Case(
        "plan item apply guidance",
        "post",
        lambda w: f"/api/v1/plans/{w.plan.id}/items/{w.item.id}/apply-guidance/",
        physio_only(linked=200, outsider=404),
        body=lambda w: {},
        prepare=a_good_week,
    ),
    Case("today", "get", lambda w: "/api/v1/today/", patient_only(owner=200, other=200)),
    Case(
        "exercise log",
        "post",
        lambda w: "/api/v1/exercise-logs/",
        # Another patient's plan item is "not found" as a field of the body: 400 `plan_item`.
        patient_only(owner=201, other=400),
        body=exercise_log_body,
    ),
    # Home-care sessions
    Case(
        "care-session list",
        "get",
        lambda w: "/api/v1/care-sessions/",
        patient_only(owner=200, other=200),
    ),
    Case(
        "care-session start",
        "post",
        lambda w: "/api/v1/care-sessions/",
        patient_only(owner=201, other=201),
        body=session_body,
    ),
    Case(
        "care-session detail",
        "get",
        lambda w: f"/api/v1/care-sessions/{w.session.id}/",
        patient_only(owner=200, other=404),
    ),
    Case(
        "care-session finish",
        "post",
        lambda w: f"/api/v1/care-sessions/{w.session.id}/finish/",
        patient_only(owner=200, other=404),
    ),
    # Physiotherapist views
    Case(
        "dashboard",
        "get",
        lambda w: "/api/v1/patients/",
        physio_only(linked=200, outsider=200),
        reads_patient=True,
    ),
    Case(
        "patient summary",
        "get",
        lambda w: f"/api/v1/patients/{w.owner.id}/summary/",
        physio_only(linked=200, outsider=404),
        reads_patient=True,
    ),
    Case(
        "patient symptom logs",
        "get",
        lambda w: f"/api/v1/patients/{w.owner.id}/symptom-logs/",
        physio_only(linked=200, outsider=404),
        reads_patient=True,
    ),
    # Alerts
    Case(
        "alert list",
        "get",
        lambda w: "/api/v1/alerts/",
        {**{c: 200 for c in (OWNER, OTHER, *PHYSIOS)}, EDITOR: 403, ANONYMOUS: 401},
        prepare=raise_a_red_flag,
        reads_patient=True,
    ),
    Case(
        "alert acknowledge",
        "post",
        lambda w: f"/api/v1/alerts/{w.extra['alert'].id}/acknowledge/",
        physio_only(linked=200, outsider=404),
        prepare=raise_a_red_flag,
    ),
    Case(
        "alert resolve with a note",
        "post",
        lambda w: f"/api/v1/alerts/{w.extra['alert'].id}/resolve/",
        physio_only(linked=200, outsider=404),
        body=lambda w: {"note": "Seen today; scan booked."},
        prepare=raise_a_red_flag,
    ),
    # Episodes of care
    Case(
        "episode open",
        "post",
        lambda w: f"/api/v1/patients/{w.owner.id}/episodes/",
        physio_only(linked=201, outsider=404),
        body=episode_body,
    ),
    Case(
        "episode list",
        "get",
        lambda w: "/api/v1/episodes/",
        {**{c: 200 for c in (OWNER, OTHER, *PHYSIOS)}, EDITOR: 403, ANONYMOUS: 401},
        reads_patient=True,
    ),
    Case(
        "episode detail",
        "get",
        lambda w: f"/api/v1/episodes/{w.plan.episode_id}/",
        both_sides(allowed=200, outsider=404),
        reads_patient=True,
    ),
    Case(
        "episode goal",
        "post",
        lambda w: f"/api/v1/episodes/{w.plan.episode_id}/goals/",
        physio_only(linked=201, outsider=404),
        body=goal_body,
        prepare=load_instruments,
    ),
    Case(
        "episode discharge",
        "post",
        lambda w: f"/api/v1/episodes/{w.plan.episode_id}/discharge/",
        physio_only(linked=200, outsider=404),
        body=lambda w: {"note": "Discharged."},
    ),
    Case(
        "patient FHIR bundle",
        "get",
        lambda w: f"/api/v1/patients/{w.owner.id}/fhir/",
        physio_only(linked=200, outsider=404),
        reads_patient=True,
    ),
    # Episode reports (JSON, and the PDF whose errors are still JSON)
    *(
        Case(
            f"episode report {query or 'json'}",
            "get",
            lambda w, query=query: f"/api/v1/episodes/{w.extra['episode'].id}/report/{query}",
            both_sides(allowed=200, outsider=404),
            prepare=open_an_episode_of_the_linked_physio,
            reads_patient=True,
        )
        for query in ("", "?format=pdf")
    ),
]


def test_every_case_names_every_caller():
    for case in CASES:
        assert set(case.expect) == set(CALLERS), case.name


@pytest.mark.django_db
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_permission_matrix(world, case, caller, media_store):
    if case.prepare:
        case.prepare(world)
    before = snapshot()
    stored_before = media_store.names()
    client = world.client(caller)
    kwargs = {"format": case.format}
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
        assert media_store.names() == stored_before, "a refused request stored a file"
    elif case.method == "get":
        new_rows = audit_rows()[len(before["PatientAccessAudit"]) :]
        if caller == LINKED and case.reads_patient:
            linked = world.users[LINKED]
            assert (linked.id, world.owner.id) in {(row[0], row[1]) for row in new_rows}
        else:
            assert new_rows == [], "only a physio's read of a linked patient is audited"


@pytest.mark.django_db
def test_a_plan_for_an_unlinked_patient_names_the_field(world):
    archive_the_plan(world)
    for caller in (UNLINKED, FORMER):
        response = world.client(caller).post("/api/v1/plans/", plan_body(world), format="json")
        assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [
            ("patient", "not_linked")
        ]


# --- What each caller sees in a list -------------------------------------------------------


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("caller", "sees_links", "sees_plan", "sees_patient"),
    [
        (OWNER, True, True, None),
        (LINKED, True, True, True),
        (UNLINKED, False, False, False),
        (FORMER, False, False, False),
        (OTHER, False, False, None),
    ],
)
def test_lists_show_only_what_the_caller_may_read(
    world, caller, sees_links, sees_plan, sees_patient
):
    client = world.client(caller)

    assert ids(client.get("/api/v1/care-team/")) == ([str(world.link.id)] if sees_links else [])
    assert ids(client.get("/api/v1/plans/")) == ([str(world.plan.id)] if sees_plan else [])
    if sees_patient is not None:
        expected = [str(world.owner.id)] if sees_patient else []
        assert ids(client.get("/api/v1/patients/")) == expected


@pytest.mark.django_db
def test_another_patient_sees_none_of_the_owners_sessions_or_exercises(world):
    client = world.client(OTHER)

    assert ids(client.get("/api/v1/care-sessions/")) == []
    today = client.get("/api/v1/today/").json()
    assert today["items"] == []
    assert ids(world.client(OWNER).get("/api/v1/care-sessions/")) == [str(world.session.id)]
    assert [
        item["plan_item"] for item in world.client(OWNER).get("/api/v1/today/").json()["items"]
    ] == [str(world.item.id)]


@pytest.mark.django_db
def test_ending_the_link_ends_the_physios_access_at_once(world):
    physio = world.client(LINKED)
    summary = f"/api/v1/patients/{world.owner.id}/summary/"
    assert physio.get(summary).status_code == 200

    assert world.client(OWNER).delete(f"/api/v1/care-team/{world.link.id}/").status_code == 204

    assert physio.get(summary).status_code == 404
    assert physio.get(f"/api/v1/plans/{world.plan.id}/").status_code == 404
    assert ids(physio.get("/api/v1/patients/")) == []

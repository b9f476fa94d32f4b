"""The clinics' permission table (docs/api.md, "Who may act on an episode"), cell by cell.

One patient is cared for by a clinician of clinic A (who opened the episode, its plan,
schedule and goal) and by a physio of clinic B (also linked). Clinic A also has an admin
and a colleague who are not linked; clinic B has an admin. Every episode, goal, plan,
schedule, staff and audit endpoint is called by each of them, by the patient, an editor and an
anonymous client. A refused call leaves every table as it was.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import CareTeamLink, PatientAccessAudit, User
from apps.accounts.services import care_link_create
from apps.clinics.models import Clinic, StaffInvite, StaffMembership, StaffRole
from apps.clinics.services import staff_invite_create
from apps.episodes.models import Episode, Goal
from apps.episodes.services import episode_open
from apps.notifications.models import Reminder
from apps.outcomes.models import OutcomeSchedule
from apps.outcomes.services import instruments_load, outcome_schedule_create
from apps.plans.models import ExercisePlan, PlanItem
from apps.plans.services import plan_create
from tests.conftest import client_for
from tests.factories import (
    ClinicFactory,
    EditorFactory,
    ExerciseFactory,
    GoalFactory,
    PatientFactory,
    PhysioFactory,
)

pytestmark = pytest.mark.usefixtures("frozen_now")

CLINICIAN = "clinician"  # clinic A, linked, leads the episode
ADMIN = "clinic_admin"  # clinic A's admin, not linked
OTHER_ADMIN = "other_clinic_admin"  # clinic B's admin, not linked
COLLEAGUE = "colleague"  # clinic A's clinician, not linked
OTHER_CLINIC = "other_clinic_physio"  # clinic B, linked to the same patient
PATIENT = "patient"
EDITOR = "editor"
ANONYMOUS = "anonymous"
CALLERS = [CLINICIAN, ADMIN, OTHER_ADMIN, COLLEAGUE, OTHER_CLINIC, PATIENT, EDITOR, ANONYMOUS]
PHYSIOS = [CLINICIAN, ADMIN, OTHER_ADMIN, COLLEAGUE, OTHER_CLINIC]

WATCHED = [
    User,
    CareTeamLink,
    PatientAccessAudit,
    Clinic,
    StaffMembership,
    StaffInvite,
    Episode,
    Goal,
    ExercisePlan,
    PlanItem,
    OutcomeSchedule,
    Reminder,
]


@dataclass
class World:
    users: dict[str, User]
    clinic: Clinic
    episode: Episode
    plan: ExercisePlan
    schedule: OutcomeSchedule
    goal: Goal
    invite: StaffInvite

    @property
    def patient(self) -> User:
        return self.users[PATIENT]

    def client(self, caller: str) -> APIClient:
        return APIClient() if caller == ANONYMOUS else client_for(self.users[caller])


def items() -> list[dict]:
    return [
        {
            "exercise": ExerciseFactory._meta.model.objects.get(slug="wall-calf-stretch"),
            "sets": 3,
            "reps": 10,
            "days_of_week": [0, 1, 2, 3, 4, 5, 6],
            "max_pain": 3,
        }
    ]


@pytest.fixture
def world(db) -> World:
    a, b = ClinicFactory(name="Riverside"), ClinicFactory(name="Hillside")
    users = {
        CLINICIAN: PhysioFactory(email="clinician@example.org", clinic=a),
        ADMIN: PhysioFactory(email="admin@example.org", clinic=a, clinic__role=StaffRole.ADMIN),
        OTHER_ADMIN: PhysioFactory(
            email="other-admin@example.org", clinic=b, clinic__role=StaffRole.ADMIN
        ),
        COLLEAGUE: PhysioFactory(email="colleague@example.org", clinic=a),
        OTHER_CLINIC: PhysioFactory(email="elsewhere@example.org", clinic=b),
        PATIENT: PatientFactory(email="owner@example.org"),
        EDITOR: EditorFactory(email="editor@example.org"),
    }
    patient = users[PATIENT]
    for linked in (CLINICIAN, OTHER_CLINIC):
        care_link_create(physio=users[linked], patient=patient)
    ExerciseFactory(slug="wall-calf-stretch", name="Wall calf stretch")
    instruments_load()
    today = timezone.now().date()
    episode = episode_open(physio=users[CLINICIAN], patient=patient, title="Knee")
    plan = plan_create(
        physio=users[CLINICIAN],
        patient_id=patient.id,
        title="Knee plan",
        start_date=today,
        end_date=today + dt.timedelta(days=28),
        reminder_times=["08:00"],
        items=items(),
        episode=episode.id,
    )
    schedule = outcome_schedule_create(
        physio=users[CLINICIAN],
        patient=patient,
        instrument="lefs",
        every_days=14,
        starts_on=today,
        episode=episode.id,
    )
    goal = GoalFactory(episode=episode, created_by=users[CLINICIAN])
    invite = staff_invite_create(clinic=a, by=users[ADMIN], email="invited@example.org").row
    return World(users, a, episode, plan, schedule, goal, invite)


def snapshot() -> dict[str, list[dict]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable[[World], str]
    expect: dict[str, int]
    body: Callable[[World], dict] | None = None
    # For lists: the callers whose 200 shows the world's object (found by this key).
    shows: Callable[[World], str] | None = None
    sees: tuple[str, ...] = ()


def clinical(allowed: int, *, patient: int = 403) -> dict[str, int]:
    """The clinician may; the patient as given; every other physio: not found."""
    return {
        CLINICIAN: allowed,
        **{physio: 404 for physio in PHYSIOS if physio != CLINICIAN},
        PATIENT: patient,
        EDITOR: 403,
        ANONYMOUS: 401,
    }


def listing(patient: int = 200) -> dict[str, int]:
    return {**dict.fromkeys(PHYSIOS, 200), PATIENT: patient, EDITOR: 403, ANONYMOUS: 401}


def goal_body(world: World) -> dict:
    return {
        "description": "Stairs without the rail",
        "instrument": "lefs",
        "target": 60,
        "due_on": str(timezone.now().date() + dt.timedelta(days=42)),
    }


def plan_body(world: World) -> dict:
    today = timezone.now().date()
    return {
        "patient": str(world.patient.id),
        "episode": str(world.episode.id),
        "title": "Second plan",
        "start_date": str(today),
        "end_date": str(today + dt.timedelta(days=14)),
        "items": [
            {
                "exercise": "wall-calf-stretch",
                "sets": 2,
                "reps": 8,
                "days_of_week": [1, 3],
                "max_pain": 3,
            }
        ],
    }


def schedule_body(world: World) -> dict:
    return {
        "instrument": "psfs",
        "every_days": 7,
        "starts_on": str(timezone.now().date()),
        "episode": str(world.episode.id),
    }


EPISODE = "/api/v1/episodes/{}/"
PLAN = "/api/v1/plans/{}/"

CASES = [
    # Episodes and goals
    Case("episode", "get", lambda w: EPISODE.format(w.episode.id), clinical(200, patient=200)),
    Case(
        "episodes list",
        "get",
        lambda w: "/api/v1/episodes/",
        listing(),
        shows=lambda w: str(w.episode.id),
        sees=(CLINICIAN, PATIENT),
    ),
    Case(
        "open an episode",
        "post",
        lambda w: f"/api/v1/patients/{w.patient.id}/episodes/",
        # The clinician has one open already; the other clinic's physio opens their own.
        {**clinical(409), OTHER_CLINIC: 201},
        body=lambda w: {"title": "Other knee", "started_on": str(timezone.now().date())},
    ),
    Case(
        "add a goal",
        "post",
        lambda w: EPISODE.format(w.episode.id) + "goals/",
        clinical(201),
        body=goal_body,
    ),
    Case(
        "discharge",
        "post",
        lambda w: EPISODE.format(w.episode.id) + "discharge/",
        clinical(200),
        body=lambda w: {"note": "Done"},
    ),
    Case(
        "report",
        "get",
        lambda w: EPISODE.format(w.episode.id) + "report/",
        clinical(200, patient=200),
    ),
    # Plans
    Case("plan", "get", lambda w: PLAN.format(w.plan.id), clinical(200, patient=200)),
    Case(
        "plans list",
        "get",
        lambda w: "/api/v1/plans/",
        listing(),
        shows=lambda w: str(w.plan.id),
        sees=(CLINICIAN, PATIENT),
    ),
    Case(
        "edit a plan",
        "patch",
        lambda w: PLAN.format(w.plan.id),
        clinical(200),
        body=lambda w: {"title": "Renamed"},
    ),
    Case("archive a plan", "post", lambda w: PLAN.format(w.plan.id) + "archive/", clinical(200)),
    Case(
        "adherence",
        "get",
        lambda w: PLAN.format(w.plan.id) + "adherence/",
        clinical(200, patient=200),
    ),
    Case(
        "load guidance",
        "get",
        lambda w: PLAN.format(w.plan.id) + "load-guidance/",
        clinical(200, patient=200),
    ),
    Case(
        "handout", "get", lambda w: PLAN.format(w.plan.id) + "handout/", clinical(200, patient=200)
    ),
    Case(
        "a plan in the episode",
        "post",
        lambda w: "/api/v1/plans/",
        # The clinician gets past every check to the one-active-plan rule (409); not
        # linked: not their patient (400); linked elsewhere: no such episode (400).
        {**clinical(409), ADMIN: 400, OTHER_ADMIN: 400, COLLEAGUE: 400, OTHER_CLINIC: 400},
        body=plan_body,
    ),
    # Outcome schedules
    Case(
        "schedules list",
        "get",
        lambda w: f"/api/v1/outcome-schedules/?patient={w.patient.id}",
        {**clinical(200, patient=200), OTHER_CLINIC: 200},
        shows=lambda w: str(w.schedule.id),
        sees=(CLINICIAN, PATIENT),
    ),
    Case(
        "a schedule in the episode",
        "post",
        lambda w: f"/api/v1/patients/{w.patient.id}/outcome-schedules/",
        {**clinical(201), OTHER_CLINIC: 400},
        body=schedule_body,
    ),
    Case(
        "end a schedule",
        "post",
        lambda w: f"/api/v1/outcome-schedules/{w.schedule.id}/end/",
        clinical(200),
    ),
    # Staff
    Case(
        "my clinics",
        "get",
        lambda w: "/api/v1/clinics/",
        {**dict.fromkeys(PHYSIOS, 200), PATIENT: 403, EDITOR: 403, ANONYMOUS: 401},
        shows=lambda w: str(w.clinic.id),
        sees=(CLINICIAN, ADMIN, COLLEAGUE),
    ),
    Case(
        "the clinic's staff",
        "get",
        lambda w: f"/api/v1/clinics/{w.clinic.id}/staff/",
        {**clinical(404), ADMIN: 200, PATIENT: 403},
    ),
    Case(
        "the clinic's audit",
        "get",
        lambda w: f"/api/v1/clinics/{w.clinic.id}/audit/",
        {**clinical(404), ADMIN: 200, PATIENT: 403},
    ),
    Case(
        "deactivate a colleague",
        "post",
        lambda w: f"/api/v1/clinics/{w.clinic.id}/staff/{w.users[COLLEAGUE].id}/deactivate/",
        {**clinical(404), ADMIN: 200, PATIENT: 403},
        body=lambda w: {},
    ),
    # Staff invitations
    Case(
        "invite a physio",
        "post",
        lambda w: f"/api/v1/clinics/{w.clinic.id}/staff-invites/",
        {**clinical(404), ADMIN: 201, PATIENT: 403},
        body=lambda w: {"email": "new.physio@example.org", "role": "clinician"},
    ),
    Case(
        "the open invitations",
        "get",
        lambda w: f"/api/v1/clinics/{w.clinic.id}/staff-invites/",
        {**clinical(404), ADMIN: 200, PATIENT: 403},
        shows=lambda w: str(w.invite.id),
        sees=(ADMIN,),
    ),
    Case(
        "revoke an invitation",
        "delete",
        lambda w: f"/api/v1/clinics/{w.clinic.id}/staff-invites/{w.invite.id}/",
        {**clinical(404), ADMIN: 204, PATIENT: 403},
    ),
    Case(
        # Anyone may try a token (no one is signed in for it): a wrong one is refused alike.
        "accept with a wrong token",
        "post",
        lambda w: "/api/v1/auth/staff-invite/accept/",
        dict.fromkeys(CALLERS, 400),
        body=lambda w: {"token": "x" * 43, "password": "knee-rehab-Journey-7", "display_name": "N"},
    ),
]


def results(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_permission_table(world, case, caller):
    assert set(case.expect) == set(CALLERS), case.name
    before = snapshot()
    body = case.body(world) if case.body else None

    response = getattr(world.client(caller), case.method)(case.path(world), body, format="json")

    expected = case.expect[caller]
    assert response.status_code == expected, (caller, response.content[:300])
    if expected >= 400:
        assert snapshot() == before, "a refused request changed something"
    if case.shows is not None and expected == 200:
        assert (case.shows(world) in results(response)) is (caller in case.sees)


def test_the_clinic_admin_sees_counts_and_no_patient(world):
    from apps.alerts.models import Alert

    Alert.objects.create(patient=world.patient, kind="worsening", level="soon")
    response = world.client(ADMIN).get(f"/api/v1/clinics/{world.clinic.id}/staff/")

    assert response.status_code == 200
    rows = {row["email"]: row for row in response.json()["results"]}
    assert set(rows) == {"clinician@example.org", "admin@example.org", "colleague@example.org"}
    assert rows["clinician@example.org"] | {"id": None} == {
        "id": None,
        "display_name": "",
        "email": "clinician@example.org",
        "role": "clinician",
        "active": True,
        "active_patients": 1,
        "open_alerts": 1,
    }
    assert (rows["admin@example.org"]["role"], rows["admin@example.org"]["open_alerts"]) == (
        "admin",
        0,
    )
    assert str(world.patient.id) not in response.content.decode()
    assert world.patient.email not in response.content.decode()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (lambda w: "/api/v1/plans/", plan_body),
        (lambda w: f"/api/v1/patients/{w.patient.id}/outcome-schedules/", schedule_body),
    ],
    ids=["plan", "schedule"],
)
def test_another_clinics_episode_named_in_a_body_does_not_exist(world, path, body):
    before = snapshot()

    response = world.client(OTHER_CLINIC).post(path(world), body(world), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "does_not_exist", "detail": "No such episode for this patient.", "attr": "episode"}
    ]
    assert snapshot() == before


def test_the_clinic_admin_audits_its_staffs_reads_and_sees_no_record(world):
    """The clinician's read of the episode shows in clinic A's audit, as who, whom, what and
    when; the other clinic's physio's read of the same patient does not."""
    clinician, elsewhere = world.client(CLINICIAN), world.client(OTHER_CLINIC)
    assert clinician.get(EPISODE.format(world.episode.id) + "report/").status_code == 200
    assert elsewhere.get(f"/api/v1/patients/{world.patient.id}/symptom-logs/").status_code == 200

    response = world.client(ADMIN).get(f"/api/v1/clinics/{world.clinic.id}/audit/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["staff"]["id"], row["patient"]["id"], row["what"]) for row in rows] == [
        (str(world.users[CLINICIAN].id), str(world.patient.id), "episodes.report")
    ]
    assert set(rows[0]) == {"id", "at", "what", "staff", "patient"}
    assert world.episode.title not in response.content.decode()
    assert world.patient.email not in response.content.decode()

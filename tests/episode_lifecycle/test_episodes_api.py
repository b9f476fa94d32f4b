"""The episodes API: opening, listing and reading episodes; plans and schedules joining
them (docs/api.md, Episodes of care and goals)."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from apps.accounts.models import PatientAccessAudit
from apps.accounts.services import care_link_create
from apps.episodes.models import Episode, EpisodeStatus
from apps.outcomes.models import OutcomeSchedule
from apps.plans.models import ExercisePlan
from tests.bodies import plan_body
from tests.conftest import client_for
from tests.factories import ConditionFactory, EpisodeFactory, PatientFactory, PhysioFactory

from .conftest import episode_body, open_episode

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

TODAY = dt.date(2026, 11, 18)


def test_a_linked_physio_opens_an_episode(physio, patient, linked):
    condition = ConditionFactory(slug="patellofemoral-pain", name="Patellofemoral pain")

    body = open_episode(physio, patient, condition="patellofemoral-pain")

    assert body["title"] == "Right knee pain"
    assert body["condition"] == {"slug": "patellofemoral-pain", "name": "Patellofemoral pain"}
    assert (body["status"], body["started_on"]) == ("active", str(TODAY))
    assert (body["plans"], body["schedules"], body["goals"]) == ([], [], [])
    assert body["patient"] == str(patient.id)
    assert body["physio"] == str(physio.id)
    assert Episode.objects.get().condition == condition


def test_a_second_active_episode_with_the_same_patient_is_a_conflict(physio, patient, linked):
    open_episode(physio, patient)

    response = client_for(physio).post(
        f"/api/v1/patients/{patient.id}/episodes/", episode_body(), format="json"
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "active_episode_exists"
    assert Episode.objects.count() == 1


def test_another_physio_may_open_their_own_episode(physio, other_physio, patient, linked):
    care_link_create(physio=other_physio, patient=patient)
    open_episode(physio, patient)
    open_episode(other_physio, patient)
    assert Episode.objects.filter(status=EpisodeStatus.ACTIVE).count() == 2


def test_an_episode_for_a_patient_not_linked_is_not_found(physio, patient):
    response = client_for(physio).post(
        f"/api/v1/patients/{patient.id}/episodes/", episode_body(), format="json"
    )
    assert response.status_code == 404
    assert not Episode.objects.exists()


@pytest.mark.parametrize(
    ("changes", "attr", "code"),
    [
        ({"title": ""}, "title", "blank"),
        ({"title": None}, "title", "null"),
        ({"title": 5}, "title", "invalid"),
        ({"title": "x" * 161}, "title", "max_length"),
        ({"condition": "no-such-condition"}, "condition", "does_not_exist"),
        ({"condition": "draft-condition"}, "condition", "does_not_exist"),
        ({"started_on": "2026-11-20"}, "started_on", "in_future"),
        ({"started_on": "2024-11-17"}, "started_on", "too_old"),
        ({"started_on": "18/11/2026"}, "started_on", "invalid"),
        ({"started_on": 20261118}, "started_on", "invalid"),
        ({"status": "discharged"}, "status", "unknown_field"),
        ({"report": {}}, "report", "unknown_field"),
    ],
)
def test_bad_episodes_are_a_400_naming_the_field_and_store_nothing(
    physio, patient, linked, changes, attr, code
):
    ConditionFactory(slug="draft-condition", status="draft")
    response = client_for(physio).post(
        f"/api/v1/patients/{patient.id}/episodes/", episode_body(**changes), format="json"
    )
    assert response.status_code == 400, response.content
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [(attr, code)]
    assert not Episode.objects.exists()


def test_missing_fields_are_named(physio, patient, linked):
    response = client_for(physio).post(
        f"/api/v1/patients/{patient.id}/episodes/", {}, format="json"
    )
    assert response.status_code == 400
    assert sorted((e["attr"], e["code"]) for e in response.json()["errors"]) == [
        ("started_on", "required"),
        ("title", "required"),
    ]


# --- Plans and schedules join an episode ------------------------------------------------------


def post_plan(physio, patient, **overrides):
    return client_for(physio).post("/api/v1/plans/", plan_body(patient, **overrides), format="json")


def post_schedule(physio, patient, **overrides):
    body = {"instrument": "lefs", "every_days": 7, "starts_on": str(TODAY), **overrides}
    return client_for(physio).post(
        f"/api/v1/patients/{patient.id}/outcome-schedules/", body, format="json"
    )


def test_a_plan_without_an_episode_opens_one_and_the_next_joins_it(
    physio, patient, linked, exercise, other_exercise, instruments
):
    response = post_plan(physio, patient)
    assert response.status_code == 201, response.content
    episode = Episode.objects.get()
    assert response.json()["episode"] == str(episode.id)
    # It starts when the plan does (plan_body: yesterday).
    assert (episode.title, episode.started_on, episode.physio) == (
        "Episode of care",
        TODAY - dt.timedelta(days=1),
        physio,
    )

    schedule = post_schedule(physio, patient)
    assert schedule.status_code == 201, schedule.content
    assert schedule.json()["episode"] == str(episode.id)
    assert Episode.objects.count() == 1


def test_plans_and_schedules_join_the_episode_named(
    physio, patient, linked, exercise, other_exercise, instruments
):
    episode = open_episode(physio, patient)

    plan = post_plan(physio, patient, episode=episode["id"])
    schedule = post_schedule(physio, patient, episode=episode["id"])

    assert plan.json()["episode"] == schedule.json()["episode"] == episode["id"]
    detail = client_for(physio).get(f"/api/v1/episodes/{episode['id']}/").json()
    assert [p["id"] for p in detail["plans"]] == [plan.json()["id"]]
    assert [(s["id"], s["instrument"], s["status"]) for s in detail["schedules"]] == [
        (schedule.json()["id"], "lefs", "active")
    ]


@pytest.mark.parametrize("post", [post_plan, post_schedule], ids=["plan", "schedule"])
def test_work_cannot_join_a_discharged_episode(
    post, physio, patient, linked, exercise, other_exercise, instruments
):
    closed = EpisodeFactory(patient=patient, physio=physio, discharged=True)

    response = post(physio, patient, episode=str(closed.id))

    assert response.status_code == 409, response.content
    assert response.json()["errors"][0]["code"] == "episode_discharged"
    assert not ExercisePlan.objects.exists()
    assert not OutcomeSchedule.objects.exists()
    assert Episode.objects.count() == 1


@pytest.mark.parametrize("post", [post_plan, post_schedule], ids=["plan", "schedule"])
def test_work_cannot_join_someone_elses_episode(
    post, physio, other_physio, patient, linked, exercise, other_exercise, instruments
):
    theirs = EpisodeFactory(patient=patient, physio=other_physio)
    another_patients = EpisodeFactory(physio=physio)
    for episode_id, code in (
        (theirs.id, "not_your_episode"),
        (another_patients.id, "does_not_exist"),
        (uuid.uuid4(), "does_not_exist"),
    ):
        response = post(physio, patient, episode=str(episode_id))
        assert response.status_code == 400, response.content
        assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("episode", code)]
    assert not ExercisePlan.objects.exists()
    assert not OutcomeSchedule.objects.exists()
    assert Episode.objects.count() == 2


def test_an_episode_cannot_be_moved_by_editing_a_plan(make_plan, physio, patient):
    plan = make_plan()
    response = client_for(physio).patch(
        f"/api/v1/plans/{plan.id}/", {"episode": str(uuid.uuid4())}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unknown_field"


# --- Reading --------------------------------------------------------------------------------


def test_each_caller_lists_what_they_may_see(physio, patient, linked):
    mine = EpisodeFactory(patient=patient, physio=physio)
    stranger = EpisodeFactory()  # another patient, another physio
    second_patient = PatientFactory()
    care_link_create(physio=physio, patient=second_patient)
    theirs = EpisodeFactory(patient=second_patient, physio=PhysioFactory())

    def ids(user, query=""):
        response = client_for(user).get(f"/api/v1/episodes/{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(patient) == {str(mine.id)}
    assert ids(physio) == {str(mine.id), str(theirs.id)}
    assert ids(physio, f"?patient={second_patient.id}") == {str(theirs.id)}
    assert ids(physio, f"?patient={stranger.patient_id}") == set()
    assert ids(physio, "?status=discharged") == set()
    assert ids(stranger.patient) == {str(stranger.id)}
    assert set(
        PatientAccessAudit.objects.filter(what="episodes.list").values_list("patient", flat=True)
    ) == {patient.id, second_patient.id}


@pytest.mark.parametrize(
    ("query", "attr", "code"),
    [("?patient=nope", "patient", "invalid"), ("?status=closed", "status", "invalid_choice")],
)
def test_bad_list_filters_are_a_400(physio, linked, query, attr, code):
    response = client_for(physio).get(f"/api/v1/episodes/{query}")
    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [(attr, code)]


def test_the_list_costs_the_same_queries_for_one_or_many_episodes(physio, linked, instruments):
    from tests.factories import GoalFactory

    def make(count):
        for _ in range(count):
            patient = PatientFactory()
            care_link_create(physio=physio, patient=patient)
            episode = EpisodeFactory(patient=patient, physio=physio)
            GoalFactory(episode=episode)

    client = client_for(physio)
    make(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/episodes/").status_code == 200
    make(5)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/episodes/").json()["results"]) == 6
    assert len(many) == len(one)


def test_outsiders_get_404_for_an_episode(physio, other_physio, patient, linked):
    episode = EpisodeFactory(patient=patient, physio=physio)
    for user in (other_physio, PatientFactory()):
        response = client_for(user).get(f"/api/v1/episodes/{episode.id}/")
        assert response.status_code == 404
    assert client_for(patient).get(f"/api/v1/episodes/{episode.id}/").status_code == 200


def test_a_discharged_episode_still_reads(physio, patient, linked):
    episode = EpisodeFactory(patient=patient, physio=physio, discharged=True)
    body = client_for(physio).get(f"/api/v1/episodes/{episode.id}/").json()
    assert body["status"] == "discharged"
    assert body["discharged_at"] is not None
    assert timezone.now() >= dt.datetime.fromisoformat(body["discharged_at"])


@pytest.mark.parametrize("value", ["x", 5, True, {"id": "x"}])
def test_a_malformed_episode_on_a_plan_is_a_400_and_stores_nothing(
    physio, patient, linked, exercise, other_exercise, value
):
    response = post_plan(physio, patient, episode=value)

    assert response.status_code == 400, response.content
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("episode", "invalid")]
    assert not ExercisePlan.objects.exists()
    assert not Episode.objects.exists()


def test_a_null_episode_means_the_default(physio, patient, linked, exercise, other_exercise):
    response = post_plan(physio, patient, episode=None)
    assert response.status_code == 201, response.content
    assert response.json()["episode"] == str(Episode.objects.get().id)

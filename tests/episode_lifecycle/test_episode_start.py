"""When an episode began: an episode opened by a plan or a schedule starts on the earliest
start among them, never later than any of its plans or schedules, and its lead
physiotherapist may correct it (PATCH episodes/{id}/; docs/api.md)."""

import datetime as dt

import pytest

from apps.episode_lifecycle.report import episode_report_build
from apps.episodes.models import Episode
from tests.bodies import plan_body
from tests.conftest import client_for
from tests.factories import EpisodeFactory, GoalFactory, SymptomLogFactory

from .conftest import goal_body

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

TODAY = dt.date(2026, 11, 18)
TWO_WEEKS_AGO = TODAY - dt.timedelta(days=14)


def post_plan(physio, patient, **overrides):
    response = client_for(physio).post(
        "/api/v1/plans/", plan_body(patient, **overrides), format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def post_schedule(physio, patient, starts_on: dt.date, **overrides):
    body = {"instrument": "lefs", "every_days": 7, "starts_on": str(starts_on), **overrides}
    response = client_for(physio).post(
        f"/api/v1/patients/{patient.id}/outcome-schedules/", body, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def patch(user, episode_id, body):
    return client_for(user).patch(f"/api/v1/episodes/{episode_id}/", body, format="json")


def test_a_plan_that_began_two_weeks_ago_opens_an_episode_begun_then(
    physio, patient, linked, exercise, other_exercise
):
    post_plan(physio, patient, start_date=str(TWO_WEEKS_AGO))
    assert Episode.objects.get().started_on == TWO_WEEKS_AGO


def test_a_plan_starting_later_opens_an_episode_begun_today(
    physio, patient, linked, exercise, other_exercise
):
    post_plan(physio, patient, start_date=str(TODAY + dt.timedelta(days=3)))
    assert Episode.objects.get().started_on == TODAY


def test_a_schedule_opens_an_episode_today_and_an_earlier_plan_moves_it_back(
    physio, patient, linked, exercise, other_exercise, instruments
):
    post_schedule(physio, patient, TODAY + dt.timedelta(days=2))  # schedules never start earlier
    assert Episode.objects.get().started_on == TODAY
    post_plan(physio, patient, start_date=str(TWO_WEEKS_AGO))
    assert Episode.objects.get().started_on == TWO_WEEKS_AGO
    post_schedule(physio, patient, TODAY, instrument="psfs")  # a later one: no change
    assert Episode.objects.get().started_on == TWO_WEEKS_AGO


def test_moving_a_plans_start_earlier_moves_its_episode(
    physio, patient, linked, exercise, other_exercise
):
    plan = post_plan(physio, patient)
    response = client_for(physio).patch(
        f"/api/v1/plans/{plan['id']}/", {"start_date": str(TWO_WEEKS_AGO)}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Episode.objects.get().started_on == TWO_WEEKS_AGO


def test_the_report_then_sees_the_pain_logged_before_the_plan_was_entered(
    physio, patient, linked, exercise, other_exercise
):
    SymptomLogFactory(
        patient=patient,
        pain_score=6,
        recorded_at=dt.datetime.combine(TWO_WEEKS_AGO, dt.time(9), tzinfo=dt.UTC),
    )
    post_plan(physio, patient, start_date=str(TWO_WEEKS_AGO))
    report = episode_report_build(Episode.objects.get())
    assert report["pain"]["first_7_days_mean"] == 6


# --- PATCH episodes/{id}/ ---------------------------------------------------------------------


def test_the_lead_physio_corrects_the_start(physio, patient, linked):
    episode = EpisodeFactory(patient=patient, physio=physio, started_on=TODAY)
    response = patch(physio, episode.id, {"started_on": str(TWO_WEEKS_AGO)})
    assert response.status_code == 200, response.content
    assert response.json()["started_on"] == str(TWO_WEEKS_AGO)
    episode.refresh_from_db()
    assert episode.started_on == TWO_WEEKS_AGO


@pytest.mark.parametrize(
    ("started_on", "code"),
    [
        (str(TODAY + dt.timedelta(days=2)), "in_future"),
        (str(TODAY - dt.timedelta(days=731)), "too_old"),
        (str(TODAY - dt.timedelta(days=2)), "after_first_work"),  # the plan began yesterday
        ("2026-13-01", "invalid"),
        (None, "null"),
    ],
)
def test_bad_starts_are_a_400_and_change_nothing(
    physio, patient, linked, exercise, other_exercise, started_on, code
):
    post_plan(physio, patient, start_date=str(TODAY - dt.timedelta(days=3)))
    episode = Episode.objects.get()
    response = patch(physio, episode.id, {"started_on": started_on})
    assert response.status_code == 400, response.content
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("started_on", code)]
    episode.refresh_from_db()
    assert episode.started_on == TODAY - dt.timedelta(days=3)


def test_a_start_after_a_goal_is_due_is_a_400(physio, patient, linked, instruments):
    episode = EpisodeFactory(patient=patient, physio=physio, started_on=TWO_WEEKS_AGO)
    GoalFactory(episode=episode, due_on=TODAY - dt.timedelta(days=7))
    response = patch(physio, episode.id, {"started_on": str(TODAY)})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "after_goal_due"


@pytest.mark.parametrize(
    "body", [{}, {"started_on": str(TODAY), "title": "x"}], ids=["empty", "unknown field"]
)
def test_a_body_without_only_the_start_is_a_400(physio, patient, linked, body):
    episode = EpisodeFactory(patient=patient, physio=physio, started_on=TODAY)
    assert patch(physio, episode.id, body).status_code == 400


def test_a_discharged_episode_is_a_409(physio, patient, linked):
    episode = EpisodeFactory(patient=patient, physio=physio, discharged=True)
    response = patch(physio, episode.id, {"started_on": str(TWO_WEEKS_AGO)})
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "episode_discharged"


def test_only_the_lead_physio_may_change_it(physio, other_physio, patient, linked, other_patient):
    from apps.accounts.services import care_link_create

    episode = EpisodeFactory(patient=patient, physio=physio, started_on=TODAY)
    care_link_create(physio=other_physio, patient=patient)  # linked, not the lead
    stranger = EpisodeFactory(started_on=TODAY)  # another patient's, another physio's
    for user, episode_id in (
        (other_physio, episode.id),
        (patient, episode.id),
        (other_patient, episode.id),
        (physio, stranger.id),
    ):
        response = patch(user, episode_id, {"started_on": str(TWO_WEEKS_AGO)})
        assert response.status_code == 404, (user, response.content)
    episode.refresh_from_db()
    assert episode.started_on == TODAY


def test_goals_still_cannot_be_due_before_the_start(physio, patient, linked, instruments):
    episode = EpisodeFactory(patient=patient, physio=physio, started_on=TODAY)
    response = client_for(physio).post(
        f"/api/v1/episodes/{episode.id}/goals/",
        goal_body(due_on=str(TODAY - dt.timedelta(days=1))),
        format="json",
    )
    assert response.status_code == 400

"""Goals on an episode: checked against the instrument, status computed from the
episode's latest score (docs/api.md, Episodes of care and goals)."""

import datetime as dt

import pytest

from apps.episodes.models import Goal
from apps.outcomes.models import InstrumentVersion
from tests.conftest import client_for
from tests.factories import EpisodeFactory, GoalFactory, OutcomeScheduleFactory

from .conftest import goal_body, lefs_response, open_episode

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

TODAY = dt.date(2026, 11, 18)


def post_goal(physio, episode_id, **overrides):
    return client_for(physio).post(
        f"/api/v1/episodes/{episode_id}/goals/", goal_body(**overrides), format="json"
    )


def test_a_goal_is_made_with_its_status(physio, patient, linked, instruments):
    episode = open_episode(physio, patient)

    response = post_goal(physio, episode["id"], target=60)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["instrument"], body["target"], body["status"], body["latest"]) == (
        "lefs",
        60.0,
        "progressing",
        None,
    )
    assert Goal.objects.get().created_by == physio


def test_the_status_follows_the_episodes_latest_score(
    physio, patient, linked, instruments, time_machine
):
    episode = open_episode(physio, patient)
    schedule = client_for(physio).post(
        f"/api/v1/patients/{patient.id}/outcome-schedules/",
        {"instrument": "lefs", "every_days": 7, "starts_on": str(TODAY)},
        format="json",
    )
    assert schedule.json()["episode"] == episode["id"]
    post_goal(physio, episode["id"], target=60, due_on=str(TODAY + dt.timedelta(days=14)))
    post_goal(
        physio,
        episode["id"],
        instrument="pain_week",
        target=3,
        description="Average pain 3 or less",
        due_on=str(TODAY + dt.timedelta(days=7)),
    )

    def statuses():
        body = client_for(physio).get(f"/api/v1/episodes/{episode['id']}/").json()
        return {goal["instrument"]: (goal["status"], goal["latest"]) for goal in body["goals"]}

    assert statuses() == {"lefs": ("progressing", None), "pain_week": ("progressing", None)}
    lefs_response(patient, 3)  # 60
    assert statuses()["lefs"] == ("met", 60.0)
    lefs_response(patient, 2)  # 40: the latest decides, and it moved away from 60 since
    assert statuses()["lefs"] == ("off_track", 40.0)  # the baseline (60, met)
    time_machine.shift(dt.timedelta(days=8))
    assert statuses() == {"lefs": ("off_track", 40.0), "pain_week": ("not_met", None)}
    time_machine.shift(dt.timedelta(days=7))
    assert statuses()["lefs"] == ("not_met", 40.0)


def test_scores_of_another_episode_do_not_count(physio, other_physio, patient, linked, instruments):
    episode = EpisodeFactory(patient=patient, physio=physio, started_on=TODAY)
    GoalFactory(episode=episode, target=60)
    # The patient's LEFS schedule belongs to another physio's episode.
    OutcomeScheduleFactory(
        patient=patient,
        physio=other_physio,
        instrument_id="lefs",
        episode=EpisodeFactory(patient=patient, physio=other_physio),
    )
    lefs_response(patient, 4)

    goal = client_for(physio).get(f"/api/v1/episodes/{episode.id}/").json()["goals"][0]

    assert (goal["status"], goal["latest"]) == ("progressing", None)


@pytest.mark.parametrize(
    ("changes", "attr", "code"),
    [
        ({"instrument": "koos"}, "instrument", "unknown_instrument"),
        ({"instrument": 5}, "instrument", "invalid"),
        ({"target": 81}, "target", "out_of_range"),
        ({"target": -1}, "target", "out_of_range"),
        ({"target": "60"}, "target", "invalid"),
        ({"target": True}, "target", "invalid"),
        ({"target": None}, "target", "null"),
        ({"target": 60.123}, "target", "max_decimal_places"),
        ({"due_on": "2026-11-10"}, "due_on", "before_start"),
        ({"due_on": "2029-01-01"}, "due_on", "too_far"),
        ({"due_on": "1/12/2026"}, "due_on", "invalid"),
        ({"description": ""}, "description", "blank"),
        ({"description": "x" * 501}, "description", "max_length"),
        ({"status": "met"}, "status", "unknown_field"),
    ],
)
def test_bad_goals_are_a_400_naming_the_field_and_store_nothing(
    physio, patient, linked, instruments, changes, attr, code
):
    episode = open_episode(physio, patient)

    response = post_goal(physio, episode["id"], **changes)

    assert response.status_code == 400, response.content
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [(attr, code)]
    assert not Goal.objects.exists()


def test_a_switched_off_instrument_takes_no_goals(physio, patient, linked, instruments):
    InstrumentVersion.objects.filter(instrument_id="psfs").update(enabled=False)
    episode = open_episode(physio, patient)

    response = post_goal(physio, episode["id"], instrument="psfs", target=7)

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unknown_instrument"
    assert not Goal.objects.exists()


def test_a_discharged_episode_takes_no_goals(physio, patient, linked, instruments):
    episode = EpisodeFactory(patient=patient, physio=physio, discharged=True)

    response = post_goal(physio, episode.id)

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "episode_discharged"
    assert not Goal.objects.exists()


def test_only_a_linked_physio_adds_goals(physio, other_physio, patient, linked, instruments):
    episode = open_episode(physio, patient)
    assert post_goal(other_physio, episode["id"]).status_code == 404
    response = client_for(patient).post(
        f"/api/v1/episodes/{episode['id']}/goals/", goal_body(), format="json"
    )
    assert response.status_code == 403
    assert not Goal.objects.exists()


def test_a_discharged_episodes_goals_are_judged_as_of_the_discharge(
    physio, patient, linked, instruments, time_machine
):
    episode = open_episode(physio, patient)
    post_goal(physio, episode["id"], due_on=str(TODAY + dt.timedelta(days=7)))
    discharged = client_for(physio).post(
        f"/api/v1/episodes/{episode['id']}/discharge/", {"note": ""}, format="json"
    )
    assert discharged.status_code == 200

    time_machine.shift(dt.timedelta(days=30))
    lefs_response(patient, 4)  # after the discharge: not the episode's

    goal = client_for(physio).get(f"/api/v1/episodes/{episode['id']}/").json()["goals"][0]
    assert (goal["status"], goal["latest"]) == ("progressing", None)

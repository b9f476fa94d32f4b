"""Episodes under concurrent requests (PostgreSQL: row locks and unique constraints decide)."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.episodes.models import Episode, EpisodeStatus
from apps.outcomes.models import OutcomeSchedule
from apps.plans.models import ExercisePlan, PlanStatus
from tests.bodies import plan_body
from tests.conftest import post_at_once
from tests.factories.clinics import the_test_clinic

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def schedule_body(instrument: str) -> dict:
    return {"instrument": instrument, "every_days": 7, "starts_on": str(timezone.now().date())}


def test_work_arriving_at_once_opens_one_episode(
    physio, patient, linked, exercise, other_exercise, instruments
):
    url = f"/api/v1/patients/{patient.id}/outcome-schedules/"
    responses = post_at_once(
        [
            (physio, "/api/v1/plans/", plan_body(patient)),
            (physio, url, schedule_body("lefs")),
            (physio, url, schedule_body("psfs")),
            (physio, url, schedule_body("pain_week")),
        ]
    )

    assert [r.status_code for r in responses] == [201, 201, 201, 201], [
        r.content for r in responses
    ]
    episode = Episode.objects.get()
    assert {r.json()["episode"] for r in responses} == {str(episode.id)}


def test_a_plan_made_during_a_discharge_is_refused_or_archived(
    physio, patient, linked, exercise, other_exercise, instruments
):
    url = f"/api/v1/patients/{patient.id}/outcome-schedules/"
    episode = Episode.objects.create(
        clinic=the_test_clinic(),
        patient=patient,
        physio=physio,
        title="Knee",
        started_on=timezone.now().date(),
    )
    body = plan_body(patient, episode=str(episode.id))
    body["start_date"] = str(timezone.now().date() - dt.timedelta(days=1))

    responses = post_at_once(
        [
            (physio, f"/api/v1/episodes/{episode.id}/discharge/", {"note": ""}),
            (physio, "/api/v1/plans/", body),
            (physio, url, {**schedule_body("lefs"), "episode": str(episode.id)}),
        ]
    )

    assert responses[0].status_code == 200
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.DISCHARGED
    for response in responses[1:]:
        assert response.status_code in (201, 409), response.content
        if response.status_code == 409:
            assert response.json()["errors"][0]["code"] == "episode_discharged"
    # Whatever got in before the discharge was archived or ended by it.
    assert not ExercisePlan.objects.filter(episode=episode, status=PlanStatus.ACTIVE).exists()
    assert not OutcomeSchedule.objects.filter(episode=episode, ended_at__isnull=True).exists()
    assert sorted(episode.report) == sorted(
        [
            "episode",
            "generated_at",
            "final",
            "pain",
            "outcomes",
            "goals",
            "adherence",
            "adherence_7d",
            "alerts",
            "note",
            "disclaimer",
        ]
    )

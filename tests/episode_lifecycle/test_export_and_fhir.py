"""Episodes and goals in the patient's export, in erasure, and in the FHIR bundle as
EpisodeOfCare and Goal resources."""

import datetime as dt

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.reference import Reference

from apps.accounts.models import User
from apps.episode_lifecycle.selectors import episodes_visible, goals_with_status
from apps.episode_lifecycle.services import episode_discharge
from apps.episodes.models import Episode, Goal
from apps.interop import fhir
from apps.outcomes.models import OutcomeSchedule
from apps.outcomes.services import outcome_schedule_create
from apps.plans.models import ExercisePlan
from tests.conftest import client_for
from tests.factories import ConditionFactory, EpisodeFactory, GoalFactory

from .conftest import lefs_response

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def history(make_plan, physio, patient, instruments):
    """A discharged episode (plan, schedule, a met goal) and an open one with a goal."""
    make_plan()
    outcome_schedule_create(
        physio=physio,
        patient=patient,
        instrument="lefs",
        every_days=7,
        starts_on=timezone.now().date(),
    )
    first = Episode.objects.get()
    GoalFactory(episode=first, target=60, description="Stairs")
    lefs_response(patient, 3)
    episode_discharge(episode=first, by=physio, note="Back to work.")
    second = EpisodeFactory(
        patient=patient,
        physio=physio,
        title="Left calf",
        started_on=timezone.now().date(),
        condition=ConditionFactory(slug="calf-strain", name="Calf strain"),
    )
    GoalFactory(episode=second, instrument="pain_week", target=2, description="Calm calf")
    first.refresh_from_db()
    return first, second


def test_the_export_holds_the_patients_episodes_goals_and_frozen_report(
    history, patient, other_patient
):
    first, second = history
    EpisodeFactory(patient=other_patient)

    data = client_for(patient).get("/api/v1/me/export/").json()

    assert [(e["id"], e["status"]) for e in data["episodes"]] == [
        (str(first.id), "discharged"),
        (str(second.id), "active"),
    ]
    assert data["episodes"][0]["report"] == first.report
    assert data["episodes"][0]["note"] == "Back to work."
    assert data["episodes"][1]["condition__slug"] == "calf-strain"
    assert sorted((g["description"], g["target"]) for g in data["goals"]) == [
        ("Calm calf", 2.0),
        ("Stairs", 60.0),
    ]


def test_erasing_the_patient_erases_their_episodes_and_goals(history, patient, other_patient):
    theirs = GoalFactory(episode=EpisodeFactory(patient=other_patient))

    assert client_for(patient).delete("/api/v1/me/").status_code == 204

    assert not Episode.objects.filter(patient_id=patient.pk).exists()
    assert not Goal.objects.filter(episode__patient_id=patient.pk).exists()
    assert not ExercisePlan.objects.filter(patient_id=patient.pk).exists()
    assert not OutcomeSchedule.objects.filter(patient_id=patient.pk).exists()
    assert Goal.objects.filter(pk=theirs.pk).exists()


def test_a_physio_leaving_keeps_the_patients_episodes(history, physio):
    User.objects.filter(pk=physio.pk).delete()
    assert set(Episode.objects.values_list("physio", flat=True)) == {None}


# --- FHIR -----------------------------------------------------------------------------------


def test_episodes_and_goals_are_episode_of_care_and_goal_resources(history, physio, patient):
    first, second = history
    subject = Reference(reference=f"urn:uuid:{patient.id}")
    episodes = list(episodes_visible(user=physio).filter(patient=patient))
    rows = goals_with_status(episodes)

    closed = fhir.episode_of_care(first, subject).model_dump(mode="json")
    open_ = fhir.episode_of_care(second, subject).model_dump(mode="json")
    met = fhir.goal(rows[first.pk][0], subject).model_dump(mode="json")

    assert closed["status"] == "finished"
    assert closed["period"] == {"start": str(first.started_on), "end": str(timezone.now().date())}
    assert open_["status"] == "active"
    assert "end" not in open_["period"]
    assert open_["type"][1] == {
        "coding": [{"system": "urn:knee-calf-selfcare/condition", "code": "calf-strain"}],
        "text": "Calf strain",
    }
    assert met["lifecycleStatus"] == "completed"
    assert met["achievementStatus"]["coding"][0]["code"] == "achieved"
    assert met["description"] == {"text": "Stairs"}
    assert met["target"][0]["detailQuantity"]["value"] == 60
    assert met["target"][0]["dueDate"] == str(rows[first.pk][0].goal.due_on)
    assert met["subject"] == {"reference": f"urn:uuid:{patient.id}"}
    progressing = fhir.goal(rows[second.pk][0], subject).model_dump(mode="json")
    assert progressing["lifecycleStatus"] == "active"
    assert progressing["achievementStatus"]["coding"][0]["code"] == "in-progress"


def test_the_bundle_carries_the_episodes_and_goals(history, physio, patient):
    response = client_for(physio).get(f"/api/v1/patients/{patient.id}/fhir/")

    assert response.status_code == 200
    Bundle.model_validate_json(response.content)  # valid FHIR as a whole
    resources = [entry["resource"] for entry in response.json()["entry"]]
    kinds = [r["resourceType"] for r in resources]
    assert kinds.count("EpisodeOfCare") == 2
    assert kinds.count("Goal") == 2
    assert {r["id"] for r in resources if r["resourceType"] == "EpisodeOfCare"} == {
        str(e.id) for e in history
    }


def test_a_goal_past_due_and_not_met_is_not_achieved(physio, patient, linked, time_machine):
    episode = EpisodeFactory(patient=patient, physio=physio)
    GoalFactory(episode=episode, due_on=timezone.now().date())
    time_machine.shift(dt.timedelta(days=1))
    [row] = goals_with_status([episode])[episode.pk]

    resource = fhir.goal(row, Reference(reference=f"urn:uuid:{patient.id}"))

    assert resource.achievementStatus.coding[0].code == "not-achieved"

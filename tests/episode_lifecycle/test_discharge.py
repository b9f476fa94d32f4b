"""Discharging an episode: its plans archived (with their events), its schedules ended,
every reminder they still had cancelled, the report frozen; all or nothing, once
(docs/api.md, Episodes of care and goals)."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.episode_lifecycle.report import episode_report
from apps.episodes.models import Episode, EpisodeStatus
from apps.notifications.models import Reminder, ReminderStatus
from apps.outcomes.models import OutcomeSchedule
from apps.outcomes.reminders import schedule_source
from apps.outcomes.services import outcome_schedule_create
from apps.plans.models import ExercisePlan, PlanEvent, PlanStatus
from apps.plans.reminders import plan_source
from tests.bodies import symptom_log_body
from tests.conftest import client_for, post_at_once
from tests.factories import ReminderFactory

from .conftest import goal_body

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def episode(make_plan, physio, patient, instruments):
    """The physio's episode with the patient: a plan with reminders, a LEFS schedule and
    a goal, all made through the services."""
    plan = make_plan()
    outcome_schedule_create(
        physio=physio,
        patient=patient,
        instrument="lefs",
        every_days=7,
        starts_on=timezone.now().date(),
    )
    episode = Episode.objects.get()
    response = client_for(physio).post(
        f"/api/v1/episodes/{episode.id}/goals/", goal_body(), format="json"
    )
    assert response.status_code == 201
    assert plan.episode_id == episode.id
    return episode


def discharge(user, episode, body=None):
    return client_for(user).post(
        f"/api/v1/episodes/{episode.id}/discharge/",
        {"note": "Back to running."} if body is None else body,
        format="json",
    )


def pending(sources) -> int:
    return Reminder.objects.filter(source__in=sources, status=ReminderStatus.SCHEDULED).count()


@pytest.mark.django_db
def test_discharge_archives_ends_cancels_and_freezes(episode, physio, patient):
    plan = ExercisePlan.objects.get()
    schedule = OutcomeSchedule.objects.get()
    sources = [plan_source(plan), schedule_source(schedule)]
    # One whose time has come, not yet claimed by a worker: it must not go out either.
    ReminderFactory(
        user=patient,
        source=plan_source(plan),
        scheduled_for=timezone.now() - dt.timedelta(minutes=1),
    )
    before = pending(sources)
    assert before > 1

    response = discharge(physio, episode)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["status"], body["note"]) == (
        str(episode.id),
        "discharged",
        "Back to running.",
    )
    assert body["plans_archived"] == [str(plan.id)]
    assert body["schedules_ended"] == [str(schedule.id)]
    assert body["reminders_cancelled"] == before
    assert pending(sources) == 0

    plan.refresh_from_db()
    schedule.refresh_from_db()
    episode.refresh_from_db()
    assert plan.status == PlanStatus.ARCHIVED
    assert PlanEvent.objects.filter(plan=plan, action="archived", actor=physio).count() == 1
    assert (schedule.ended_by, schedule.end_reason) == (physio, "discharged")
    assert (episode.status, episode.discharged_by, episode.note) == (
        EpisodeStatus.DISCHARGED,
        physio,
        "Back to running.",
    )
    assert episode.report["final"] is True
    assert episode.report["episode"]["status"] == "discharged"
    assert episode.report["episode"]["ended_on"] == str(timezone.now().date())
    assert episode.report["note"] == "Back to running."
    assert [g["status"] for g in episode.report["goals"]] == ["progressing"]


@pytest.mark.django_db
def test_the_frozen_report_does_not_change_after_discharge(episode, physio, patient, time_machine):
    assert discharge(physio, episode).status_code == 200
    episode.refresh_from_db()
    frozen = episode.report

    time_machine.shift(dt.timedelta(days=2))
    log = client_for(patient).post("/api/v1/symptom-logs/", symptom_log_body(), format="json")
    assert log.status_code == 201

    assert episode_report(Episode.objects.get(pk=episode.pk)) == frozen
    assert frozen["pain"]["series"] == []


@pytest.mark.django_db
def test_discharging_twice_is_a_conflict_and_changes_nothing(episode, physio):
    assert discharge(physio, episode).status_code == 200
    episode.refresh_from_db()
    first = (episode.discharged_at, episode.note, episode.report)

    again = discharge(physio, episode, {"note": "Second thoughts."})

    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "episode_discharged"
    episode.refresh_from_db()
    assert (episode.discharged_at, episode.note, episode.report) == first
    assert PlanEvent.objects.filter(action="archived").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({}, "note", "required"),
        ({"note": None}, "note", "null"),
        ({"note": 5}, "note", "invalid"),
        ({"note": "x" * 4001}, "note", "max_length"),
        ({"note": "", "status": "discharged"}, "status", "unknown_field"),
    ],
)
def test_bad_discharges_are_a_400_and_change_nothing(episode, physio, body, attr, code):
    reminders = list(Reminder.objects.order_by("pk").values("pk", "status"))

    response = discharge(physio, episode, body)

    assert response.status_code == 400, response.content
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [(attr, code)]
    episode.refresh_from_db()
    assert (episode.status, episode.report) == (EpisodeStatus.ACTIVE, None)
    assert ExercisePlan.objects.get().status == PlanStatus.ACTIVE
    assert OutcomeSchedule.objects.get().ended_at is None
    assert list(Reminder.objects.order_by("pk").values("pk", "status")) == reminders


@pytest.mark.django_db
def test_only_a_linked_physio_discharges(episode, other_physio, patient):
    assert discharge(other_physio, episode).status_code == 404
    assert discharge(patient, episode).status_code == 403
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE


@pytest.mark.django_db
def test_a_blank_note_is_allowed(episode, physio):
    response = discharge(physio, episode, {"note": ""})
    assert response.status_code == 200
    assert response.json()["note"] == ""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_discharges_at_once_one_wins(episode, physio):
    url = f"/api/v1/episodes/{episode.id}/discharge/"
    responses = post_at_once([(physio, url, {"note": f"note {n}"}) for n in range(4)])

    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409]
    winner = next(r.json() for r in responses if r.status_code == 200)
    episode.refresh_from_db()
    assert episode.note == winner["note"]
    assert PlanEvent.objects.filter(action="archived").count() == 1

"""POST plans/{id}/pause/ and resume/: a linked physiotherapist stops a plan for now (while
a red flag is assessed): no reminders, the patient sees it paused, the plan's events
record it; resumable (docs/api.md)."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.utils import timezone

from apps.alerts.services import missed_exercises_sweep
from apps.notifications.models import Reminder, ReminderStatus
from apps.plans.models import PlanEvent
from apps.plans.reminders import on_reminders_plan_ahead, plan_source
from tests.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def pause(user, plan, action="pause", body=None):
    return client_for(user).post(f"/api/v1/plans/{plan.id}/{action}/", body, format="json")


def scheduled(plan) -> int:
    return Reminder.objects.filter(
        source=plan_source(plan), status=ReminderStatus.SCHEDULED
    ).count()


def test_pausing_stops_reminders_shows_paused_and_resuming_restarts(physio, patient, make_plan):
    plan = make_plan()
    assert scheduled(plan) > 0

    response = pause(physio, plan)

    assert response.status_code == 200, response.content
    assert response.json()["paused_at"] is not None
    assert response.json()["status"] == "active"
    assert scheduled(plan) == 0
    assert on_reminders_plan_ahead(None, now=timezone.now()) == 0  # not planned again
    assert scheduled(plan) == 0
    today = client_for(patient).get("/api/v1/today/").json()
    assert today["plan"] == {"id": str(plan.id), "title": plan.title, "paused": True}
    assert today["items"] == []
    mine = client_for(patient).get(f"/api/v1/plans/{plan.id}/").json()
    assert mine["paused_at"] == response.json()["paused_at"]

    resumed = pause(physio, plan, "resume")

    assert resumed.status_code == 200, resumed.content
    assert resumed.json()["paused_at"] is None
    assert scheduled(plan) > 0
    today = client_for(patient).get("/api/v1/today/").json()
    assert today["plan"]["paused"] is False
    assert today["items"]
    assert list(PlanEvent.objects.filter(plan=plan).values_list("action", "actor")) == [
        ("created", physio.pk),
        ("paused", physio.pk),
        ("resumed", physio.pk),
    ]


def test_pausing_twice_or_resuming_a_running_plan_changes_nothing(physio, make_plan):
    plan = make_plan()
    first = pause(physio, plan).json()["paused_at"]
    assert pause(physio, plan).json()["paused_at"] == first
    pause(physio, plan, "resume")
    assert pause(physio, plan, "resume").status_code == 200
    assert PlanEvent.objects.filter(plan=plan).count() == 3  # created, paused, resumed


@pytest.mark.parametrize("action", ["pause", "resume"])
def test_only_a_linked_physio_may(action, physio, other_physio, patient, other_patient, make_plan):
    from apps.accounts.services import care_link_end

    plan = make_plan()
    assert pause(other_physio, plan, action).status_code == 404
    assert pause(patient, plan, action).status_code == 403  # physiotherapists' action
    assert pause(other_patient, plan, action).status_code == 403
    assert client_for(physio).post(f"/api/v1/plans/{uuid.uuid4()}/{action}/").status_code == 404
    care_link_end(link=plan.patient.physio_links.get(physio=physio), by=physio)
    assert pause(physio, plan, action).status_code == 404
    plan.refresh_from_db()
    assert plan.paused_at is None
    assert PlanEvent.objects.filter(plan=plan).count() == 1


@pytest.mark.parametrize("action", ["pause", "resume"])
def test_an_archived_plan_is_a_409(action, physio, make_plan):
    from apps.plans.services import plan_archive

    plan = plan_archive(plan=make_plan(), by=physio)
    response = pause(physio, plan, action)
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "plan_archived"


@pytest.mark.parametrize("action", ["pause", "resume"])
def test_a_body_is_a_400(action, physio, make_plan):
    plan = make_plan()
    response = pause(physio, plan, action, {"reason": "red flag"})
    assert response.status_code == 400
    plan.refresh_from_db()
    assert plan.paused_at is None


def test_a_paused_plan_is_not_judged_for_missed_exercises(physio, make_plan, frozen_now):
    with time_machine.travel(frozen_now - dt.timedelta(days=10), tick=False):
        plan = make_plan()  # nothing logged: under half
    pause(physio, plan)
    assert missed_exercises_sweep() == 0
    pause(physio, plan, "resume")
    assert missed_exercises_sweep() == 1


def _paused_from_day_5_to_day_2(physio, make_plan, frozen_now):
    """A plan made ten days ago, paused five days ago at 09:30 and resumed two days ago
    at 09:30: four local days (London is UTC in November) saw the pause."""
    from apps.plans.services import plan_pause, plan_resume

    with time_machine.travel(frozen_now - dt.timedelta(days=10), tick=False):
        plan = make_plan()
    plan_pause(plan=plan, by=physio, now=frozen_now - dt.timedelta(days=5, hours=3))
    plan_resume(plan=plan, by=physio, now=frozen_now - dt.timedelta(days=2, hours=3))
    plan.refresh_from_db()
    today = frozen_now.date()
    return plan, {today - dt.timedelta(days=n) for n in (5, 4, 3, 2)}


def test_days_the_plan_was_paused_prescribe_nothing(physio, make_plan, frozen_now):
    from apps.plans.adherence import plan_adherence

    plan, paused_days = _paused_from_day_5_to_day_2(physio, make_plan, frozen_now)
    today = frozen_now.date()
    figure = plan_adherence(plan=plan, date_from=today - dt.timedelta(days=6), date_to=today)

    assert {day["date"] for day in figure["days"] if day["expected"] == 0} == paused_days
    assert all(day["expected"] > 0 for day in figure["days"] if day["date"] not in paused_days)
    assert len(plan.pauses) == 1
    assert plan.pauses[0]["to"] is not None


def test_sessions_kept_outside_a_pause_raise_no_missed_exercises(
    physio, patient, make_plan, frozen_now
):
    """The patient did every session on the days the plan ran; the days it was paused
    must not count as missed once the physiotherapist resumes it."""
    from apps.plans.adherence import adherence_7d_for, prescribed_on
    from apps.plans.services import exercise_log_create

    plan, paused_days = _paused_from_day_5_to_day_2(physio, make_plan, frozen_now)
    items = list(plan.items.all())
    today = frozen_now.date()
    for offset in range(7):
        day = today - dt.timedelta(days=offset)
        if day in paused_days:
            continue  # told to stop: nothing done
        for item in items:
            for session in range(prescribed_on(plan, [item], day).get(item.exercise_id, 0)):
                exercise_log_create(
                    patient=patient,
                    plan_item=item,
                    client_id=uuid.uuid4(),
                    performed_at=dt.datetime.combine(day, dt.time(8 + session), tzinfo=dt.UTC),
                    sets_done=1,
                    pain_during=1,
                )

    assert adherence_7d_for([patient.pk])[patient.pk].ratio == 1.0
    assert missed_exercises_sweep() == 0


def test_the_migration_rebuilds_pauses_from_the_plan_events(physio, make_plan, frozen_now):
    import importlib

    from django.apps import apps as global_apps

    from apps.plans.models import PlanEventAction

    migration = importlib.import_module("apps.plans.migrations.0010_plan_pauses")
    plan = make_plan()
    at = [frozen_now + dt.timedelta(hours=n) for n in range(3)]
    actions = [PlanEventAction.PAUSED, PlanEventAction.RESUMED, PlanEventAction.PAUSED]
    for when, action in zip(at, actions, strict=True):
        event = PlanEvent.objects.create(plan=plan, action=action, actor=physio)
        PlanEvent.objects.filter(pk=event.pk).update(at=when)
    type(plan).objects.filter(pk=plan.pk).update(paused_at=at[2], pauses=[])

    migration.pauses_from_events(global_apps, None)

    plan.refresh_from_db()
    assert plan.pauses == [
        {"from": at[0].isoformat(), "to": at[1].isoformat()},
        {"from": at[2].isoformat(), "to": None},
    ]

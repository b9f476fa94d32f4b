"""Pausing the exercise plan from the overview while a red flag is open: offered only then,
behind a confirmation page, through plans' plan_pause; a paused plan says so and resumes
from the overview; another physio's patient is a 404 and nothing changes."""

import pytest

from apps.accounts.models import PatientAccessAudit
from apps.plans.models import ExercisePlan, PlanEvent
from tests.factories import AlertFactory, ExercisePlanFactory

pytestmark = pytest.mark.django_db

OFFER = "Pause the exercise plan…"


@pytest.fixture
def plan(physio, patient, linked):
    return ExercisePlanFactory(patient=patient, physio=physio, title="Calf and knee")


def overview(portal, patient) -> str:
    response = portal.get(f"/clinic/patients/{patient.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def paused_at(plan):
    return ExercisePlan.objects.get(pk=plan.pk).paused_at


def test_the_pause_is_offered_only_while_a_red_flag_is_unresolved(portal, patient, plan):
    AlertFactory(patient=patient, worsening=True)
    AlertFactory(patient=patient, missed_exercises=True)
    assert OFFER not in overview(portal, patient)  # no red flag

    red_flag = AlertFactory(patient=patient, acknowledged=True)
    body = overview(portal, patient)
    assert OFFER in body
    assert f'href="/clinic/patients/{patient.pk}/plan/pause/"' in body

    red_flag.status = "resolved"
    red_flag.save()
    assert OFFER not in overview(portal, patient)


def test_no_plan_no_offer_and_no_page(portal, patient, linked):
    AlertFactory(patient=patient)
    assert OFFER not in overview(portal, patient)
    assert portal.get(f"/clinic/patients/{patient.pk}/plan/pause/").status_code == 404
    assert portal.post(f"/clinic/patients/{patient.pk}/plan/pause/").status_code == 404
    assert portal.post(f"/clinic/patients/{patient.pk}/plan/resume/").status_code == 404


def test_the_confirmation_pauses_nothing_until_posted_then_resume(portal, physio, patient, plan):
    AlertFactory(patient=patient)
    url = f"/clinic/patients/{patient.pk}/plan/pause/"

    page = portal.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Pause the exercise plan “Calf and knee”" in body
    assert "has 1 unresolved red flag." in body
    assert "The patient gets no more exercise reminders" in body
    assert paused_at(plan) is None

    response = portal.post(url, follow=True)
    assert response.redirect_chain == [(f"/clinic/patients/{patient.pk}/#plan-pause", 302)]
    assert paused_at(plan) is not None
    event = PlanEvent.objects.get(plan=plan, action="paused")
    assert event.actor == physio
    body = response.content.decode()
    assert "The plan “Calf and knee” is paused: no reminders" in body
    assert "The exercise plan “Calf and knee” is paused</strong> since" in body
    assert "Resume the plan" in body
    assert OFFER not in body  # paused already: resume instead
    assert "Possible blood clot" in body  # the red flag stays, unresolved

    # Pausing again changes nothing.
    first = paused_at(plan)
    portal.post(url)
    assert paused_at(plan) == first
    assert PlanEvent.objects.filter(plan=plan, action="paused").count() == 1

    resumed = portal.post(f"/clinic/patients/{patient.pk}/plan/resume/", follow=True)
    assert paused_at(plan) is None
    assert PlanEvent.objects.filter(plan=plan, action="resumed").count() == 1
    body = resumed.content.decode()
    assert "runs again" in body
    assert OFFER in body  # the red flag is still open
    assert PatientAccessAudit.objects.filter(
        physio=physio, patient=patient, what="portal.plan-pause"
    ).exists()


def test_a_paused_plan_shows_and_resumes_without_a_red_flag(portal, physio, patient, plan):
    AlertFactory(patient=patient)
    portal.post(f"/clinic/patients/{patient.pk}/plan/pause/")
    patient.alerts.update(status="resolved")
    body = overview(portal, patient)
    assert "is paused</strong>" in body
    assert "Resume the plan" in body


def test_resume_is_a_post(portal, patient, plan):
    assert portal.get(f"/clinic/patients/{patient.pk}/plan/resume/").status_code == 405
    assert portal.put(f"/clinic/patients/{patient.pk}/plan/pause/").status_code == 405


def test_another_physios_patient_is_a_404_and_nothing_changes(portal, other_patient, other_physio):
    from apps.accounts.services import care_link_create

    care_link_create(physio=other_physio, patient=other_patient)
    plan = ExercisePlanFactory(patient=other_patient, physio=other_physio)
    AlertFactory(patient=other_patient)
    base = f"/clinic/patients/{other_patient.pk}/plan"
    assert portal.get(f"{base}/pause/").status_code == 404
    assert portal.post(f"{base}/pause/").status_code == 404
    assert paused_at(plan) is None
    plan.paused_at = plan.created_at
    plan.save()
    assert portal.post(f"{base}/resume/").status_code == 404
    assert paused_at(plan) == plan.created_at

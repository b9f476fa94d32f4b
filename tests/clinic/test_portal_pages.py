"""The portal's pages do what the API does, through the same services: plans, alerts,
invites, the patient page's charts and hint."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from apps.accounts.models import CareTeamInvite
from apps.accounts.services import care_invite_join
from apps.alerts.models import Alert
from apps.plans.models import ExercisePlan, PlanEvent
from tests.content.factories import ExerciseFactory

from .test_dashboard import add_log

pytestmark = pytest.mark.django_db


def plan_form(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "title": "Knee and calf",
        "start_date": str(today),
        "end_date": str(today + dt.timedelta(weeks=6)),
        "reminder_times": "18:30, 08:00",
        # Two items, in the order the page shows them (prefixes are arbitrary).
        "items-n9-exercise": "quad-sets",
        "items-n9-sets": "2",
        "items-n9-reps": "10",
        "items-n9-times_per_day": "1",
        "items-n9-days_of_week": ["0", "2", "4"],
        "items-n9-max_pain": "4",
        "items-a1-exercise": "wall-calf-stretch",
        "items-a1-sets": "3",
        "items-a1-hold_seconds": "30",
        "items-a1-times_per_day": "2",
        "items-a1-days_of_week": ["0", "1", "2", "3", "4", "5", "6"],
        "items-a1-max_pain": "3",
        "items-a1-notes": "Slowly.",
    }
    data.update(overrides)
    return data


def test_building_a_plan_creates_it_through_the_plans_service(
    portal, physio, patient, linked, exercise, other_exercise
):
    url = f"/clinic/patients/{patient.pk}/plan/"
    response = portal.post(url, plan_form())
    assert response.status_code == 302
    assert response["Location"] == f"{url}?saved=1"
    plan = ExercisePlan.objects.get(patient=patient, status="active")
    assert plan.physio == physio
    assert plan.reminder_times == ["08:00", "18:30"]
    items = list(plan.items.order_by("position"))
    assert [item.exercise.slug for item in items] == ["quad-sets", "wall-calf-stretch"]
    assert items[1].days_of_week == [0, 1, 2, 3, 4, 5, 6]
    assert items[1].sessions_per_week == 14
    assert PlanEvent.objects.get(plan=plan).action == "created"

    # The page now edits that plan; saving replaces its items.
    page = portal.get(url)
    assert "Change the active plan" in page.content.decode()
    changed = plan_form(**{"items-n9-sets": "4"})
    del changed["items-a1-exercise"]
    assert portal.post(url, changed).status_code == 302
    plan.refresh_from_db()
    current = [item for item in plan.items.all() if item.retired_at is None]
    assert [(item.exercise.slug, item.sets) for item in current] == [("quad-sets", 4)]


def test_the_services_rules_come_back_on_the_form(
    portal, patient, linked, exercise, other_exercise
):
    url = f"/clinic/patients/{patient.pk}/plan/"
    today = timezone.localdate()
    response = portal.post(url, plan_form(end_date=str(today - dt.timedelta(days=1))))
    assert response.status_code == 400
    assert (
        "The end date must be after the start date." in response.context["form"].errors["end_date"]
    )
    assert not ExercisePlan.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reminder_times": "8am"}, 'Use 24-hour times such as "08:30"'),
        ({"items-n9-days_of_week": []}, "This field is required."),
        ({"items-n9-max_pain": "11"}, "less than or equal to 10"),
        ({"items-n9-exercise": "not-published"}, "This exercise is no longer available."),
    ],
)
def test_bad_input_is_shown_and_nothing_is_stored(
    portal, patient, linked, exercise, other_exercise, change, message
):
    ExerciseFactory(slug="not-published", status="draft")
    response = portal.post(f"/clinic/patients/{patient.pk}/plan/", plan_form(**change))
    assert response.status_code == 400
    assert message in response.content.decode().replace("&quot;", '"')
    assert not ExercisePlan.objects.exists()


def test_a_plan_without_exercises_is_refused(portal, patient, linked):
    data = {key: value for key, value in plan_form().items() if not key.startswith("items-")}
    response = portal.post(f"/clinic/patients/{patient.pk}/plan/", data)
    assert response.status_code == 400
    assert "Add at least one exercise." in response.content.decode()


def test_the_week_preview_follows_the_form(portal, patient, linked, exercise, other_exercise):
    response = portal.post(f"/clinic/patients/{patient.pk}/plan/preview/", plan_form())
    week = response.context["week"]
    assert len(week) == 7
    for day in week:
        names = [item["name"] for item in day["items"]]
        assert "Wall calf stretch" in names
        assert ("Quad sets" in names) == (day["date"].weekday() in (0, 2, 4))
        assert day["reminders"] == ["08:00", "18:30"]


def test_the_library_search_and_a_new_item_row(portal, exercise, other_exercise):
    found = portal.get("/clinic/exercises/", {"q": "wall calf"}).content.decode()
    assert "Wall calf stretch" in found
    assert "Quad sets" not in found
    row = portal.get("/clinic/plan-item/", {"exercise": "wall-calf-stretch"}).content.decode()
    assert re.search(r'name="items-n[0-9a-f]{8}-exercise" value="wall-calf-stretch"', row)
    assert 'value="30"' in row  # the exercise's default hold
    assert portal.get("/clinic/plan-item/", {"exercise": "nope"}).status_code == 404


def test_acknowledging_with_htmx_answers_the_alert_in_place(portal, physio, patient, linked):
    alert = Alert.objects.create(
        patient=patient, kind="red_flag", level="urgent", codes=["possible_dvt"]
    )
    url = f"/clinic/patients/{patient.pk}/alerts/{alert.pk}/acknowledge/"
    response = portal.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(
        f'<li class="alert level-urgent is-acknowledged" id="alert-{alert.pk}"'
    )
    assert "acknowledged, not resolved" in body
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == ("acknowledged", physio)

    again = portal.post(url, headers={"HX-Request": "true"})
    assert again.status_code == 409
    assert "only an open alert can be acknowledged" in again.content.decode()


def test_an_invite_shows_its_code_once_with_a_qr_code_the_app_can_scan(portal, physio, patient):
    response = portal.post("/clinic/invites/")
    assert response.status_code == 201
    code = response.context["issued"].code
    body = response.content.decode()
    assert f"kneecare://join?code={code}" in body
    assert f'<svg role="img" aria-label="QR code of the invite {code}"' in body
    care_invite_join(patient=patient, code=code)
    listing = portal.get("/clinic/invites/").content.decode()
    assert code not in listing  # only its hash is stored
    assert f"Used by {patient.email}" in listing
    assert CareTeamInvite.objects.get().physio == physio


def test_the_patient_page_charts_pain_with_red_flags_and_shows_the_hint(portal, patient, linked):
    add_log(patient, 3, 4)
    add_log(patient, 1, 8, triage_level="urgent", triage_codes=["possible_dvt"])
    response = portal.get(f"/clinic/patients/{patient.pk}/")
    body = response.content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in body
    assert 'role="img" aria-labelledby="pain-trend-title pain-trend-desc"' in body
    chart = response.context["pain_chart"]
    flagged = [row for row in chart.rows if row[-1] == "red flag"]
    assert len(flagged) == 1
    assert flagged[0][1] == "8"
    assert "Daily pain, last 28 days: the numbers" in body


def test_the_outcomes_page_asks_for_a_questionnaire_and_charts_scores_with_the_mcid_band(
    portal, physio, patient, linked
):
    from decimal import Decimal

    from apps.outcomes.models import OutcomeSchedule
    from tests.factories.outcomes import InstrumentVersionFactory, OutcomeResponseFactory

    version = InstrumentVersionFactory()
    code = version.instrument_id
    url = f"/clinic/patients/{patient.pk}/outcomes/"
    asked = portal.post(
        url, {"instrument": code, "every_days": "14", "starts_on": str(timezone.localdate())}
    )
    assert asked.status_code == 302
    schedule = OutcomeSchedule.objects.get(patient=patient, ended_at__isnull=True)
    assert (schedule.physio, schedule.every_days) == (physio, 14)
    again = portal.post(
        url, {"instrument": code, "every_days": "7", "starts_on": str(timezone.localdate())}
    )
    assert again.status_code == 400
    assert "already has an active" in again.content.decode()

    now = timezone.now()
    OutcomeResponseFactory(
        schedule=schedule, score=Decimal(1), completed_at=now - dt.timedelta(days=14)
    )
    OutcomeResponseFactory(
        schedule=schedule,
        score=Decimal(3),
        baseline_score=Decimal(1),
        change=Decimal(2),
        responder="improved",
        completed_at=now - dt.timedelta(hours=1),
    )
    page = portal.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert f'aria-labelledby="outcome-{code}-title outcome-{code}-desc"' in body
    assert "Improved by at least the MCID" in body
    chart = page.context["outcomes"][0]["chart"]
    assert [row[1] for row in chart.rows] == ["1", "3"]
    assert "Shaded: scores from 0 to 2." in chart.description  # baseline 1 ± MCID 1

    ended = portal.post(f"{url}schedules/{schedule.pk}/end/")
    assert ended.status_code == 302
    schedule.refresh_from_db()
    assert schedule.ended_at is not None

"""Staff see plans, their items and exercise logs in the admin, read-only; editors do not."""

import uuid

import pytest
from django.test import Client
from django.utils import timezone

from apps.plans.models import ExerciseLog, ExercisePlan, PlanItem
from apps.plans.services import exercise_log_create
from tests.second_factor import admin_sign_in

PLANS = "/admin/plans/exerciseplan/"
LOGS = "/admin/plans/exerciselog/"


@pytest.fixture
def plan(make_plan) -> ExercisePlan:
    return make_plan()


@pytest.mark.django_db
def test_staff_list_plans_filter_them_and_see_their_items(staff_browser, plan):
    listed = staff_browser.get(PLANS, {"status__exact": "active", "q": "owner@"})
    page = staff_browser.get(f"{PLANS}{plan.pk}/change/")

    assert listed.status_code == 200
    assert "Calf and knee" in listed.content.decode()
    assert page.status_code == 200
    assert "Wall calf stretch" in page.content.decode()  # the items inline
    assert staff_browser.get(PLANS, {"status__exact": "archived"}).context["cl"].result_count == 0


@pytest.mark.django_db
def test_staff_cannot_add_change_or_delete_plans(staff_browser, plan):
    assert staff_browser.get(f"{PLANS}add/").status_code == 403
    assert staff_browser.get(f"{PLANS}{plan.pk}/delete/").status_code == 403
    response = staff_browser.post(f"{PLANS}{plan.pk}/change/", {"title": "Changed"})

    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.title == "Calf and knee"
    assert PlanItem.objects.filter(plan=plan).count() == 2


@pytest.mark.django_db
def test_staff_see_exercise_logs_read_only(staff_browser, plan, patient):
    log = exercise_log_create(
        patient=patient,
        plan_item=plan.items.first(),
        client_id=uuid.uuid4(),
        performed_at=timezone.now(),
        sets_done=3,
        pain_during=5,
    ).log

    assert staff_browser.get(LOGS, {"pain_above_limit__exact": "1"}).status_code == 200
    assert staff_browser.get(f"{LOGS}{log.pk}/change/").status_code == 200
    assert staff_browser.get(f"{LOGS}{log.pk}/delete/").status_code == 403
    assert ExerciseLog.objects.count() == 1


@pytest.mark.django_db
def test_editors_cannot_open_plans_or_logs(editor, plan):
    client = Client()
    admin_sign_in(client, editor)

    for url in (PLANS, f"{PLANS}{plan.pk}/change/", LOGS):
        assert client.get(url).status_code == 403

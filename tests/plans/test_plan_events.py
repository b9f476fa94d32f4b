"""Every clinician's write to a plan leaves an event (who, what, when), shown in the admin;
and a plan item may have no hold (hold_seconds 0)."""

import pytest

from apps.plans.models import ExercisePlan, PlanEvent, PlanItem
from tests.bodies import plan_body
from tests.conftest import client_for


@pytest.fixture(autouse=True)
def _exercises(exercise, other_exercise):
    """plan_body's exercises exist."""


@pytest.mark.django_db
def test_creating_changing_and_archiving_a_plan_records_who_did_what(physio, patient, linked):
    client = client_for(physio)
    created = client.post("/api/v1/plans/", plan_body(patient), format="json")
    assert created.status_code == 201
    plan_id = created.json()["id"]
    first_items = set(PlanItem.objects.filter(plan_id=plan_id).values_list("pk", flat=True))

    changed = client.patch(
        f"/api/v1/plans/{plan_id}/",
        {"title": "Knee", "items": plan_body(patient)["items"][:1]},
        format="json",
    )
    assert changed.status_code == 200
    archived = client.post(f"/api/v1/plans/{plan_id}/archive/", format="json")
    assert archived.status_code == 200

    events = list(PlanEvent.objects.filter(plan_id=plan_id).order_by("at", "id"))
    assert [(e.action, e.actor_id) for e in events] == [
        ("created", physio.pk),
        ("updated", physio.pk),
        ("archived", physio.pk),
    ]
    assert {str(pk) for pk in first_items} == set(events[0].details["items"])
    assert events[1].details["fields"] == ["items", "title"]
    assert set(events[1].details["retired_items"]) == {str(pk) for pk in first_items}
    assert len(events[1].details["items"]) == 1


@pytest.mark.django_db
def test_a_refused_change_records_no_event(physio, patient, linked):
    client = client_for(physio)
    plan_id = client.post("/api/v1/plans/", plan_body(patient), format="json").json()["id"]

    refused = client.patch(f"/api/v1/plans/{plan_id}/", {"end_date": "2000-01-01"}, format="json")

    assert refused.status_code == 400
    assert list(PlanEvent.objects.filter(plan_id=plan_id).values_list("action", flat=True)) == [
        "created"
    ]


@pytest.mark.django_db
def test_archiving_twice_records_one_event(physio, patient, linked):
    client = client_for(physio)
    plan_id = client.post("/api/v1/plans/", plan_body(patient), format="json").json()["id"]

    client.post(f"/api/v1/plans/{plan_id}/archive/", format="json")
    client.post(f"/api/v1/plans/{plan_id}/archive/", format="json")

    assert PlanEvent.objects.filter(plan_id=plan_id, action="archived").count() == 1


@pytest.mark.django_db
def test_staff_see_a_plans_events_in_the_admin(staff_browser, physio, patient, linked):
    plan_id = (
        client_for(physio).post("/api/v1/plans/", plan_body(patient), format="json").json()["id"]
    )

    page = staff_browser.get(f"/admin/plans/exerciseplan/{plan_id}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Created" in html
    assert physio.email in html


@pytest.mark.django_db
@pytest.mark.parametrize("hold", [0, None, 1, 600])
def test_an_item_may_hold_for_zero_seconds_meaning_no_hold(physio, patient, linked, hold):
    body = plan_body(patient)
    body["items"][0]["hold_seconds"] = hold

    response = client_for(physio).post("/api/v1/plans/", body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["items"][0]["hold_seconds"] == hold


@pytest.mark.django_db
@pytest.mark.parametrize("hold", [-1, 601, 1.5, "10"])
def test_an_item_hold_outside_0_to_600_seconds_is_refused(physio, patient, linked, hold):
    body = plan_body(patient)
    body["items"][0]["hold_seconds"] = hold

    response = client_for(physio).post("/api/v1/plans/", body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "items.0.hold_seconds"
    assert not ExercisePlan.objects.exists()

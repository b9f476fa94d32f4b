"""Plan templates: `POST plan-templates/` from items or from a plan, `GET plan-templates/`,
and `POST plans/` with `template`. A template holds no patient data."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from apps.plans.models import ExercisePlan, PlanTemplate, PlanTemplateItem
from tests.conftest import client_for
from tests.factories import PhysioFactory

pytestmark = pytest.mark.usefixtures("frozen_now")

ITEM = {
    "exercise": "wall-calf-stretch",
    "sets": 3,
    "hold_seconds": 30,
    "times_per_day": 2,
    "days_of_week": [0, 2, 4],
    "max_pain": 4,
    "notes": "Keep the back heel down.",
}


def errors(response) -> list[tuple]:
    return [(e["code"], e["attr"]) for e in response.json()["errors"]]


def test_a_template_from_items_is_listed_for_its_physio_only(physio_client, exercise, other_physio):
    response = physio_client.post(
        "/api/v1/plan-templates/", {"title": "Calf week one", "items": [ITEM]}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Calf week one"
    assert body["items"] == [
        {
            "exercise": {"slug": "wall-calf-stretch", "name": "Wall calf stretch"},
            "sets": 3,
            "reps": None,
            "hold_seconds": 30,
            "times_per_day": 2,
            "days_of_week": [0, 2, 4],
            "max_pain": 4,
            "notes": "Keep the back heel down.",
        }
    ]
    assert [t["id"] for t in physio_client.get("/api/v1/plan-templates/").json()["results"]] == [
        body["id"]
    ]
    other = client_for(other_physio)
    assert other.get("/api/v1/plan-templates/").json()["results"] == []
    assert other.get(f"/api/v1/plan-templates/{body['id']}/").status_code == 404
    assert other.delete(f"/api/v1/plan-templates/{body['id']}/").status_code == 404
    assert PlanTemplate.objects.count() == 1


def test_a_template_from_a_plan_holds_no_patient_data(physio_client, make_plan, patient):
    plan = make_plan()
    plan.items.update(notes=f"For {patient.email}: mind the left knee.")

    response = physio_client.post(
        "/api/v1/plan-templates/",
        {"title": "Knee basics", "from_plan": str(plan.id)},
        format="json",
    )

    assert response.status_code == 201, response.content
    template = PlanTemplate.objects.get()
    # The model has no field that could point to a patient, a plan or an episode...
    fields = {f.name for f in PlanTemplate._meta.get_fields()} | {
        f.name for f in PlanTemplateItem._meta.get_fields()
    }
    assert not fields & {"patient", "plan", "episode", "start_date", "end_date", "reminder_times"}
    # ... and nothing of the patient's was copied: not their id, email, notes, dates or times.
    stored = json.dumps(
        [
            list(PlanTemplate.objects.values()),
            list(PlanTemplateItem.objects.values()),
            response.json(),
        ],
        default=str,
    )
    for secret in (str(patient.id), patient.email, "left knee", str(plan.id), str(plan.start_date)):
        assert secret not in stored
    assert [item.notes for item in template.items.all()] == ["", ""]
    copied = [(i.exercise.slug, i.sets, i.days_of_week, i.max_pain) for i in template.items.all()]
    assert copied == [
        (item.exercise.slug, item.sets, item.days_of_week, item.max_pain)
        for item in plan.items.order_by("position")
    ]


def test_a_plan_starts_from_a_template_and_request_fields_win(
    physio_client, patient, linked, exercise
):
    template = physio_client.post(
        "/api/v1/plan-templates/", {"title": "Calf week one", "items": [ITEM]}, format="json"
    ).json()
    today = timezone.now().date()
    body = {
        "patient": str(patient.id),
        "template": template["id"],
        "start_date": str(today),
        "end_date": str(today + dt.timedelta(days=28)),
    }

    response = physio_client.post("/api/v1/plans/", body, format="json")

    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["title"] == "Calf week one"
    assert [(i["exercise"]["slug"], i["sets"], i["notes"]) for i in plan["items"]] == [
        ("wall-calf-stretch", 3, "Keep the back heel down.")
    ]
    physio_client.post(f"/api/v1/plans/{plan['id']}/archive/", {}, format="json")
    response = physio_client.post(
        "/api/v1/plans/",
        {**body, "title": "Own title", "items": [{**ITEM, "sets": 1}]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Own title"
    assert [i["sets"] for i in response.json()["items"]] == [1]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param({"title": "T"}, [("items_or_from_plan", "items")], id="neither"),
        pytest.param(
            {"title": "T", "items": [ITEM], "from_plan": "7b1f3f4e-2c8a-4f8e-9c61-1e2c3d4e5f60"},
            [("items_or_from_plan", "items")],
            id="both",
        ),
        pytest.param({"title": "T", "items": []}, [("empty", "items")], id="no_items"),
        pytest.param(
            {"title": "T", "from_plan": "7b1f3f4e-2c8a-4f8e-9c61-1e2c3d4e5f60"},
            [("does_not_exist", "from_plan")],
            id="unknown_plan",
        ),
        pytest.param({"title": "", "items": [ITEM]}, [("blank", "title")], id="blank_title"),
        pytest.param(
            {"title": "T", "items": [ITEM], "patient": "x"},
            [("unknown_field", "patient")],
            id="no_patient_field",
        ),
    ],
)
def test_bad_templates_are_refused_and_nothing_is_stored(physio_client, exercise, body, expected):
    response = physio_client.post("/api/v1/plan-templates/", body, format="json")
    assert response.status_code == 400, response.content
    assert errors(response) == expected
    assert PlanTemplate.objects.count() == 0


def test_another_physios_plan_is_not_a_source(make_plan, other_physio):
    plan = make_plan()
    response = client_for(other_physio).post(
        "/api/v1/plan-templates/", {"title": "T", "from_plan": str(plan.id)}, format="json"
    )
    assert errors(response) == [("does_not_exist", "from_plan")]
    assert PlanTemplate.objects.count() == 0


def test_another_physios_template_cannot_start_a_plan(physio_client, patient, linked, exercise):
    theirs = (
        client_for(PhysioFactory(email="x@example.org"))
        .post("/api/v1/plan-templates/", {"title": "Theirs", "items": [ITEM]}, format="json")
        .json()
    )
    today = timezone.now().date()
    response = physio_client.post(
        "/api/v1/plans/",
        {
            "patient": str(patient.id),
            "template": theirs["id"],
            "start_date": str(today),
            "end_date": str(today + dt.timedelta(days=28)),
        },
        format="json",
    )
    assert errors(response) == [("does_not_exist", "template")]
    assert not ExercisePlan.objects.exists()


def test_without_a_template_title_and_items_stay_required(physio_client, patient, linked):
    today = timezone.now().date()
    response = physio_client.post(
        "/api/v1/plans/",
        {
            "patient": str(patient.id),
            "start_date": str(today),
            "end_date": str(today + dt.timedelta(days=3)),
        },
        format="json",
    )
    assert sorted(errors(response)) == [("required", "items"), ("required", "title")]

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from apps.plans.models import ExerciseLog, PlanItem
from apps.plans.services import exercise_log_create
from tests.bodies import exercise_log_body
from tests.conftest import client_for, post_at_once
from tests.factories import ALL_DAYS

# "Today", the items due on this weekday and adherence are counted in the patient's local days.
pytestmark = pytest.mark.usefixtures("frozen_now")

LONDON = ZoneInfo("Europe/London")


def log_item(patient, item, when, pain=2):
    return exercise_log_create(
        patient=patient,
        plan_item=item,
        client_id=uuid.uuid4(),
        performed_at=when,
        sets_done=3,
        pain_during=pain,
    ).log


@pytest.mark.django_db
def test_today_lists_due_items_with_done_and_remaining(patient, make_plan):
    plan = make_plan()
    stretch = PlanItem.objects.get(plan=plan, exercise__slug="wall-calf-stretch")
    log_item(patient, stretch, timezone.now() - dt.timedelta(minutes=5))

    body = client_for(patient).get("/api/v1/today/").json()

    assert body["plan"] == {"id": str(plan.id), "title": "Calf and knee", "paused": False}
    by_slug = {item["exercise"]["slug"]: item for item in body["items"]}
    assert by_slug["wall-calf-stretch"]["done"] == 1
    assert by_slug["wall-calf-stretch"]["remaining"] == 1
    weekday = timezone.now().astimezone(patient.zone).weekday()
    assert ("quad-sets" in by_slug) is (weekday in (0, 2, 4))


@pytest.mark.django_db
def test_today_on_the_day_the_clocks_go_back_is_25_hours_long(patient, make_plan):
    """Europe/London, Sunday 25 October 2026: local midnight is 23:00 UTC the day before,
    and the next midnight is 24:00 UTC. A fixed 24-hour day or a UTC date gets it wrong."""
    patient.timezone = "Europe/London"
    patient.save()
    with time_machine.travel(dt.datetime(2026, 10, 25, 23, 50, tzinfo=LONDON), tick=False):
        plan = make_plan()
        stretch = PlanItem.objects.get(plan=plan, exercise__slug="wall-calf-stretch")
        log_item(
            patient, stretch, dt.datetime(2026, 10, 25, 0, 30, tzinfo=LONDON)
        )  # 23:30 UTC on the 24th
        log_item(
            patient, stretch, dt.datetime(2026, 10, 25, 23, 30, tzinfo=LONDON)
        )  # 23:30 UTC on the 25th
        log_item(
            patient, stretch, dt.datetime(2026, 10, 24, 23, 30, tzinfo=LONDON)
        )  # the day before

        body = client_for(patient).get("/api/v1/today/").json()

    assert body["date"] == "2026-10-25"
    stretch_today = next(i for i in body["items"] if i["exercise"]["slug"] == "wall-calf-stretch")
    assert (stretch_today["done"], stretch_today["remaining"]) == (2, 0)


@pytest.mark.django_db
def test_today_on_the_day_the_clocks_go_forward_is_23_hours_long(patient, make_plan):
    patient.timezone = "Europe/London"
    patient.save()
    with time_machine.travel(dt.datetime(2026, 3, 29, 23, 50, tzinfo=LONDON), tick=False):
        plan = make_plan()
        stretch = PlanItem.objects.get(plan=plan, exercise__slug="wall-calf-stretch")
        log_item(patient, stretch, dt.datetime(2026, 3, 29, 0, 30, tzinfo=LONDON))
        log_item(patient, stretch, dt.datetime(2026, 3, 28, 23, 59, tzinfo=LONDON))

        body = client_for(patient).get("/api/v1/today/").json()

    stretch_today = next(i for i in body["items"] if i["exercise"]["slug"] == "wall-calf-stretch")
    assert stretch_today["done"] == 1


@pytest.mark.django_db
def test_today_without_a_plan_is_empty(patient_client):
    body = patient_client.get("/api/v1/today/").json()
    assert body["plan"] is None
    assert body["items"] == []


@pytest.mark.django_db
def test_only_patients_have_a_today(physio_client, editor_client, api_client):
    assert physio_client.get("/api/v1/today/").status_code == 403
    assert editor_client.get("/api/v1/today/").status_code == 403
    assert api_client.get("/api/v1/today/").status_code == 401


@pytest.fixture
def item(make_plan):
    return PlanItem.objects.get(plan=make_plan(), exercise__slug="wall-calf-stretch")


@pytest.mark.django_db
def test_an_exercise_log_is_stored_once_per_client_id(patient_client, item):
    body = exercise_log_body(item)

    first = patient_client.post("/api/v1/exercise-logs/", body, format="json")
    again = patient_client.post("/api/v1/exercise-logs/", {**body, "pain_during": 9}, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert ExerciseLog.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("pain", "above"), [(3, False), (4, True)])
def test_pain_above_the_items_limit_is_recorded(patient_client, item, pain, above):
    response = patient_client.post(
        "/api/v1/exercise-logs/", exercise_log_body(item, pain_during=pain), format="json"
    )
    assert response.json()["pain_above_limit"] is above
    assert ExerciseLog.objects.get().pain_above_limit is above


@pytest.mark.django_db(transaction=True)
def test_racing_copies_of_an_exercise_log_make_one_row(patient, item):
    body = exercise_log_body(item)
    calls = [(patient, "/api/v1/exercise-logs/", body)] * 3
    statuses = [r.status_code for r in post_at_once(calls)]
    assert sorted(statuses) == [200, 200, 201]
    assert ExerciseLog.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "attr", "code"),
    [
        ({"pain_during": 11}, "pain_during", "max_value"),
        ({"pain_during": 2.5}, "pain_during", "invalid"),
        ({"difficulty": 0}, "difficulty", "min_value"),
        ({"difficulty": 6}, "difficulty", "max_value"),
        ({"sets_done": -1}, "sets_done", "min_value"),
        ({"plan_item": "nope"}, "plan_item", "invalid"),
        ({"plan_item": str(uuid.uuid4())}, "plan_item", "does_not_exist"),
        ({"performed_at": "2026-11-21T10:00"}, "performed_at", "naive"),
        ({"client_id": 5}, "client_id", "invalid"),
        ({"mood": "ok"}, "mood", "unknown_field"),
    ],
)
def test_bad_exercise_logs_are_a_400_and_store_nothing(patient_client, item, overrides, attr, code):
    response = patient_client.post(
        "/api/v1/exercise-logs/", exercise_log_body(item, **overrides), format="json"
    )
    assert response.status_code == 400
    assert (attr, code) in {(e["attr"], e["code"]) for e in response.json()["errors"]}
    assert not ExerciseLog.objects.exists()


@pytest.mark.django_db
def test_a_patient_cannot_log_against_another_patients_plan(item, other_patient):
    response = client_for(other_patient).post(
        "/api/v1/exercise-logs/", exercise_log_body(item), format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "plan_item"
    assert not ExerciseLog.objects.exists()


@pytest.mark.django_db
def test_adherence_counts_expected_and_done_per_day(patient, physio_client, make_plan):
    with time_machine.travel(
        dt.datetime(2026, 11, 16, 9, 0, tzinfo=patient.zone), tick=False
    ):  # a Monday
        plan = make_plan()
    stretch = PlanItem.objects.get(
        plan=plan, exercise__slug="wall-calf-stretch"
    )  # 2 a day, every day
    quads = PlanItem.objects.get(plan=plan, exercise__slug="quad-sets")  # Mon, Wed, Fri
    monday = dt.datetime(2026, 11, 16, 10, 0, tzinfo=patient.zone)
    with time_machine.travel(dt.datetime(2026, 11, 18, 20, 0, tzinfo=patient.zone), tick=False):
        for hours in (0, 1, 2):  # three stretches on Monday: counted as the two prescribed
            log_item(patient, stretch, monday + dt.timedelta(hours=hours))
        log_item(patient, quads, monday)
        log_item(patient, stretch, monday + dt.timedelta(days=1))

        body = (
            client_for(plan.physio)
            .get(f"/api/v1/plans/{plan.id}/adherence/", {"from": "2026-11-16", "to": "2026-11-18"})
            .json()
        )

    assert body["days"] == [
        {"date": "2026-11-16", "expected": 3, "done": 3, "ratio": 1.0},
        {"date": "2026-11-17", "expected": 2, "done": 1, "ratio": 0.5},
        {"date": "2026-11-18", "expected": 3, "done": 0, "ratio": 0.0},
    ]
    assert (body["expected"], body["done"], body["ratio"]) == (8, 4, 0.5)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"from": "2026-11-20", "to": "2026-11-10"}, "to"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "to"),
    ],
)
def test_bad_adherence_ranges_are_a_400(patient_client, make_plan, params, attr):
    plan = make_plan()
    response = patient_client.get(f"/api/v1/plans/{plan.id}/adherence/", params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == attr


@pytest.mark.django_db
def test_adherence_is_404_for_outsiders(make_plan, other_patient, other_physio):
    plan = make_plan()
    for user in (other_patient, other_physio):
        assert client_for(user).get(f"/api/v1/plans/{plan.id}/adherence/").status_code == 404


def _adherence(plan, date_from: str, date_to: str) -> dict:
    return (
        client_for(plan.physio)
        .get(f"/api/v1/plans/{plan.id}/adherence/", {"from": date_from, "to": date_to})
        .json()
    )


def _replace_items(plan, items: list[dict]) -> None:
    response = client_for(plan.physio).patch(
        f"/api/v1/plans/{plan.id}/", {"items": items}, format="json"
    )
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_replacing_items_keeps_what_past_days_expected(patient, make_plan):
    """Missed sessions stay missed after the physio edits the plan."""
    with time_machine.travel(dt.datetime(2026, 11, 16, 9, 0, tzinfo=patient.zone), tick=False):
        plan = make_plan()  # stretch 2 a day every day; quad sets Mon, Wed, Fri
    with time_machine.travel(dt.datetime(2026, 11, 18, 20, 0, tzinfo=patient.zone), tick=False):
        before = _adherence(plan, "2026-11-16", "2026-11-17")
        _replace_items(
            plan,
            [
                {
                    "exercise": "quad-sets",
                    "sets": 2,
                    "reps": 10,
                    "days_of_week": [0, 2, 4],
                    "max_pain": 4,
                }
            ],
        )
        after = _adherence(plan, "2026-11-16", "2026-11-17")

    assert before["days"] == after["days"]
    assert after["expected"] == 5  # Monday 2 + 1, Tuesday 2: none done


@pytest.mark.django_db
def test_a_session_done_before_its_item_was_replaced_that_day_still_counts(patient, make_plan):
    with time_machine.travel(dt.datetime(2026, 11, 16, 9, 0, tzinfo=patient.zone), tick=False):
        plan = make_plan()
    stretch = PlanItem.objects.get(plan=plan, exercise__slug="wall-calf-stretch")
    log_item(patient, stretch, dt.datetime(2026, 11, 17, 8, 0, tzinfo=patient.zone))
    with time_machine.travel(dt.datetime(2026, 11, 17, 12, 0, tzinfo=patient.zone), tick=False):
        # The same stretch, now once a day: the morning's session is that day's one.
        _replace_items(
            plan,
            [
                {
                    "exercise": "wall-calf-stretch",
                    "sets": 2,
                    "hold_seconds": 30,
                    "days_of_week": ALL_DAYS,
                    "max_pain": 3,
                }
            ],
        )
        tuesday = _adherence(plan, "2026-11-17", "2026-11-17")["days"]

    assert tuesday == [{"date": "2026-11-17", "expected": 1, "done": 1, "ratio": 1.0}]


@pytest.mark.django_db
def test_today_costs_three_queries_and_reads_no_password(
    patient, make_plan, django_assert_num_queries
):
    make_plan()
    client = client_for(patient)

    # the user (authentication), the active plan, its items with today's counts
    with django_assert_num_queries(3) as captured:
        response = client.get("/api/v1/today/")

    assert response.status_code == 200
    assert response.json()["items"]
    assert not any("password" in q["sql"] for q in captured)

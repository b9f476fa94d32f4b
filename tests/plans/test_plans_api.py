import datetime as dt
import uuid

import pytest
from django.utils import timezone

from apps.notifications.models import Reminder, ReminderStatus
from apps.plans.models import ExercisePlan, PlanItem, PlanStatus
from tests.bodies import plan_body
from tests.clock import FROZEN_TODAY
from tests.conftest import client_for

# Plan dates, and the reminders a plan schedules for the times still ahead, depend on today.
pytestmark = pytest.mark.usefixtures("frozen_now")

URL = "/api/v1/plans/"


@pytest.mark.django_db
def test_a_linked_physio_makes_a_plan(
    physio_client, physio, patient, linked, exercise, other_exercise
):
    response = physio_client.post(URL, plan_body(patient), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["patient"] == str(patient.id)
    assert body["physio"] == str(physio.id)
    assert body["status"] == "active"
    assert body["reminder_times"] == ["08:00", "18:30"]
    assert [item["exercise"]["slug"] for item in body["items"]] == [
        "wall-calf-stretch",
        "quad-sets",
    ]
    first = body["items"][0]
    assert (
        first["sets"],
        first["reps"],
        first["hold_seconds"],
        first["times_per_day"],
        first["max_pain"],
    ) == (3, None, 30, 2, 3)
    assert body["items"][1]["days_of_week"] == [0, 2, 4]
    plan = ExercisePlan.objects.get()
    assert PlanItem.objects.get(plan=plan, exercise=exercise).sessions_per_week == 14


@pytest.mark.django_db
def test_omitted_reps_and_hold_come_from_the_exercise(
    physio_client, patient, linked, exercise, other_exercise
):
    body = plan_body(patient)
    body["items"] = [{"exercise": "quad-sets", "sets": 2, "days_of_week": [1], "max_pain": 3}]

    item = physio_client.post(URL, body, format="json").json()["items"][0]

    assert (item["reps"], item["hold_seconds"], item["times_per_day"]) == (10, None, 1)


@pytest.mark.django_db
def test_a_plan_schedules_its_reminders_in_the_patients_zone(
    physio_client, patient, linked, exercise, other_exercise
):
    patient.timezone = "Asia/Tokyo"
    patient.save()

    physio_client.post(URL, plan_body(patient, reminder_times=["08:00"]), format="json")

    reminders = Reminder.objects.filter(
        user=patient, kind="exercise", status=ReminderStatus.SCHEDULED
    )
    assert reminders.exists()
    for reminder in reminders:
        local = reminder.scheduled_for.astimezone(patient.zone)
        assert (local.hour, local.minute) == (8, 0)
        assert reminder.scheduled_for > timezone.now()


@pytest.mark.django_db
def test_a_second_active_plan_is_a_409_until_the_first_is_archived(
    physio_client, patient, make_plan
):
    first = make_plan()

    conflict = physio_client.post(URL, plan_body(patient, title="Another"), format="json")
    assert conflict.status_code == 409
    assert conflict.json()["errors"][0]["code"] == "active_plan_exists"
    assert ExercisePlan.objects.count() == 1

    assert physio_client.post(f"{URL}{first.id}/archive/").json()["status"] == "archived"
    assert (
        physio_client.post(URL, plan_body(patient, title="Another"), format="json").status_code
        == 201
    )


@pytest.mark.django_db
def test_archiving_cancels_future_reminders(physio_client, make_plan):
    plan = make_plan()
    assert Reminder.objects.filter(source=f"plan:{plan.id}", status="scheduled").exists()

    physio_client.post(f"{URL}{plan.id}/archive/")

    assert not Reminder.objects.filter(source=f"plan:{plan.id}", status="scheduled").exists()
    assert ExercisePlan.objects.get().archived_at is not None


@pytest.mark.django_db
def test_editing_reminder_times_replans_reminders(physio_client, patient, make_plan):
    plan = make_plan(reminder_times=["08:00"])

    response = physio_client.patch(f"{URL}{plan.id}/", {"reminder_times": ["19:15"]}, format="json")

    assert response.status_code == 200
    scheduled = Reminder.objects.filter(source=f"plan:{plan.id}", status="scheduled")
    assert scheduled.exists()
    assert {r.scheduled_for.astimezone(patient.zone).strftime("%H:%M") for r in scheduled} == {
        "19:15"
    }


@pytest.mark.django_db
def test_editing_items_replaces_the_list(physio_client, make_plan):
    plan = make_plan()

    response = physio_client.patch(
        f"{URL}{plan.id}/",
        {
            "items": [
                {"exercise": "quad-sets", "sets": 4, "reps": 12, "days_of_week": [6], "max_pain": 2}
            ]
        },
        format="json",
    )

    assert [(i["exercise"]["slug"], i["sets"]) for i in response.json()["items"]] == [
        ("quad-sets", 4)
    ]


@pytest.mark.django_db
def test_an_archived_plan_cannot_be_edited(physio_client, make_plan):
    plan = make_plan()
    physio_client.post(f"{URL}{plan.id}/archive/")

    response = physio_client.patch(f"{URL}{plan.id}/", {"title": "New"}, format="json")

    assert response.status_code == 409
    assert ExercisePlan.objects.get().title == "Calf and knee"


def _item(**overrides):
    item = {
        "exercise": "wall-calf-stretch",
        "sets": 3,
        "hold_seconds": 30,
        "days_of_week": [0],
        "max_pain": 3,
    }
    item.update(overrides)
    return item


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "attr", "code"),
    [
        ({"items": [_item(exercise="moonwalk")]}, "items.0.exercise", "does_not_exist"),
        ({"items": [_item(sets=0)]}, "items.0.sets", "min_value"),
        ({"items": [_item(sets=1000)]}, "items.0.sets", "max_value"),
        ({"items": [_item(sets=2.5)]}, "items.0.sets", "invalid"),
        ({"items": [_item(days_of_week=[7])]}, "items.0.days_of_week.0", "max_value"),
        ({"items": [_item(days_of_week=[])]}, "items.0.days_of_week", "min_length"),
        ({"items": [_item(days_of_week=[1, 1])]}, "items.0.days_of_week", "duplicate"),
        ({"items": [_item(max_pain=11)]}, "items.0.max_pain", "max_value"),
        ({"items": [_item(colour="red")]}, "items.0.colour", "unknown_field"),
        ({"items": []}, "items", "empty"),
        ({"end_date": "2020-01-01"}, "end_date", "before_start"),
        # Written at import: against the frozen today, not the real one at collection.
        ({"end_date": str(FROZEN_TODAY - dt.timedelta(days=1))}, "end_date", "before_start"),
        ({"end_date": str(FROZEN_TODAY + dt.timedelta(days=400))}, "end_date", "too_long"),
        ({"start_date": "31/12/2026"}, "start_date", "invalid"),
        ({"reminder_times": ["25:00"]}, "reminder_times.0", "invalid_time"),
        ({"reminder_times": ["8am"]}, "reminder_times.0", "invalid_time"),
        ({"reminder_times": "08:00"}, "reminder_times", "not_a_list"),
        ({"status": "archived"}, "status", "unknown_field"),
    ],
)
def test_bad_plans_are_a_400_naming_the_field_and_store_nothing(
    physio_client, patient, linked, exercise, other_exercise, overrides, attr, code
):
    response = physio_client.post(URL, plan_body(patient, **overrides), format="json")

    assert response.status_code == 400, response.json()
    assert (attr, code) in {(e["attr"], e["code"]) for e in response.json()["errors"]}
    assert not ExercisePlan.objects.exists()
    assert not Reminder.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["not-a-uuid", 5, None])
def test_a_malformed_patient_id_is_a_400(
    physio_client, patient, linked, exercise, other_exercise, value
):
    body = {**plan_body(patient), "patient": value}
    response = physio_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "patient"
    assert not ExercisePlan.objects.exists()


@pytest.mark.django_db
def test_a_plan_for_an_unlinked_patient_is_refused(
    physio_client, other_patient, exercise, other_exercise
):
    response = physio_client.post(URL, plan_body(other_patient), format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "patient"
    assert response.json()["errors"][0]["code"] == "not_linked"
    assert not ExercisePlan.objects.exists()


@pytest.mark.django_db
def test_a_draft_exercise_cannot_be_prescribed(
    physio_client, patient, linked, exercise, other_exercise
):
    exercise.status = "draft"
    exercise.save()
    response = physio_client.post(URL, plan_body(patient), format="json")
    assert response.json()["errors"][0]["attr"] == "items.0.exercise"


@pytest.mark.django_db
def test_the_patient_reads_but_cannot_write(patient_client, patient, make_plan):
    plan = make_plan()

    assert patient_client.get(URL).json()["results"][0]["id"] == str(plan.id)
    assert patient_client.get(f"{URL}{plan.id}/").status_code == 200
    assert patient_client.post(URL, plan_body(patient), format="json").status_code == 403
    assert (
        patient_client.patch(f"{URL}{plan.id}/", {"title": "Mine"}, format="json").status_code
        == 403
    )
    assert patient_client.post(f"{URL}{plan.id}/archive/").status_code == 403
    plan.refresh_from_db()
    assert (plan.title, plan.status) == ("Calf and knee", PlanStatus.ACTIVE)


@pytest.mark.django_db
def test_outsiders_get_404_and_change_nothing(make_plan, other_physio, other_patient):
    plan = make_plan()
    for user in (other_physio, other_patient):
        client = client_for(user)
        assert client.get(f"{URL}{plan.id}/").status_code == 404
        assert client.get(URL).json()["results"] == []
    assert (
        client_for(other_physio)
        .patch(f"{URL}{plan.id}/", {"title": "x"}, format="json")
        .status_code
        == 404
    )
    assert client_for(other_physio).post(f"{URL}{plan.id}/archive/").status_code == 404
    plan.refresh_from_db()
    assert (plan.title, plan.status) == ("Calf and knee", PlanStatus.ACTIVE)


@pytest.mark.django_db
def test_an_unknown_plan_is_404(physio_client, linked):
    assert physio_client.get(f"{URL}{uuid.uuid4()}/").status_code == 404


@pytest.mark.parametrize(
    ("start", "end", "refused"),
    [
        ("2026-03-01", "2026-03-02", False),
        ("2026-03-01", "2026-03-01", True),  # the end must come after the start
        ("2026-03-01", "2027-03-01", False),  # a year to the day
        ("2026-03-01", "2027-03-02", True),
        ("2028-02-29", "2029-02-28", False),  # from a leap day: never more than a year
        ("2028-02-29", "2029-03-01", True),
        ("2027-03-01", "2028-02-29", False),
        ("2027-03-01", "2028-03-02", True),
    ],
)
def test_plan_dates_boundaries(start, end, refused):
    from django.core.exceptions import ValidationError

    from apps.plans.services import plan_dates_check

    check = lambda: plan_dates_check(dt.date.fromisoformat(start), dt.date.fromisoformat(end))  # noqa: E731
    if refused:
        with pytest.raises(ValidationError):
            check()
    else:
        check()

"""`GET plans/{id}/load-guidance/` and `POST plans/{id}/items/{item_id}/apply-guidance/`
(docs/api.md, "Exercise load guidance"): evidence gathered from the database, one step
applied once, recorded, and told to the patient without clinical detail."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import PatientAccessAudit
from apps.accounts.services import care_link_create
from apps.guidance.selectors import plan_load_guidance
from apps.guidance.services import plan_item_guidance_apply
from apps.notifications.models import Notification, PushDelivery, Reminder
from apps.plans.models import PlanEvent, PlanEventAction, PlanItem, PlanStatus
from tests.conftest import client_for, post_at_once
from tests.factories import (
    AlertFactory,
    DeviceFactory,
    ExercisePlanFactory,
    PlanItemFactory,
)

from .conftest import add_mornings, add_sessions

pytestmark = pytest.mark.usefixtures("frozen_now")

GUIDANCE = "/api/v1/plans/{}/load-guidance/"
APPLY = "/api/v1/plans/{}/items/{}/apply-guidance/"


@pytest.fixture
def plan(make_plan):
    """The stretch (3 sets, 30 s hold, max pain 3) and quad sets (2 × 10, max pain 4)."""
    return make_plan()


@pytest.fixture
def stretch(plan):
    return plan.items.get(exercise__slug="wall-calf-stretch")


@pytest.fixture
def quads(plan):
    return plan.items.get(exercise__slug="quad-sets")


def by_item(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {entry["item"]: entry for entry in response.json()["items"]}


def stored(item: PlanItem) -> tuple:
    item = PlanItem.objects.get(pk=item.pk)
    return (item.sets, item.reps, item.hold_seconds, item.dosage_version)


def everything_stored() -> dict:
    return {
        "items": list(PlanItem.objects.order_by("pk").values()),
        "events": PlanEvent.objects.count(),
        "notifications": Notification.objects.count(),
        "reminders": list(Reminder.objects.order_by("pk").values()),
    }


# --- Reading ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_item_has_its_suggestion_reasons_and_evidence(physio_client, plan, quads, patient):
    add_sessions(quads)
    add_mornings(patient)

    response = physio_client.get(GUIDANCE.format(plan.id))

    body = response.json()
    assert body["plan"] == str(plan.id)
    entries = by_item(response)
    assert len(entries) == 2
    quad = entries[str(quads.id)]
    assert quad["suggestion"] == "progress"
    assert quad["reasons"] == ["load_tolerated"]
    assert quad["evidence"]["sessions"] == 4
    assert quad["evidence"]["mornings_compared"] == 4
    assert quad["evidence"]["days"][0] == {
        "date": "2026-11-14",
        "pain_during": 2,
        "sets_done": 2,
        "reps_done": 10,
        "difficulty": 3,
        "morning_before": 3,
        "next_morning": 3,
    }
    assert quad["dosage"] == {"sets": 2, "reps": 10, "hold_seconds": None, "dosage_version": 1}
    assert quad["step"] == {"sets": 3, "reps": 10, "hold_seconds": None}
    stretch = next(e for key, e in entries.items() if key != str(quads.id))
    assert stretch["suggestion"] == "insufficient_data"
    assert stretch["reasons"] == ["too_few_sessions", "no_morning_logs"]
    assert stretch["step"] is None


@pytest.mark.django_db
def test_the_patient_reads_their_own_guidance_and_no_audit_is_written(
    patient_client, plan, quads, patient
):
    add_sessions(quads, pain_during=6)
    response = patient_client.get(GUIDANCE.format(plan.id))
    assert by_item(response)[str(quads.id)]["suggestion"] == "reduce"
    assert PatientAccessAudit.objects.count() == 0


@pytest.mark.django_db
def test_a_physios_read_is_audited(physio_client, physio, plan, patient):
    physio_client.get(GUIDANCE.format(plan.id))
    assert list(PatientAccessAudit.objects.values_list("physio", "patient", "what")) == [
        (physio.id, patient.id, "plans.load_guidance")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "status", "suggestion", "reasons"),
    [
        ("red_flag", "open", "hold", ["open_alert"]),
        ("worsening", "open", "hold", ["open_alert"]),
        ("worsening", "acknowledged", "hold", ["open_alert"]),  # seen, not yet resolved
        ("worsening", "resolved", "progress", ["load_tolerated"]),
        ("missed_exercises", "open", "progress", ["load_tolerated"]),
    ],
)
def test_an_open_red_flag_or_worsening_alert_blocks_progress(
    physio_client, plan, quads, patient, kind, status, suggestion, reasons
):
    add_sessions(quads)
    add_mornings(patient)
    traits = {"red_flag": {}, "worsening": {"worsening": True}}.get(kind, {})
    if kind == "missed_exercises":
        traits = {"missed_exercises": True}
    AlertFactory(patient=patient, **traits, **({status: True} if status != "open" else {}))

    entry = by_item(physio_client.get(GUIDANCE.format(plan.id)))[str(quads.id)]

    assert (entry["suggestion"], entry["reasons"]) == (suggestion, reasons)


@pytest.mark.django_db
def test_another_patients_logs_are_not_evidence(physio_client, plan, quads, patient):
    # The other patient's painful mornings must not count for this patient.
    add_sessions(quads)
    add_mornings(patient)
    other = ExercisePlanFactory()
    add_mornings(other.patient, {2: 1, 1: 9, 0: 9})
    add_sessions(PlanItemFactory(plan=other), pain_during=9)
    assert by_item(physio_client.get(GUIDANCE.format(plan.id)))[str(quads.id)]["suggestion"] == (
        "progress"
    )


@pytest.mark.django_db
def test_a_retired_item_is_not_listed(physio_client, plan, quads):
    PlanItem.objects.filter(pk=quads.pk).update(retired_at=timezone.now())
    assert str(quads.id) not in by_item(physio_client.get(GUIDANCE.format(plan.id)))


@pytest.mark.django_db
@pytest.mark.parametrize("items", [1, 5])
def test_reading_costs_the_same_queries_for_any_number_of_items(
    django_assert_num_queries, physio, patient, linked, items
):
    plan = ExercisePlanFactory(patient=patient, physio=physio)
    for item in PlanItemFactory.create_batch(items, plan=plan):
        add_sessions(item)
    add_mornings(patient)
    # The plan, its items (with their exercises), sessions, morning logs, weekly sums, alerts.
    with django_assert_num_queries(6):
        result = plan_load_guidance(user=physio, plan_id=plan.id)
    assert [entry["suggestion"] for entry in result["items"]] == ["progress"] * items


@pytest.mark.django_db
def test_the_endpoint_costs_the_same_for_1_and_5_items(physio, patient, linked):
    counts = []
    for items in (1, 5):
        ExercisePlanFactory._meta.model.objects.filter(patient=patient).update(
            status=PlanStatus.ARCHIVED
        )
        plan = ExercisePlanFactory(patient=patient, physio=physio)
        for item in PlanItemFactory.create_batch(items, plan=plan):
            add_sessions(item)
        client = client_for(physio)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(GUIDANCE.format(plan.id)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["unlinked_physio", "other_patient", "former_physio", "missing_plan"]
)
def test_a_plan_that_is_not_yours_is_a_404(plan, patient, physio, who):
    from apps.accounts.services import care_link_end
    from tests.factories import PatientFactory, PhysioFactory

    plan_id = plan.id
    if who == "unlinked_physio":
        caller = PhysioFactory()
    elif who == "other_patient":
        caller = PatientFactory()
    elif who == "former_physio":
        caller = physio
        care_link_end(link=physio.patient_links.get(), by=patient)
    else:
        caller, plan_id = physio, uuid.uuid4()
    response = client_for(caller).get(GUIDANCE.format(plan_id))
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


# --- Applying -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_applying_progress_adds_a_set_records_it_and_tells_the_patient(
    physio_client, physio, plan, quads, patient
):
    add_sessions(quads)
    add_mornings(patient)
    DeviceFactory(user=patient)
    reminders = list(Reminder.objects.order_by("pk").values())

    response = physio_client.post(APPLY.format(plan.id, quads.id), {}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["suggestion"] == "progress"
    assert body["plan"] == str(plan.id)
    assert body["item"] == {
        "id": str(quads.id),
        "sets": 3,
        "reps": 10,
        "hold_seconds": None,
        "dosage_version": 2,
    }
    assert stored(quads) == (3, 10, None, 2)
    event = PlanEvent.objects.get(action=PlanEventAction.DOSAGE_CHANGED)
    assert event.actor == physio
    assert event.details == {
        "item": str(quads.id),
        "reason": "guidance_progress",
        "from": {"sets": 2, "reps": 10, "hold_seconds": None},
        "to": {"sets": 3, "reps": 10, "hold_seconds": None},
        "dosage_version": 2,
    }
    assert body["event"]["id"] == event.id
    assert body["event"]["actor"] == str(physio.id)
    assert body["event"]["details"]["to"] == {"sets": 3, "reps": 10, "hold_seconds": None}
    # The patient's inbox says the plan changed, and nothing clinical.
    note = Notification.objects.get(user=patient)
    assert note.kind == "plan_changed"
    assert note.title == "Your exercise plan changed"
    assert note.data == {"plan": str(plan.id)}
    text = f"{note.title} {note.body}".lower()
    for clinical in ("set", "rep", "hold", "pain", "quad", "reduce", "progress", "more", "less"):
        assert clinical not in text
    assert not any(ch.isdigit() for ch in text)
    assert PushDelivery.objects.filter(notification=note).count() == 1
    # A dosage step changes neither the days nor the times a day: reminders stay.
    assert list(Reminder.objects.order_by("pk").values()) == reminders
    # The next read judges the new load by sessions at it: none yet.
    entry = by_item(physio_client.get(GUIDANCE.format(plan.id)))[str(quads.id)]
    assert entry["suggestion"] == "insufficient_data"
    assert entry["dosage"]["sets"] == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("item_fields", "sessions", "after"),
    [
        # Pain 6 during: reduce takes 2 reps back.
        ({"sets": 2, "reps": 10}, {"pain_during": 6}, (2, 8, None)),
        # A held item: reduce takes 5 s of hold back first.
        ({"sets": 3, "reps": None, "hold_seconds": 30}, {"pain_during": 6}, (3, None, 25)),
        # Progress at 3 sets: 2 reps more.
        ({"sets": 3, "reps": 10}, {}, (3, 12, None)),
        # Progress at 3 × 15 with a hold: 5 s more.
        ({"sets": 3, "reps": 15, "hold_seconds": 10}, {}, (3, 15, 15)),
    ],
)
def test_one_dosage_step_as_documented(
    physio_client, physio, patient, linked, item_fields, sessions, after
):
    plan = ExercisePlanFactory(patient=patient, physio=physio)
    item = PlanItemFactory(plan=plan, max_pain=10, **item_fields)
    add_sessions(item, **sessions)
    add_mornings(patient)
    response = physio_client.post(APPLY.format(plan.id, item.id), format="json")
    assert response.status_code == 200, response.content
    assert stored(item)[:3] == after


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("item_fields", "sessions", "mornings", "code"),
    [
        # hold: 3 sessions
        ({"sets": 2, "reps": 10}, {"days": (3, 2, 1)}, None, "guidance_not_applicable"),
        # insufficient_data: 2 sessions
        ({"sets": 2, "reps": 10}, {"days": (2, 1)}, None, "guidance_not_applicable"),
        # insufficient_data: no morning logs
        ({"sets": 2, "reps": 10}, {}, {}, "guidance_not_applicable"),
        # progress at the caps: 3 × 15, no hold
        ({"sets": 3, "reps": 15}, {}, None, "no_dosage_step"),
        # reduce at the floor: 1 × 5
        ({"sets": 1, "reps": 5}, {"pain_during": 7}, None, "no_dosage_step"),
    ],
)
def test_what_cannot_be_applied_is_a_409_and_changes_nothing(
    physio_client, physio, patient, linked, item_fields, sessions, mornings, code
):
    plan = ExercisePlanFactory(patient=patient, physio=physio)
    item = PlanItemFactory(plan=plan, max_pain=10, **item_fields)
    add_sessions(item, **sessions)
    add_mornings(patient, mornings)
    before = everything_stored()

    response = physio_client.post(APPLY.format(plan.id, item.id), {}, format="json")

    assert response.status_code == 409, response.content
    assert [e["code"] for e in response.json()["errors"]] == [code]
    assert everything_stored() == before


@pytest.mark.django_db
def test_an_open_alert_makes_progress_unappliable(physio_client, plan, quads, patient):
    add_sessions(quads)
    add_mornings(patient)
    AlertFactory(patient=patient)
    before = everything_stored()
    response = physio_client.post(APPLY.format(plan.id, quads.id), format="json")
    assert response.json()["errors"][0]["code"] == "guidance_not_applicable"
    assert everything_stored() == before


@pytest.mark.django_db
def test_applying_the_same_guidance_twice_steps_once(physio_client, plan, quads, patient):
    add_sessions(quads)
    add_mornings(patient)
    url = APPLY.format(plan.id, quads.id)

    first = physio_client.post(url, format="json")
    second = physio_client.post(url, format="json")

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["errors"][0]["code"] == "guidance_already_applied"
    assert stored(quads) == (3, 10, None, 2)
    assert PlanEvent.objects.filter(action=PlanEventAction.DOSAGE_CHANGED).count() == 1
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_new_sessions_at_the_new_dosage_allow_the_next_step(
    physio_client, physio, plan, quads, patient, time_machine
):
    add_sessions(quads)
    add_mornings(patient)
    url = APPLY.format(plan.id, quads.id)
    assert physio_client.post(url, format="json").status_code == 200
    # Four days later, four good sessions at 3 × 10 and their mornings.
    time_machine.shift(dt.timedelta(days=4))
    from tests.factories import ExerciseLogFactory, SymptomLogFactory

    now = timezone.now()
    for days in range(4, 0, -1):
        moment = now - dt.timedelta(days=days)
        ExerciseLogFactory(
            plan_item=quads, performed_at=moment.replace(hour=14), sets_done=3, reps_done=10
        )
    for days in range(0, 5):
        moment = (now - dt.timedelta(days=days)).replace(hour=8)
        SymptomLogFactory(patient=patient, recorded_at=moment, pain_score=3)
    client = client_for(physio)  # the first token has expired meanwhile
    response = client.post(url, {"expected_suggestion": "progress"}, format="json")
    assert response.status_code == 200, response.content
    assert stored(quads) == (3, 12, None, 3)


@pytest.mark.django_db
def test_a_stale_dosage_version_is_refused(physio_client, plan, quads, patient):
    add_sessions(quads)
    add_mornings(patient)
    PlanItem.objects.filter(pk=quads.pk).update(dosage_version=4)
    before = everything_stored()
    response = physio_client.post(
        APPLY.format(plan.id, quads.id), {"dosage_version": 3}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "guidance_already_applied"
    assert everything_stored() == before
    ok = physio_client.post(APPLY.format(plan.id, quads.id), {"dosage_version": 4}, format="json")
    assert ok.status_code == 200
    assert stored(quads) == (3, 10, None, 5)


@pytest.mark.django_db
def test_a_changed_suggestion_is_refused(physio_client, plan, quads, patient):
    add_sessions(quads)
    add_mornings(patient)
    before = everything_stored()
    response = physio_client.post(
        APPLY.format(plan.id, quads.id), {"expected_suggestion": "reduce"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "guidance_changed"
    assert everything_stored() == before


@pytest.mark.django_db
def test_an_archived_plan_cannot_be_stepped(physio_client, plan, quads, patient):
    add_sessions(quads)
    add_mornings(patient)
    plan.status = PlanStatus.ARCHIVED
    plan.save()
    before = everything_stored()
    response = physio_client.post(APPLY.format(plan.id, quads.id), format="json")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "item_not_active"
    assert everything_stored() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({"dosage": 3}, "dosage", "unknown_field"),
        ({"dosage_version": "1"}, "dosage_version", "invalid"),
        ({"dosage_version": 1.5}, "dosage_version", "invalid"),
        ({"dosage_version": True}, "dosage_version", "invalid"),
        ({"dosage_version": 0}, "dosage_version", "min_value"),
        ({"dosage_version": None}, "dosage_version", "null"),
        ({"expected_suggestion": "hold"}, "expected_suggestion", "invalid_choice"),
        ({"expected_suggestion": "insufficient_data"}, "expected_suggestion", "invalid_choice"),
        ({"expected_suggestion": ""}, "expected_suggestion", "invalid_choice"),
        ({"expected_suggestion": ["progress"]}, "expected_suggestion", "invalid_choice"),
        ({"expected_suggestion": 1}, "expected_suggestion", "invalid_choice"),
        ({"expected_suggestion": "PROGRESS"}, "expected_suggestion", "invalid_choice"),
    ],
)
def test_bad_input_is_a_400_and_changes_nothing(
    physio_client, plan, quads, patient, body, attr, code
):
    add_sessions(quads)
    add_mornings(patient)
    before = everything_stored()
    response = physio_client.post(APPLY.format(plan.id, quads.id), body, format="json")
    assert response.status_code == 400, response.content
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [(attr, code)]
    assert everything_stored() == before


@pytest.mark.django_db
def test_a_body_that_is_not_an_object_is_a_400(physio_client, plan, quads):
    before = everything_stored()
    response = physio_client.post(APPLY.format(plan.id, quads.id), ["x"], format="json")
    assert response.status_code == 400
    assert everything_stored() == before


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["other_plans_item", "missing_item", "unlinked_plan"])
def test_an_item_not_of_this_plan_or_not_yours_is_a_404(physio_client, physio, plan, quads, which):
    if which == "other_plans_item":
        other = ExercisePlanFactory(physio=physio)
        care_link_create(physio=physio, patient=other.patient)
        plan_id, item_id = plan.id, PlanItemFactory(plan=other).id
    elif which == "missing_item":
        plan_id, item_id = plan.id, uuid.uuid4()
    else:
        other = ExercisePlanFactory()
        plan_id, item_id = other.id, PlanItemFactory(plan=other).id
    before = everything_stored()
    response = physio_client.post(APPLY.format(plan_id, item_id), format="json")
    assert response.status_code == 404
    assert everything_stored() == before


@pytest.mark.django_db
def test_the_patient_cannot_apply(patient_client, plan, quads, patient):
    add_sessions(quads)
    add_mornings(patient)
    response = patient_client.post(APPLY.format(plan.id, quads.id), format="json")
    assert response.status_code == 403


# On SQLite too: its IMMEDIATE transactions queue the writers (backend/settings/database.py).
@pytest.mark.django_db(transaction=True)
def test_two_applies_sent_at_the_same_moment_step_once(physio, plan, quads, patient):
    add_sessions(quads)
    add_mornings(patient)
    url = APPLY.format(plan.id, quads.id)

    responses = post_at_once([(physio, url, {})] * 4)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409, 409, 409], [r.content for r in responses]
    assert {r.json()["errors"][0]["code"] for r in responses if r.status_code == 409} == {
        "guidance_already_applied"
    }
    assert stored(quads) == (3, 10, None, 2)
    assert PlanEvent.objects.filter(action=PlanEventAction.DOSAGE_CHANGED).count() == 1
    assert Notification.objects.filter(user=patient).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_applies_with_the_same_version_at_the_same_moment_step_once(
    physio, plan, quads, patient
):
    add_sessions(quads)
    add_mornings(patient)
    url = APPLY.format(plan.id, quads.id)
    body = {"dosage_version": 1, "expected_suggestion": "progress"}

    responses = post_at_once([(physio, url, body)] * 2)

    assert sorted(r.status_code for r in responses) == [200, 409]
    assert stored(quads) == (3, 10, None, 2)


@pytest.mark.django_db
def test_mornings_are_read_in_the_patients_own_zone(physio_client, plan, quads, patient):
    # 15:30 UTC is 10:30 in New York: a morning there, an afternoon in London (and UTC).
    patient.timezone = "America/New_York"
    patient.save()
    add_sessions(quads)  # 10:00 UTC: 05:00 in New York, the same local days
    from tests.factories import SymptomLogFactory

    from .conftest import day_at

    for d in range(1, 5):
        SymptomLogFactory(patient=patient, recorded_at=day_at(d, 15, 30), pain_score=3)
    entry = by_item(physio_client.get(GUIDANCE.format(plan.id)))[str(quads.id)]
    assert entry["evidence"]["mornings_compared"] == 3
    assert entry["suggestion"] == "progress"

    patient.timezone = "Europe/London"
    patient.save()
    entry = by_item(physio_client.get(GUIDANCE.format(plan.id)))[str(quads.id)]
    assert entry["suggestion"] == "insufficient_data"
    assert entry["reasons"] == ["no_morning_logs"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/v1/plans/not-a-uuid/load-guidance/", 404),
        ("post", "/api/v1/plans/{plan}/items/not-a-uuid/apply-guidance/", 404),
        ("post", "/api/v1/plans/{plan}/load-guidance/", 405),
        ("get", "/api/v1/plans/{plan}/items/{item}/apply-guidance/", 405),
        ("delete", "/api/v1/plans/{plan}/items/{item}/apply-guidance/", 405),
    ],
)
def test_wrong_paths_and_methods_are_refused_in_the_envelope(
    physio_client, plan, quads, method, url, status
):
    before = everything_stored()
    response = getattr(physio_client, method)(
        url.format(plan=plan.id, item=quads.id), format="json"
    )
    assert response.status_code == status
    assert response.json()["errors"][0]["code"]
    assert everything_stored() == before


@pytest.mark.django_db
def test_applying_reads_and_locks_the_item_once(physio, plan, quads, patient):
    """The item is read once, scoped to the physio and locked in the same statement, and
    that locked row is what the dosage change writes: no second read, no second lock."""
    add_sessions(quads)
    add_mornings(patient)

    with CaptureQueriesContext(connection) as queries:
        plan_item_guidance_apply(physio=physio, plan_id=plan.id, item_id=quads.id)

    reads = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and 'FROM "plans_planitem"' in q["sql"]
    ]
    assert len(reads) == 1, reads
    if connection.vendor == "postgresql":
        locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
        assert locks == reads
        assert 'FOR UPDATE OF "plans_planitem"' in reads[0]
    assert '"accounts_user"."password"' not in reads[0]
    assert stored(quads) == (3, 10, None, 2)

"""Responses: scored by the server, judged against the schedule's baseline, idempotent by
client_id; bad answers are 400s naming the item, with nothing stored."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from apps.notifications.models import Reminder, ReminderKind, ReminderStatus
from apps.outcomes.models import OutcomeResponse
from apps.outcomes.services import outcome_schedule_create
from tests.conftest import client_for, post_at_once
from tests.outcomes.conftest import (
    lefs_answers,
    lefs_body,
    pain_answers,
    psfs_answers,
    response_body,
)

URL = "/api/v1/outcome-responses/"
LONDON = ZoneInfo("Europe/London")


def post(client, body):
    return client.post(URL, body, format="json")


def at(days_ago: float) -> str:
    return (timezone.now() - dt.timedelta(days=days_ago)).isoformat()


def test_all_4s_on_the_lefs_score_80_and_make_the_baseline(instruments, patient_client, patient):
    response = post(patient_client, lefs_body(4))

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["instrument"], data["version"], data["score"]) == ("lefs", "1", 80)
    assert (data["baseline_score"], data["change"], data["responder"]) == (None, None, None)
    assert (data["mcid"], data["is_baseline"]) == (9, True)
    assert data["schedule"] is None
    assert len(data["answers"]) == 20
    stored = OutcomeResponse.objects.get(patient=patient)
    assert str(stored.id) == data["id"]


def test_all_0s_on_the_lefs_score_0(instruments, patient_client):
    assert post(patient_client, lefs_body(0)).json()["score"] == 0


def test_later_responses_are_judged_against_the_first(instruments, patient_client):
    post(patient_client, lefs_body(2, completed_at=at(14)))  # 40: the baseline

    better = post(patient_client, lefs_body([3] * 9 + [2] * 11, completed_at=at(7))).json()
    assert (better["score"], better["baseline_score"], better["change"]) == (49, 40, 9)
    assert (better["responder"], better["is_baseline"]) == ("improved", False)

    same = post(patient_client, lefs_body([2] * 12 + [1] * 8, completed_at=at(1))).json()
    assert (same["score"], same["change"], same["responder"]) == (32, -8, "no_change")

    worse = post(patient_client, lefs_body([2] * 11 + [1] * 9)).json()
    assert (worse["score"], worse["change"], worse["responder"]) == (31, -9, "worsened")


def test_a_psfs_of_2_5_and_8_scores_5(instruments, patient_client):
    body = response_body("psfs", psfs_answers(("stairs", 2), ("kneeling", 5), ("running", 8)))

    data = post(patient_client, body).json()

    assert data["score"] == 5.0
    assert [(a["item"], a["value"], a["label"]) for a in data["answers"]] == [
        ("1", 2, "stairs"),
        ("2", 5, "kneeling"),
        ("3", 8, "running"),
    ]


def test_a_later_psfs_rates_the_same_activities(instruments, patient_client, patient):
    post(
        patient_client,
        response_body("psfs", psfs_answers(("stairs", 2), ("running", 4)), completed_at=at(7)),
    )

    renamed = post(
        patient_client, response_body("psfs", psfs_answers(("stairs", 5), ("cycling", 6)))
    )
    assert renamed.status_code == 400
    errors = renamed.json()["errors"]
    assert [(e["attr"], e["code"]) for e in errors] == [("answers.1.label", "activity_renamed")]
    assert "running" in errors[0]["detail"]

    extra = post(
        patient_client,
        response_body("psfs", psfs_answers(("stairs", 5), ("running", 6), ("cycling", 3))),
    )
    assert [(e["attr"], e["code"]) for e in extra.json()["errors"]] == [
        ("answers.2.item", "new_activity")
    ]
    assert OutcomeResponse.objects.filter(patient=patient).count() == 1

    rated = post(
        patient_client,
        response_body("psfs", [{"item": "1", "value": 5}, {"item": "2", "value": 7}]),
    ).json()
    assert (rated["score"], rated["change"], rated["responder"]) == (6, 3, "improved")
    assert [a["label"] for a in rated["answers"]] == ["stairs", "running"]


def test_pain_week_scores_the_average_and_lower_is_better(instruments, patient_client):
    first = post(patient_client, response_body("pain_week", pain_answers(6, 9), completed_at=at(7)))
    assert first.json()["score"] == 6

    later = post(patient_client, response_body("pain_week", pain_answers(4, 8))).json()
    assert (later["score"], later["change"], later["responder"]) == (4, -2, "improved")
    assert later["mcid_percent"] == 30


def test_the_same_client_id_again_returns_the_stored_response(instruments, patient_client):
    body = lefs_body(4)
    first = post(patient_client, body)

    again = post(patient_client, {**body, "answers": lefs_answers(0)})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert OutcomeResponse.objects.count() == 1


def test_client_ids_are_per_patient(instruments, patient_client, other_patient):
    body = lefs_body(4)
    post(patient_client, body)
    assert post(client_for(other_patient), body).status_code == 201
    assert OutcomeResponse.objects.count() == 2


def test_a_sent_version_must_be_the_enabled_one(instruments, patient_client):
    assert post(patient_client, lefs_body(version="1")).status_code == 201
    wrong = post(patient_client, lefs_body(version="2"))
    assert wrong.status_code == 400
    assert [(e["attr"], e["code"]) for e in wrong.json()["errors"]] == [
        ("version", "wrong_version")
    ]


NOT_A_NUMBER = [4.0, "4", True, None, [4], {"v": 4}]


def lefs_with(index: int, **answer) -> dict:
    answers = lefs_answers(4)
    answers[index] = {**answers[index], **answer}
    return lefs_body(answers=answers)


def without_item(item: str) -> dict:
    return lefs_body(answers=[a for a in lefs_answers(4) if a["item"] != item])


BAD = [
    # (body, attr, code)
    (without_item("3"), "answers", "missing_item"),
    (lefs_with(3, value=5), "answers.3.value", "out_of_range"),
    (lefs_with(19, value=-1), "answers.19.value", "out_of_range"),
    (
        lefs_body(answers=[*lefs_answers(4), {"item": "21", "value": 4}]),
        "answers.20.item",
        "unknown_item",
    ),
    (
        lefs_body(answers=[*lefs_answers(4), {"item": "1", "value": 0}]),
        "answers.20.item",
        "duplicate_item",
    ),
    (lefs_body(version="7"), "version", "wrong_version"),
    *[(lefs_with(3, value=value), "answers.3.value", "invalid") for value in NOT_A_NUMBER[:3]],
    (lefs_with(3, value=None), "answers.3.value", "null"),
    (lefs_with(3, value=[4]), "answers.3.value", "invalid"),
    (lefs_with(2, item=3.5), "answers.2.item", "invalid"),
    (lefs_with(2, item=True), "answers.2.item", "invalid"),
    (lefs_with(2, note="x"), "answers.2.note", "unknown_field"),
    (lefs_with(2, label="a lot"), "answers.2.label", "label_not_accepted"),
    (lefs_body(note="x"), "note", "unknown_field"),
    (lefs_body(score=80), "score", "unknown_field"),
    (lefs_body(answers=[]), "answers", "empty"),
    (lefs_body(answers={"1": 4}), "answers", "not_a_list"),
    (lefs_body(answers=[4]), "answers.0", "invalid"),
    (lefs_body(instrument="koos"), "instrument", "unknown_instrument"),
    (lefs_body(instrument=1), "instrument", "invalid"),
    (lefs_body(version=1), "version", "invalid"),
    (lefs_body(client_id="not-a-uuid"), "client_id", "invalid"),
    (lefs_body(client_id=12), "client_id", "invalid"),
    (lefs_body(completed_at="2026-06-10T12:00:00"), "completed_at", "naive"),
    (lefs_body(completed_at=1781000000), "completed_at", "invalid"),
    (
        response_body(
            "psfs",
            [
                *psfs_answers(("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5)),
                {"item": "6", "value": 6, "label": "f"},
            ],
        ),
        "answers",
        "too_many_items",
    ),
    (response_body("psfs", [{"item": "1", "value": 5}]), "answers.0.label", "label_required"),
    (response_body("psfs", psfs_answers(("stairs", 11))), "answers.0.value", "out_of_range"),
    (
        response_body("psfs", [{"item": "1", "value": 5, "label": "x" * 121}]),
        "answers.0.label",
        "max_length",
    ),
    (response_body("pain_week", pain_answers(5, 5)[:1]), "answers", "missing_item"),
]


@pytest.mark.parametrize(("body", "attr", "code"), BAD, ids=[f"{a}:{c}" for _, a, c in BAD])
def test_bad_answers_are_a_400_naming_the_item_and_store_nothing(
    instruments, patient_client, body, attr, code
):
    response = post(patient_client, body)

    assert response.status_code == 400, response.content
    assert response.json()["type"] == "validation_error"
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [(attr, code)]
    assert not OutcomeResponse.objects.exists()
    assert not Reminder.objects.exists()


def test_every_problem_of_a_response_is_reported_at_once(instruments, patient_client):
    response = post(patient_client, lefs_with(0, item="21", value=9))
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [
        ("answers.0.item", "unknown_item"),
        ("answers", "missing_item"),
    ]
    assert not OutcomeResponse.objects.exists()


def test_a_missing_item_is_named(instruments, patient_client):
    detail = post(patient_client, without_item("13")).json()["errors"][0]["detail"]
    assert "item 13" in detail


def test_an_item_may_be_sent_as_a_number(instruments, patient_client):
    answers = [{"item": int(a["item"]), "value": a["value"]} for a in lefs_answers(3)]
    response = post(patient_client, lefs_body(answers=answers))
    assert response.status_code == 201
    assert response.json()["score"] == 60


@pytest.mark.parametrize(
    ("completed_at", "code"),
    [
        (lambda: (timezone.now() + dt.timedelta(minutes=10)).isoformat(), "in_future"),
        (lambda: (timezone.now() - dt.timedelta(days=731)).isoformat(), "too_old"),
    ],
)
def test_completed_at_is_recent_and_not_in_the_future(
    instruments, patient_client, completed_at, code
):
    response = post(patient_client, lefs_body(completed_at=completed_at()))
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("completed_at", code)]
    assert not OutcomeResponse.objects.exists()


def test_four_minutes_ahead_is_a_phone_clock_and_is_accepted(instruments, patient_client):
    ahead = (timezone.now() + dt.timedelta(minutes=4)).isoformat()
    assert post(patient_client, lefs_body(completed_at=ahead)).status_code == 201


def test_only_patients_answer(instruments, physio_client, editor_client, api_client):
    for client, expected in ((physio_client, 403), (editor_client, 403), (api_client, 401)):
        assert post(client, lefs_body()).status_code == expected
    assert not OutcomeResponse.objects.exists()


# --- Reading -------------------------------------------------------------------------------------


def test_a_patient_reads_their_responses_newest_first(instruments, patient_client, other_patient):
    ids = [
        post(patient_client, lefs_body(n, completed_at=at(5 - n))).json()["id"] for n in range(4)
    ]
    post(client_for(other_patient), lefs_body())

    page = patient_client.get(URL, {"page_size": 3}).json()
    assert [row["id"] for row in page["results"]] == ids[::-1][:3]
    rest = patient_client.get(page["next"]).json()
    assert [row["id"] for row in rest["results"]] == [ids[0]]
    assert patient_client.get(f"{URL}{ids[0]}/").json()["score"] == 0
    assert client_for(other_patient).get(f"{URL}{ids[0]}/").status_code == 404


# --- Schedules: baselines and what is due --------------------------------------------------------


@pytest.fixture
def schedule(instruments, linked, physio, patient):
    return outcome_schedule_create(
        physio=physio,
        patient=patient,
        instrument="lefs",
        every_days=7,
        starts_on=timezone.now().astimezone(patient.zone).date(),
    )


def due_codes(client) -> list[str]:
    response = client.get(f"{URL}due/")
    assert response.status_code == 200
    return [row["instrument"]["code"] for row in response.json()["results"]]


def test_a_scheduled_instrument_is_due_until_answered(schedule, patient_client, physio, patient):
    outcome_schedule_create(
        physio=physio,
        patient=patient,
        instrument="psfs",
        every_days=7,
        starts_on=timezone.now().astimezone(patient.zone).date() + dt.timedelta(days=2),
    )

    due = patient_client.get(f"{URL}due/").json()["results"]
    assert [row["instrument"]["code"] for row in due] == ["lefs"]  # psfs starts later
    assert due[0]["schedule"]["id"] == str(schedule.id)
    assert due[0]["instrument"]["items"][0]["text"].startswith("usual work")

    answered = post(patient_client, lefs_body()).json()
    assert answered["schedule"] == str(schedule.id)
    assert due_codes(patient_client) == []


def test_the_next_occurrence_is_due_again(instruments, linked, physio, patient):
    start = dt.datetime(2026, 6, 10, 12, 0, tzinfo=LONDON)
    with time_machine.travel(start, tick=False):
        patient_client = client_for(patient)
        outcome_schedule_create(
            physio=physio, patient=patient, instrument="lefs", every_days=7, starts_on=start.date()
        )
        post(patient_client, lefs_body())
        assert due_codes(patient_client) == []
    with time_machine.travel(start + dt.timedelta(days=6, hours=11), tick=False):
        assert due_codes(client_for(patient)) == []  # 23:00 on the 16th: not yet
    with time_machine.travel(start + dt.timedelta(days=7), tick=False):
        assert due_codes(client_for(patient)) == ["lefs"]


def test_answering_cancels_the_reminder_of_that_occurrence(instruments, linked, physio, patient):
    made = dt.datetime(2026, 6, 9, 12, 0, tzinfo=LONDON)
    with time_machine.travel(made, tick=False):
        schedule = outcome_schedule_create(
            physio=physio, patient=patient, instrument="lefs", every_days=1, starts_on=made.date()
        )
    reminders = Reminder.objects.filter(
        kind=ReminderKind.QUESTIONNAIRE, source=f"outcome_schedule:{schedule.id}"
    )
    tonight = dt.datetime(2026, 6, 10, 20, 0, tzinfo=LONDON)
    assert reminders.get(scheduled_for=tonight).status == ReminderStatus.SCHEDULED

    with time_machine.travel(made + dt.timedelta(days=1), tick=False):
        assert post(client_for(patient), lefs_body()).status_code == 201

    assert reminders.get(scheduled_for=tonight).status == ReminderStatus.CANCELLED
    tomorrow = dt.datetime(2026, 6, 11, 20, 0, tzinfo=LONDON)
    assert reminders.get(scheduled_for=tomorrow).status == ReminderStatus.SCHEDULED


def test_a_new_schedule_starts_a_new_baseline(schedule, physio_client, patient_client, patient):
    post(patient_client, lefs_body(2, completed_at=at(2)))
    physio_client.post(f"/api/v1/outcome-schedules/{schedule.id}/end/", format="json")

    unscheduled = post(patient_client, lefs_body(4, completed_at=at(1))).json()
    assert (unscheduled["schedule"], unscheduled["baseline_score"]) == (None, None)

    physio_client.post(
        f"/api/v1/patients/{patient.id}/outcome-schedules/",
        {"instrument": "lefs", "every_days": 7, "starts_on": str(timezone.now().date())},
        format="json",
    )
    first_of_new = post(patient_client, lefs_body(3)).json()
    assert (first_of_new["baseline_score"], first_of_new["responder"]) == (None, None)


def test_an_earlier_response_synced_late_becomes_the_baseline(instruments, patient_client):
    later = post(patient_client, lefs_body(3, completed_at=at(1))).json()  # 60, baseline for now
    assert later["is_baseline"]

    earlier = post(patient_client, lefs_body(2, completed_at=at(10))).json()  # 40

    assert earlier["is_baseline"]
    restated = patient_client.get(f"{URL}{later['id']}/").json()
    assert (restated["baseline_score"], restated["change"], restated["responder"]) == (
        40,
        20,
        "improved",
    )


# --- Racing copies -----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_racing_copies_of_one_response_make_one_row(patient):
    from apps.outcomes.services import instruments_load

    instruments_load()
    body = lefs_body(4)

    statuses = sorted(r.status_code for r in post_at_once([(patient, URL, body)] * 8))

    assert statuses == [200] * 7 + [201]
    assert OutcomeResponse.objects.filter(patient=patient).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_different_responses_all_land_with_one_baseline(patient):
    from apps.outcomes.services import instruments_load

    instruments_load()
    bodies = [lefs_body(n % 5, completed_at=at(1 + n)) for n in range(6)]

    statuses = [r.status_code for r in post_at_once([(patient, URL, b) for b in bodies])]

    assert statuses == [201] * 6
    baselines = OutcomeResponse.objects.filter(patient=patient, baseline_score__isnull=True)
    assert baselines.count() == 1
    oldest = OutcomeResponse.objects.filter(patient=patient).order_by("completed_at").first()
    assert baselines.get() == oldest
    assert set(
        OutcomeResponse.objects.exclude(pk=oldest.pk).values_list("baseline_score", flat=True)
    ) == {oldest.score}


def test_uuid_client_ids_are_compared_as_uuids(instruments, patient_client):
    client_id = uuid.uuid4()
    post(patient_client, lefs_body(client_id=str(client_id)))
    again = post(patient_client, lefs_body(client_id=str(client_id).upper()))
    assert again.status_code == 200

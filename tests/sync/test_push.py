"""POST sync/: every kind a phone writes offline, in one request, through the one bulk
pipeline: one result per item in order, valid items stored even when others are refused."""

import uuid

import pytest

from apps.accounts.services import care_link_create, care_link_end
from apps.care.models import CareSession
from apps.messaging.models import Message, MessageKind
from apps.notifications.models import Reminder
from apps.outcomes.models import OutcomeResponse
from apps.plans.models import ExerciseLog, PlanItem
from apps.symptoms.models import SymptomLog
from apps.sync import checkpoint as checkpoints
from tests.bodies import care_session_body, exercise_log_body, symptom_log_body
from tests.factories.accounts import PatientFactory, PhysioFactory

from .conftest import Replica, lefs_body, ok

URL = "/api/v1/sync/"
KINDS = ["symptom_logs", "exercise_logs", "care_sessions", "outcome_responses", "messages"]
MODELS = {
    "symptom_logs": SymptomLog,
    "exercise_logs": ExerciseLog,
    "care_sessions": CareSession,
    "outcome_responses": OutcomeResponse,
}


def message_body(link, **overrides) -> dict:
    body = {"care_team_link": str(link.id), "client_id": str(uuid.uuid4()), "body": "Better."}
    body.update(overrides)
    return body


@pytest.fixture
def item(make_plan) -> PlanItem:
    return make_plan().items.first()


@pytest.fixture
def one_of_each(item, linked, instruments) -> dict:
    return {
        "symptom_logs": [symptom_log_body()],
        "exercise_logs": [exercise_log_body(item)],
        "care_sessions": [care_session_body()],
        "outcome_responses": [lefs_body()],
        "messages": [message_body(linked)],
    }


def counts(patient) -> dict[str, int]:
    stored = {kind: model.objects.filter(patient=patient).count() for kind, model in MODELS.items()}
    stored["messages"] = Message.objects.filter(sender=patient).count()
    return stored


def statuses(body: dict) -> dict[str, list[str]]:
    return {kind: [r["status"] for r in body["results"][kind]] for kind in KINDS}


def test_a_push_of_every_kind_stores_each_and_answers_it_as_its_endpoint_serves_it(
    patient, patient_client, one_of_each
):
    body = ok(patient_client.post(URL, one_of_each, format="json"), 200)

    assert statuses(body) == {kind: ["created"] for kind in KINDS}
    assert counts(patient) == {kind: 1 for kind in KINDS}
    log = body["results"]["symptom_logs"][0]["log"]
    assert log == ok(patient_client.get(f"/api/v1/symptom-logs/{log['id']}/"), 200)
    session = body["results"]["care_sessions"][0]["session"]
    assert session == ok(patient_client.get(f"/api/v1/care-sessions/{session['id']}/"), 200)
    assert session["reminder"] is not None  # scheduled as a single start schedules it
    response = body["results"]["outcome_responses"][0]["response"]
    assert response == ok(patient_client.get(f"/api/v1/outcome-responses/{response['id']}/"), 200)
    message = body["results"]["messages"][0]["message"]
    assert message["body"] == "Better."
    assert message["client_id"] == one_of_each["messages"][0]["client_id"]
    assert (
        body["results"]["exercise_logs"][0]["log"]["client_id"]
        == (one_of_each["exercise_logs"][0]["client_id"])
    )
    assert checkpoints.decode(body["checkpoint"], patient_id=patient.id).initial is None


def test_the_same_push_again_is_existing_and_stores_nothing_more(
    patient, patient_client, one_of_each
):
    first = ok(patient_client.post(URL, one_of_each, format="json"), 200)
    reminders = Reminder.objects.filter(user=patient).count()

    again = ok(patient_client.post(URL, one_of_each, format="json"), 200)

    assert statuses(again) == {kind: ["existing"] for kind in KINDS}
    assert counts(patient) == {kind: 1 for kind in KINDS}
    assert Reminder.objects.filter(user=patient).count() == reminders
    for kind in KINDS:
        assert _ids(again, kind) == _ids(first, kind), kind


def _ids(body: dict, kind: str) -> list[str]:
    return [
        next(value["id"] for value in result.values() if isinstance(value, dict))
        for result in body["results"][kind]
    ]


def test_a_client_id_twice_in_one_push_is_stored_once(patient, patient_client, item, linked):
    log, session = exercise_log_body(item), care_session_body()
    message = message_body(linked)
    body = ok(
        patient_client.post(
            URL,
            {
                "exercise_logs": [log, log],
                "care_sessions": [session, session],
                "messages": [message, message],
            },
            format="json",
        ),
        200,
    )

    for kind in ("exercise_logs", "care_sessions", "messages"):
        assert [r["status"] for r in body["results"][kind]] == ["created", "existing"]
        assert [r["index"] for r in body["results"][kind]] == [0, 1]
    assert counts(patient) == {
        "symptom_logs": 0,
        "exercise_logs": 1,
        "care_sessions": 1,
        "outcome_responses": 0,
        "messages": 1,
    }


def test_valid_items_are_stored_when_others_are_refused(
    patient, patient_client, item, linked, instruments, physio
):
    stranger_link = care_link_create(physio=physio, patient=PatientFactory())
    body = ok(
        patient_client.post(
            URL,
            {
                "symptom_logs": [symptom_log_body(pain_score=11), symptom_log_body()],
                "exercise_logs": [
                    exercise_log_body(item, plan_item=str(uuid.uuid4())),
                    exercise_log_body(item),
                    exercise_log_body(item, sets_done=21),
                ],
                "care_sessions": [care_session_body(planned_minutes=90), care_session_body()],
                "outcome_responses": [lefs_body(instrument="nope"), lefs_body()],
                "messages": [
                    message_body(stranger_link),
                    message_body(linked, body="   "),
                    message_body(linked, care_team_link=str(uuid.uuid4())),
                    message_body(linked, extra=1),
                    5,
                    message_body(linked),
                ],
            },
            format="json",
        ),
        200,
    )

    assert statuses(body) == {
        "symptom_logs": ["invalid", "created"],
        "exercise_logs": ["invalid", "created", "invalid"],
        "care_sessions": ["invalid", "created"],
        "outcome_responses": ["invalid", "created"],
        "messages": ["invalid"] * 5 + ["created"],
    }
    errors = {
        (kind, r["index"]): [(e["attr"], e["code"]) for e in r["errors"]]
        for kind in KINDS
        for r in body["results"][kind]
        if r["status"] == "invalid"
    }
    assert errors[("symptom_logs", 0)] == [("pain_score", "max_value")]
    assert errors[("exercise_logs", 0)] == [("plan_item", "does_not_exist")]
    assert errors[("exercise_logs", 2)] == [("sets_done", "max_value")]
    assert errors[("care_sessions", 0)][0][0] == "planned_minutes"
    assert errors[("outcome_responses", 0)][0][0] == "instrument"
    # Another patient's thread is answered as one that does not exist.
    assert errors[("messages", 0)] == [("care_team_link", "does_not_exist")]
    assert errors[("messages", 1)] == [("body", "blank")]
    assert errors[("messages", 2)] == [("care_team_link", "does_not_exist")]
    assert errors[("messages", 3)] == [("extra", "unknown_field")]
    assert errors[("messages", 4)][0][1] == "invalid"
    assert counts(patient) == {kind: 1 for kind in KINDS}
    assert not Message.objects.filter(link=stranger_link).exists()


def test_a_message_to_an_ended_thread_is_refused_and_its_retry_still_answered(
    patient, patient_client, physio, linked
):
    sent = message_body(linked)
    ok(patient_client.post(URL, {"messages": [sent]}, format="json"), 200)
    care_link_end(link=linked, by=physio)

    body = ok(
        patient_client.post(URL, {"messages": [sent, message_body(linked)]}, format="json"), 200
    )

    first, second = body["results"]["messages"]
    assert first["status"] == "existing"  # the retry of a message sent while it was active
    assert second["status"] == "invalid"
    assert [(e["attr"], e["code"]) for e in second["errors"]] == [(None, "thread_ended")]
    assert Message.objects.filter(sender=patient).count() == 1


def test_a_client_id_used_in_another_thread_is_refused(patient, patient_client, linked):
    other_link = care_link_create(physio=PhysioFactory(), patient=patient)
    sent = message_body(linked)
    ok(patient_client.post(URL, {"messages": [sent]}, format="json"), 200)

    body = ok(
        patient_client.post(
            URL, {"messages": [{**sent, "care_team_link": str(other_link.id)}]}, format="json"
        ),
        200,
    )

    [result] = body["results"]["messages"]
    assert result["status"] == "invalid"
    assert [(e["attr"], e["code"]) for e in result["errors"]] == [
        ("client_id", "client_id_used_elsewhere")
    ]
    assert not Message.objects.filter(link=other_link, kind=MessageKind.TEXT).exists()


def test_an_empty_push_answers_every_kind_empty(patient_client):
    body = ok(patient_client.post(URL, {}, format="json"), 200)

    assert body["results"] == {kind: [] for kind in KINDS}
    assert body["checkpoint"]


@pytest.mark.parametrize(
    ("payload", "status", "attr", "code"),
    [
        ([], 400, None, "invalid"),
        ("logs", 400, None, "invalid"),
        ({"symptom_logs": [], "notes": []}, 400, "notes", "unknown_field"),
        ({"symptom_logs": {"client_id": "x"}}, 400, "symptom_logs", "not_a_list"),
        ({"messages": None}, 400, "messages", "not_a_list"),
    ],
)
def test_a_malformed_push_is_refused_whole(
    patient, patient_client, one_of_each, payload, status, attr, code
):
    # A valid item beside the fault: nothing of it may be stored either.
    if isinstance(payload, dict):
        payload = {**{"exercise_logs": one_of_each["exercise_logs"]}, **payload}
    response = patient_client.post(URL, payload, format="json")

    assert response.status_code == status, response.content
    [error] = response.json()["errors"]
    assert (error["attr"], error["code"]) == (attr, code)
    assert counts(patient) == {kind: 0 for kind in KINDS}


def test_more_than_500_items_in_all_is_413_and_stores_nothing(patient, patient_client, item):
    payload = {
        "symptom_logs": [symptom_log_body() for _ in range(250)],
        "exercise_logs": [exercise_log_body(item) for _ in range(251)],
    }

    response = patient_client.post(URL, payload, format="json")

    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_many_items"
    assert counts(patient) == {kind: 0 for kind in KINDS}


def test_500_items_in_all_are_taken(patient, patient_client, item):
    payload = {
        "symptom_logs": [symptom_log_body() for _ in range(250)],
        "exercise_logs": [exercise_log_body(item) for _ in range(250)],
    }

    body = ok(patient_client.post(URL, payload, format="json"), 200)

    assert len(body["results"]["symptom_logs"]) == len(body["results"]["exercise_logs"]) == 250
    assert counts(patient)["exercise_logs"] == 250


def test_only_a_patient_pushes(physio_client, api_client):
    assert physio_client.post(URL, {}, format="json").status_code == 403
    assert api_client.post(URL, {}, format="json").status_code == 401


def test_query_counts_of_a_push(
    patient_client, item, linked, instruments, django_assert_num_queries
):
    """Symptom logs and outcome responses are stored in bulk (their queries do not grow
    with the items); exercise logs, care sessions and messages cost a fixed few per new
    item (one insert each, with its reminder or notification) on top of one read each."""

    def payload(n: int) -> dict:
        return {
            "symptom_logs": [symptom_log_body() for _ in range(n)],
            "exercise_logs": [exercise_log_body(item) for _ in range(n)],
            "care_sessions": [care_session_body() for _ in range(n)],
            "outcome_responses": [lefs_body() for _ in range(n)],
            "messages": [message_body(linked) for _ in range(n)],
        }

    with django_assert_num_queries(QUERIES_FOR_ONE):
        ok(patient_client.post(URL, payload(1), format="json"), 200)
    with django_assert_num_queries(QUERIES_FOR_ONE + PER_MORE_ITEM):
        ok(patient_client.post(URL, payload(2), format="json"), 200)


# One of each kind: the caller, the log head, then each kind's loads, inserts and
# announcements (the care reminder and settings, the message's notification and devices).
QUERIES_FOR_ONE = 51
# One more of each kind: 0 for a symptom log and an outcome response (stored in bulk), 3 for
# an exercise log (a savepointed insert), 11 for a care session (its reminder, as a single
# start schedules it) and 10 for a message (the link's lock, its notification and push).
PER_MORE_ITEM = 24


@pytest.mark.django_db(transaction=True)
def test_a_pull_from_the_push_checkpoint_gives_what_it_stored(patient, patient_client, one_of_each):
    body = ok(patient_client.post(URL, one_of_each, format="json"), 200)

    pulled = Replica(checkpoint=body["checkpoint"]).sync(patient_client)

    for kind in KINDS:
        [result] = body["results"][kind]
        record = next(value for value in result.values() if isinstance(value, dict))
        assert str(record["id"]) in pulled.objects.get(kind, {}), kind


def test_messages_in_a_push_are_held_to_the_senders_message_rate(
    monkeypatch, patient, patient_client, linked
):
    """POST sync/ is not a way round the 30-a-minute message rate: new messages past it are
    refused one by one as `throttled` (nothing stored, the item can be sent again), while
    the push's other items, a red flag among them, are stored; retries cost nothing."""
    from apps.messaging.views import MessagePostThrottle

    monkeypatch.setattr(MessagePostThrottle, "rate", "3/minute")
    first = message_body(linked)
    ok(patient_client.post(URL, {"messages": [first]}, format="json"), 200)
    red_flag = symptom_log_body(pain_score=6, locations=["calf"], redness=True, warmth=True)

    body = ok(
        patient_client.post(
            URL,
            {
                "symptom_logs": [red_flag],
                "messages": [first] + [message_body(linked) for _ in range(4)],
            },
            format="json",
        ),
        200,
    )

    assert statuses(body)["symptom_logs"] == ["created"]
    assert body["results"]["symptom_logs"][0]["log"]["triage"]["level"] == "urgent"
    assert statuses(body)["messages"] == ["existing", "created", "created", "invalid", "invalid"]
    for refused in body["results"]["messages"][3:]:
        assert [(e["attr"], e["code"]) for e in refused["errors"]] == [(None, "throttled")]
    assert Message.objects.filter(sender=patient, kind=MessageKind.TEXT).count() == 3
    # One budget for both ways in: the thread's own endpoint is now refused too.
    refused = patient_client.post(
        f"/api/v1/care-team/{linked.id}/messages/",
        {"client_id": str(uuid.uuid4()), "body": "And another."},
        format="json",
    )
    assert refused.status_code == 429

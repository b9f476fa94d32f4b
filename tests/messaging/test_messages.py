"""Posting and reading a care-team link's thread through the API."""

import logging
import uuid

import pytest
from django.utils import timezone

from apps.accounts.models import CareTeamLink
from apps.accounts.services import care_link_create, care_link_end
from apps.alerts.models import Alert
from apps.messaging.models import Message
from apps.messaging.safety import LOG_ROUTE, PATIENT_NOTICE, RED_FLAG_REPLY
from apps.messaging.services import message_send
from apps.messaging.views import MessagePostThrottle
from apps.notifications.models import Device, Notification, PushDelivery
from apps.notifications.tasks import deliver_push
from tests.conftest import client_for, post_at_once
from tests.messaging.conftest import READ_URL, URL, message_body, send


def stored() -> list[tuple]:
    """Everything a post may write, compared before and after every refused request."""
    return [
        list(Message.objects.order_by("id").values_list("id", "body", "read_at")),
        list(Notification.objects.order_by("id").values_list("id", "user")),
        list(PushDelivery.objects.order_by("id").values_list("id")),
    ]


def errors_of(response) -> list[tuple]:
    return [(e["attr"], e["code"]) for e in response.json()["errors"]]


# --- Posting ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_patient_posts_a_message_to_their_physio(patient_client, patient, link):
    body = message_body("Is it fine to do the stretches twice a day?")

    response = patient_client.post(URL.format(link.id), body, format="json")

    assert response.status_code == 201
    data = response.json()
    message = Message.objects.get()
    assert data == {
        "id": str(message.id),
        "care_team_link": str(link.id),
        "client_id": body["client_id"],
        "kind": "text",
        "sender": str(patient.id),
        "body": "Is it fine to do the stretches twice a day?",
        "created_at": data["created_at"],
        "read_at": None,
        "reply_to": None,
        "action_route": None,
        "auto_reply": None,
        "notice": PATIENT_NOTICE,
    }
    assert message.link == link


@pytest.mark.django_db
def test_a_physio_posts_and_gets_no_patient_notice(physio_client, physio, link):
    response = send(physio_client, link, "Yes, twice a day is fine.")

    assert response.status_code == 201
    assert response.json()["sender"] == str(physio.id)
    assert response.json()["notice"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "  leading and trailing spaces  ",
        "line one\nline two\r\n\ttabbed",
        "emoji 🦵🏽 and accents: très bien, größer",
        "<b>not html</b> & \"quotes\" 'single'",
        "x" * 4000,
        "🦵" * 4000,  # 4000 characters (code points), whatever their UTF-8 length
    ],
)
def test_the_body_is_stored_exactly_as_sent(patient_client, link, text):
    response = send(patient_client, link, text)

    assert response.status_code == 201, response.content
    assert response.json()["body"] == text
    assert Message.objects.get().body == text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "blank"),
        ("   ", "blank"),
        ("\n\t \r\n", "blank"),
        ("x" * 4001, "max_length"),
        ("🦵" * 4001, "max_length"),
        (12345, "invalid"),
        (["a list"], "invalid"),
        ({"text": "an object"}, "invalid"),
        (True, "invalid"),
        (None, "null"),
        ("a NUL \x00 character", "invalid_character"),
    ],
)
def test_a_bad_body_is_a_400_naming_body(patient_client, link, body, code):
    before = stored()

    response = patient_client.post(
        URL.format(link.id), {"client_id": str(uuid.uuid4()), "body": body}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert errors_of(response) == [("body", code)]
    assert stored() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"body": "hello"}, [("client_id", "required")]),
        ({"client_id": "not-a-uuid", "body": "hello"}, [("client_id", "invalid")]),
        ({"client_id": 5, "body": "hello"}, [("client_id", "invalid")]),
        ({"client_id": str(uuid.uuid4())}, [("body", "required")]),
        (
            {"client_id": str(uuid.uuid4()), "body": "hello", "sender": "someone"},
            [("sender", "unknown_field")],
        ),
        (
            {"client_id": str(uuid.uuid4()), "body": "hello", "kind": "system"},
            [("kind", "unknown_field")],
        ),
    ],
)
def test_bad_or_unknown_fields_are_400s(patient_client, link, payload, expected):
    before = stored()

    response = patient_client.post(URL.format(link.id), payload, format="json")

    assert response.status_code == 400
    assert errors_of(response) == expected
    assert stored() == before


@pytest.mark.django_db
def test_a_body_that_is_not_an_object_is_a_400(patient_client, link):
    response = patient_client.post(URL.format(link.id), ["hello"], format="json")

    assert response.status_code == 400
    assert not Message.objects.exists()


# --- Idempotency ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_client_id_again_returns_the_stored_message(
    patient_client, link, django_capture_on_commit_callbacks
):
    body = message_body("First try")
    first = patient_client.post(URL.format(link.id), body, format="json")
    before = stored()

    again = patient_client.post(URL.format(link.id), {**body, "body": "Edited"}, format="json")

    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.json()["body"] == "First try"
    assert stored() == before  # no second message, notification or push


@pytest.mark.django_db
def test_a_client_id_is_per_sender(patient_client, physio_client, link):
    body = message_body("Hello")
    assert patient_client.post(URL.format(link.id), body, format="json").status_code == 201

    response = physio_client.post(URL.format(link.id), body, format="json")

    assert response.status_code == 201
    assert Message.objects.count() == 2


@pytest.mark.django_db
def test_a_client_id_used_in_another_thread_is_a_409(patient, patient_client, link, other_physio):
    other_link = care_link_create(physio=other_physio, patient=patient)
    body = message_body("Hello")
    patient_client.post(URL.format(link.id), body, format="json")
    before = stored()

    response = patient_client.post(URL.format(other_link.id), body, format="json")

    assert response.status_code == 409
    assert errors_of(response) == [(None, "client_id_used_elsewhere")]
    assert stored() == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_racing_copies_store_one_message(patient, physio):
    """Eight copies of one post at the same instant (a phone retrying over a bad network)."""
    link = care_link_create(physio=physio, patient=patient)
    body = message_body("My calf is swollen, should I still do the exercises?")

    responses = post_at_once([(patient, URL.format(link.id), body)] * 8)

    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert Message.objects.filter(kind="text").count() == 1
    assert Message.objects.filter(kind="system").count() == 1  # one automatic reply
    assert len({r.json()["auto_reply"]["id"] for r in responses}) == 1
    assert Notification.objects.filter(kind="message").count() == 1


# --- Reading ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_thread_is_newest_first_with_the_notice(patient_client, physio_client, link):
    for text in ("one", "two"):
        send(patient_client, link, text)
    send(physio_client, link, "three")

    for client, notice in ((patient_client, PATIENT_NOTICE), (physio_client, None)):
        data = client.get(URL.format(link.id)).json()
        assert [m["body"] for m in data["results"]] == ["three", "two", "one"]
        assert data["notice"] == notice
        assert set(data) == {"next", "previous", "results", "notice"}


@pytest.mark.django_db
def test_the_thread_pages_with_a_cursor(patient, patient_client, link):
    now = timezone.now()
    Message.objects.bulk_create(
        Message(
            link=link,
            sender=patient,
            client_id=uuid.uuid4(),
            body=f"message {n}",
            created_at=now - timezone.timedelta(minutes=n),
        )
        for n in range(5)
    )

    first = patient_client.get(URL.format(link.id), {"page_size": 2}).json()
    second = patient_client.get(first["next"]).json()
    third = patient_client.get(second["next"]).json()

    assert [m["body"] for m in first["results"]] == ["message 0", "message 1"]
    assert [m["body"] for m in second["results"]] == ["message 2", "message 3"]
    assert [m["body"] for m in third["results"]] == ["message 4"]
    assert third["next"] is None
    assert all(page["notice"] == PATIENT_NOTICE for page in (first, second, third))


@pytest.mark.django_db
def test_the_thread_costs_the_same_queries_however_long(
    patient, patient_client, link, django_assert_max_num_queries
):
    def fill(count):
        Message.objects.bulk_create(
            Message(link=link, sender=patient, client_id=uuid.uuid4(), body="hi")
            for _ in range(count)
        )

    fill(3)
    with django_assert_max_num_queries(3) as small:
        # the caller (JWT), the link, the page
        patient_client.get(URL.format(link.id))
    fill(40)
    with django_assert_max_num_queries(3) as large:
        patient_client.get(URL.format(link.id))
    assert len(small.captured_queries) == len(large.captured_queries)


# --- Read marks and unread counts -------------------------------------------------------------


def unread_on_care_team(client) -> dict[str, int]:
    return {
        row["id"]: row["unread_count"] for row in client.get("/api/v1/care-team/").json()["results"]
    }


@pytest.mark.django_db
def test_read_marks_the_message_and_older_ones_for_the_reader(patient_client, physio_client, link):
    ids = [send(physio_client, link, f"from physio {n}").json()["id"] for n in range(3)]
    mine = send(patient_client, link, "from patient").json()["id"]
    assert unread_on_care_team(patient_client) == {str(link.id): 3}
    assert unread_on_care_team(physio_client) == {str(link.id): 1}

    response = patient_client.post(READ_URL.format(link.id), {"up_to": ids[1]}, format="json")

    assert response.status_code == 200
    assert response.json() == {"marked": 2, "unread_count": 1, "notice": PATIENT_NOTICE}
    read = dict(Message.objects.values_list("id", "read_at"))
    assert read[uuid.UUID(ids[0])] is not None
    assert read[uuid.UUID(ids[1])] is not None
    assert read[uuid.UUID(ids[2])] is None
    assert read[uuid.UUID(mine)] is None  # the patient's own message is the physio's to read
    assert unread_on_care_team(patient_client) == {str(link.id): 1}
    assert unread_on_care_team(physio_client) == {str(link.id): 1}


@pytest.mark.django_db
def test_marking_read_again_changes_nothing(patient_client, physio_client, link):
    last = send(physio_client, link, "hello").json()["id"]
    patient_client.post(READ_URL.format(link.id), {"up_to": last}, format="json")
    before = stored()

    response = patient_client.post(READ_URL.format(link.id), {"up_to": last}, format="json")

    assert response.json() == {"marked": 0, "unread_count": 0, "notice": PATIENT_NOTICE}
    assert stored() == before


@pytest.mark.django_db
def test_the_physio_marks_the_patients_messages_read(patient_client, physio_client, link):
    last = send(patient_client, link, "hello").json()["id"]

    response = physio_client.post(READ_URL.format(link.id), {"up_to": last}, format="json")

    assert response.json() == {"marked": 1, "unread_count": 0, "notice": None}
    assert unread_on_care_team(physio_client) == {str(link.id): 0}


@pytest.mark.django_db
def test_up_to_must_be_a_message_of_this_thread(
    patient, patient_client, physio_client, link, other_physio
):
    other_link = care_link_create(physio=other_physio, patient=patient)
    elsewhere = send(client_for(other_physio), other_link, "hello").json()["id"]
    send(physio_client, link, "hello")
    before = stored()

    for up_to, code in ((elsewhere, "does_not_exist"), (str(uuid.uuid4()), "does_not_exist")):
        response = patient_client.post(READ_URL.format(link.id), {"up_to": up_to}, format="json")
        assert response.status_code == 400
        assert errors_of(response) == [("up_to", code)]
    for payload, expected in (
        ({}, [("up_to", "required")]),
        ({"up_to": 5}, [("up_to", "invalid")]),
        ({"up_to": elsewhere, "all": True}, [("all", "unknown_field")]),
    ):
        response = patient_client.post(READ_URL.format(link.id), payload, format="json")
        assert errors_of(response) == expected
    assert stored() == before


@pytest.mark.django_db
def test_unread_counts_on_care_team_cost_one_query_for_the_page(
    physio, physio_client, django_assert_num_queries
):
    from tests.accounts.factories import PatientFactory

    def link_with_messages(n):
        patient = PatientFactory()
        link = care_link_create(physio=physio, patient=patient)
        for _ in range(2):
            message_send(link=link, sender=patient, client_id=uuid.uuid4(), body="hi")
        return link

    link_with_messages(0)
    # The caller (JWT), the count for the pagination, the page with its unread counts.
    with django_assert_num_queries(3):
        small = physio_client.get("/api/v1/care-team/").json()
    for n in range(1, 6):
        link_with_messages(n)
    with django_assert_num_queries(3):
        large = physio_client.get("/api/v1/care-team/").json()
    assert [row["unread_count"] for row in small["results"]] == [2]
    assert [row["unread_count"] for row in large["results"]] == [2] * 6


@pytest.mark.django_db
def test_care_team_items_gain_only_unread_count(physio_client, physio, patient, link):
    [item] = physio_client.get("/api/v1/care-team/").json()["results"]

    assert item == {
        "id": str(link.id),
        "physio": {"id": str(physio.id), "email": physio.email, "display_name": physio.email},
        "patient": {"id": str(patient.id), "email": patient.email, "display_name": patient.email},
        "created_at": item["created_at"],
        "unread_count": 0,
    }


# --- Ended links ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_after_the_link_ends_the_patient_reads_but_nobody_posts(
    patient, patient_client, physio_client, link
):
    send(physio_client, link, "See you next week")
    sent = send(patient_client, link, "Thanks!").json()
    care_link_end(link=link, by=patient)
    before = stored()

    listed = patient_client.get(URL.format(link.id))
    assert listed.status_code == 200
    assert [m["body"] for m in listed.json()["results"]] == ["Thanks!", "See you next week"]
    assert listed.json()["notice"] == PATIENT_NOTICE

    refused = send(patient_client, link, "One more thing")
    assert refused.status_code == 409
    assert errors_of(refused) == [(None, "thread_ended")]
    assert "emergency number" in refused.json()["errors"][0]["detail"]  # where help is
    # A retry of a message sent while the link was active is that message, not a new one.
    retry = patient_client.post(
        URL.format(link.id), {"client_id": sent["client_id"], "body": "Thanks!"}, format="json"
    )
    assert retry.status_code == 200
    assert retry.json()["id"] == sent["id"]
    assert stored() == before

    # The physio reaches nothing of it.
    assert physio_client.get(URL.format(link.id)).status_code == 404
    assert send(physio_client, link, "Anything?").status_code == 404
    up_to = {"up_to": sent["id"]}
    assert physio_client.post(READ_URL.format(link.id), up_to, format="json").status_code == 404
    assert stored() == before


@pytest.mark.django_db
def test_the_patient_marks_an_ended_thread_read(patient, patient_client, physio_client, link):
    last = send(physio_client, link, "Goodbye").json()["id"]
    care_link_end(link=link, by=patient)

    response = patient_client.post(READ_URL.format(link.id), {"up_to": last}, format="json")

    assert response.json()["marked"] == 1


@pytest.mark.django_db
def test_the_patient_lists_ended_links_to_find_old_threads(
    patient, patient_client, physio_client, link, physio
):
    send(physio_client, link, "Goodbye")
    care_link_end(link=link, by=patient)
    new_link = care_link_create(physio=physio, patient=patient)

    active = patient_client.get("/api/v1/care-team/").json()["results"]
    ended = patient_client.get("/api/v1/care-team/", {"status": "ended"}).json()["results"]

    assert [(row["id"], row["unread_count"]) for row in active] == [(str(new_link.id), 0)]
    assert [(row["id"], row["unread_count"]) for row in ended] == [(str(link.id), 1)]
    # A physio reaches no ended thread.
    assert physio_client.get("/api/v1/care-team/", {"status": "ended"}).json()["results"] == []
    bad = patient_client.get("/api/v1/care-team/", {"status": "all"})
    assert bad.status_code == 400
    assert errors_of(bad) == [("status", "invalid_choice")]


@pytest.mark.django_db
def test_a_link_that_ends_while_a_post_waits_takes_no_message(patient, link):
    # What the view hands the service is read before the lock; the service re-checks.
    stale = CareTeamLink.objects.get(pk=link.pk)
    care_link_end(link=link, by=patient)

    with pytest.raises(Exception, match="ended") as raised:
        message_send(link=stale, sender=patient, client_id=uuid.uuid4(), body="hello")

    assert raised.value.code == "thread_ended"
    assert not Message.objects.exists()


# --- Safety -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_red_flag_mention_gets_an_automatic_reply_and_raises_nothing(
    patient, patient_client, physio, link
):
    response = send(patient_client, link, "My calf has gone red and swollen since yesterday")

    assert response.status_code == 201
    data = response.json()
    reply = data["auto_reply"]
    assert reply == {
        "id": reply["id"],
        "care_team_link": str(link.id),
        "client_id": None,
        "kind": "system",
        "sender": None,
        "body": RED_FLAG_REPLY,
        "created_at": reply["created_at"],
        "read_at": reply["read_at"],
        "reply_to": data["id"],
        "action_route": LOG_ROUTE,
    }
    assert reply["created_at"] > data["created_at"]
    assert reply["read_at"] is not None  # delivered in this answer: nothing left to read
    # In the thread, just after the message it answers, for both sides.
    thread = patient_client.get(URL.format(link.id)).json()["results"]
    assert [(m["kind"], m["sender"]) for m in thread] == [
        ("system", None),
        ("text", str(patient.id)),
    ]
    # It raises nothing: no alert; the physio is told of the message only, and the
    # patient is not notified of a reply they already have (nor does it count as unread).
    assert not Alert.objects.exists()
    assert list(Notification.objects.values_list("user", "kind")) == [(physio.id, "message")]
    assert unread_on_care_team(patient_client) == {str(link.id): 0}


@pytest.mark.django_db
def test_a_retry_of_a_red_flag_message_returns_the_same_reply(patient_client, link):
    body = message_body("I have a fever")
    first = patient_client.post(URL.format(link.id), body, format="json").json()

    again = patient_client.post(URL.format(link.id), body, format="json")

    assert again.status_code == 200
    assert again.json()["auto_reply"] == first["auto_reply"]
    assert Message.objects.filter(kind="system").count() == 1


@pytest.mark.django_db
def test_a_physio_mentioning_a_sign_gets_no_automatic_reply(physio_client, link):
    response = send(physio_client, link, "If your calf gets red or swollen, log it at once.")

    assert response.json()["auto_reply"] is None
    assert not Message.objects.filter(kind="system").exists()


@pytest.mark.django_db
def test_no_message_text_reaches_a_log_line(
    patient, physio, patient_client, physio_client, link, caplog, django_capture_on_commit_callbacks
):
    for user in (patient, physio):
        Device.objects.create(
            user=user, platform="android", token=f"token-{user.pk}", token_hash=f"{user.pk}"
        )
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        send(patient_client, link, "Secretword: my calf is swollen and red")
        send(physio_client, link, "Otherword: please log it")
        send(patient_client, link, "Toolongword " * 400)  # a 400 (django.request logs it)
        patient_client.get(URL.format(link.id))
        for delivery_id in PushDelivery.objects.values_list("id", flat=True):
            assert deliver_push.run(str(delivery_id)) == "sent"  # the console backend logs

    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {record.__dict__!r}" for record in caplog.records
    )
    assert "push (console backend)" in logged  # the check below has lines to look at
    assert "Bad Request" in logged
    for word in ("Secretword", "Otherword", "Toolongword", "swollen"):
        assert word not in logged


# --- Throttling -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_posting_is_throttled_per_user(monkeypatch, patient, patient_client, physio_client, link):
    assert MessagePostThrottle.rate == "30/minute"
    monkeypatch.setattr(MessagePostThrottle, "rate", "3/minute")
    for n in range(3):
        assert send(patient_client, link, f"message {n}").status_code == 201
    before = stored()

    throttled = send(patient_client, link, "one too many")

    assert throttled.status_code == 429
    assert throttled.json()["type"] == "client_error"
    assert errors_of(throttled) == [(None, "throttled")]
    assert int(throttled["Retry-After"]) > 0
    assert stored() == before
    # Reading is not throttled, and the other side is counted apart.
    assert patient_client.get(URL.format(link.id)).status_code == 200
    assert send(physio_client, link, "reply").status_code == 201


@pytest.mark.django_db
def test_retries_of_a_stored_client_id_are_not_counted_by_the_throttle(
    monkeypatch, patient, patient_client, link
):
    monkeypatch.setattr(MessagePostThrottle, "rate", "3/minute")
    first = message_body("the one I keep sending")
    assert patient_client.post(URL.format(link.id), first, format="json").status_code == 201
    for n in range(2):
        assert send(patient_client, link, f"message {n}").status_code == 201
    assert send(patient_client, link, "one too many").status_code == 429
    before = stored()

    retries = [patient_client.post(URL.format(link.id), first, format="json") for _ in range(5)]

    assert [retry.status_code for retry in retries] == [200] * 5
    assert {retry.json()["body"] for retry in retries} == {"the one I keep sending"}
    assert stored() == before
    # New messages are still refused: the retries did not refill the budget.
    assert send(patient_client, link, "still too many").status_code == 429


@pytest.mark.django_db
def test_retries_before_the_limit_leave_the_budget_for_new_messages(
    monkeypatch, patient, patient_client, link
):
    monkeypatch.setattr(MessagePostThrottle, "rate", "3/minute")
    first = message_body("sent once, retried often")
    assert patient_client.post(URL.format(link.id), first, format="json").status_code == 201
    for _ in range(4):
        assert patient_client.post(URL.format(link.id), first, format="json").status_code == 200

    assert send(patient_client, link, "second").status_code == 201
    assert send(patient_client, link, "third").status_code == 201
    assert send(patient_client, link, "fourth").status_code == 429


@pytest.mark.django_db
def test_a_client_id_stored_by_someone_else_is_counted(
    monkeypatch, patient, physio_client, patient_client, link
):
    """Only the sender's own stored messages make a retry: another user's client_id is new."""
    monkeypatch.setattr(MessagePostThrottle, "rate", "1/minute")
    taken = message_body("the patient's")
    assert patient_client.post(URL.format(link.id), taken, format="json").status_code == 201
    assert physio_client.post(URL.format(link.id), taken, format="json").status_code == 201

    assert physio_client.post(URL.format(link.id), message_body(), format="json").status_code == 429

"""A phone on a bad connection: every third answer is lost on the way back, so the phone
sends that request again. Between its pushes and pulls the physiotherapist edits the plan
and writes messages. In the end the phone holds exactly what the server holds: nothing
missed, nothing doubled. Runs on SQLite and in the PostgreSQL suite."""

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from apps.care.models import CareSession
from apps.messaging.models import Message
from apps.plans.models import ExerciseLog, PlanItem
from apps.symptoms.models import SymptomLog
from tests.bodies import care_session_body, exercise_log_body, symptom_log_body

from .conftest import Replica, ok, settle

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 6


@dataclass
class FlakyTransport:
    """Sends each request to the server for real; every third answer never arrives, and
    the phone sends the same request again until one does."""

    client: Any
    sent: int = 0
    lost: int = 0

    def call(self, method: str, url: str, body: Any = None) -> dict:
        while True:
            self.sent += 1
            if method == "get":
                settle()
                response = self.client.get(url)
            else:
                response = self.client.post(url, body, format="json")
            if self.sent % 3 == 0:
                self.lost += 1
                continue  # the server did it; the phone never heard
            return ok(response, 200)


@dataclass
class Phone:
    """An offline-first app: its copy of the server (a Replica) and its outbox."""

    transport: FlakyTransport
    link_id: str
    item: PlanItem
    replica: Replica = field(default_factory=Replica)
    outbox: dict[str, list[dict]] = field(default_factory=dict)
    written: Counter = field(default_factory=Counter)

    def write_offline(self, n: int) -> None:
        self.outbox.setdefault("symptom_logs", []).append(symptom_log_body(pain_score=n % 8))
        self.outbox.setdefault("exercise_logs", []).append(exercise_log_body(self.item))
        self.outbox.setdefault("care_sessions", []).append(care_session_body())
        self.outbox.setdefault("messages", []).append(
            {"care_team_link": self.link_id, "client_id": str(uuid.uuid4()), "body": f"Day {n}"}
        )
        for kind in ("symptom_logs", "exercise_logs", "care_sessions", "messages"):
            self.written[kind] += 1

    def push(self) -> None:
        body = self.transport.call("post", "/api/v1/sync/", self.outbox)
        for kind, results in body["results"].items():
            assert len(results) == len(self.outbox.get(kind, []))
            # A replay is answered `existing`, never refused or stored again.
            assert {r["status"] for r in results} <= {"created", "existing"}, results
        self.outbox = {}

    def pull(self) -> None:
        while True:
            checkpoint = self.replica.checkpoint
            url = "/api/v1/sync/" + (f"?checkpoint={checkpoint}" if checkpoint else "")
            body = self.transport.call("get", url)
            self.replica.apply(body)
            if not body["has_more"]:
                return


def test_a_phone_that_loses_every_third_answer_ends_with_the_servers_state(
    patient, physio, patient_client, physio_client, seeder, monkeypatch
):
    from apps.sync import pull as pull_module

    monkeypatch.setattr(pull_module, "PAGE_SIZE", 7)  # many pages, so answers get lost mid-walk
    seeder.round()
    item = PlanItem.objects.get(pk=seeder.plan["items"][0]["id"])
    transport = FlakyTransport(patient_client)
    phone = Phone(transport, str(seeder.link.id), item)

    phone.pull()
    for n in range(ROUNDS):
        phone.write_offline(n)
        ok(
            physio_client.post(
                f"/api/v1/care-team/{seeder.link.id}/messages/",
                {"client_id": str(uuid.uuid4()), "body": f"Round {n}: how is it?"},
                format="json",
            ),
            201,
        )
        if n % 2:
            phone.pull()  # a pull between the phone's writing and its push
        ok(
            physio_client.patch(
                f"/api/v1/plans/{seeder.plan['id']}/", {"title": f"Week {n}"}, format="json"
            ),
            200,
        )
        phone.push()
        phone.pull()
    phone.pull()

    assert transport.lost >= ROUNDS  # answers were lost, pushes and pulls alike
    server = Replica().sync(patient_client)
    assert phone.replica.objects == server.objects
    assert phone.replica.objects["plans"][seeder.plan["id"]]["title"] == f"Week {ROUNDS - 1}"
    # Nothing doubled by the replays: each record the phone wrote is stored once.
    assert SymptomLog.objects.filter(patient=patient).count() == seeder.rounds + ROUNDS
    assert ExerciseLog.objects.filter(patient=patient).count() == seeder.rounds + ROUNDS
    assert CareSession.objects.filter(patient=patient).count() == seeder.rounds + ROUNDS
    assert Message.objects.filter(sender=patient).count() == ROUNDS
    assert Message.objects.filter(sender=physio).count() == seeder.rounds + ROUNDS
    mine = [m for m in phone.replica.objects["messages"].values() if m["sender"] == str(patient.id)]
    assert sorted(m["body"] for m in mine) == sorted(f"Day {n}" for n in range(ROUNDS))

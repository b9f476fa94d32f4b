"""Fixtures for offline sync: a patient with one record of every type, made as the phone
and the physio's client make them (through the API), and a client that pulls."""

import datetime as dt
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from apps.outcomes.services import instruments_load
from apps.plans.models import PlanItem
from tests.bodies import care_session_body, exercise_log_body, plan_body, symptom_log_body

LEFS = [{"item": str(n), "value": 3} for n in range(1, 21)]


@pytest.fixture(autouse=True)
def _postgres_only(request):
    from django.db import connection

    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture
def instruments(db):
    return instruments_load()


def lefs_body(**overrides) -> dict:
    body = {
        "client_id": str(uuid.uuid4()),
        "instrument": "lefs",
        "answers": LEFS,
        "completed_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat(),
    }
    body.update(overrides)
    return body


def ok(response, status: int = 201) -> dict:
    assert response.status_code == status, response.content
    return response.json()


@dataclass
class Seeder:
    """Makes records of every type for `patient` as the apps do, through the API."""

    patient: Any
    physio: Any
    link: Any
    make_client: Any
    plan: dict = field(default_factory=dict)
    rounds: int = 0

    def round(self) -> "Seeder":
        """The first round makes one record of every type: a plan (with its episode and
        reminders), an outcome schedule, a red-flag log (an alert), a message from the
        physio (an inbox notification), a care session, an exercise log, a LEFS response.
        Later rounds change the plan and add one more of the rest."""
        patient_api, physio_api = self.make_client(self.patient), self.make_client(self.physio)
        if not self.plan:
            self.plan = ok(
                physio_api.post("/api/v1/plans/", plan_body(self.patient), format="json")
            )
            ok(
                physio_api.post(
                    f"/api/v1/patients/{self.patient.id}/outcome-schedules/",
                    {
                        "instrument": "lefs",
                        "every_days": 7,
                        "starts_on": str(timezone.now().date()),
                    },
                    format="json",
                )
            )
        else:
            self.plan = ok(
                physio_api.patch(
                    f"/api/v1/plans/{self.plan['id']}/",
                    {"title": f"Round {self.rounds}"},
                    format="json",
                ),
                200,
            )
        ok(
            patient_api.patch(
                "/api/v1/me/", {"affected_side": ["left", "right"][self.rounds % 2]}, format="json"
            ),
            200,
        )
        ok(
            patient_api.post(
                "/api/v1/symptom-logs/",
                symptom_log_body(locations=["calf"], pain_score=6, redness=True, warmth=True),
                format="json",
            )
        )
        ok(
            physio_api.post(
                f"/api/v1/care-team/{self.link.id}/messages/",
                {"client_id": str(uuid.uuid4()), "body": "How are the stairs today?"},
                format="json",
            )
        )
        ok(patient_api.post("/api/v1/care-sessions/", care_session_body(), format="json"))
        item = PlanItem.objects.get(pk=self.plan["items"][0]["id"])
        ok(patient_api.post("/api/v1/exercise-logs/", exercise_log_body(item), format="json"))
        ok(patient_api.post("/api/v1/outcome-responses/", lefs_body(), format="json"))
        self.rounds += 1
        return self


@pytest.fixture
def seeder(patient, physio, linked, exercise, other_exercise, instruments, make_client):
    return Seeder(patient, physio, linked, make_client)


@pytest.fixture
def seeded(seeder):
    return seeder.round()


def settle(timeout: float = 60.0) -> None:
    """On PostgreSQL, wait until every transaction that wrote to the change log has ended.

    A pull reads the log only below the oldest transaction still running anywhere on the
    server (transaction ids are cluster-wide): another database's test may hold one open
    for a moment, which delays what a pull sees (never loses it). Tests that expect a
    change at once wait for that first. A no-op on SQLite."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint "
                "> COALESCE((SELECT MAX(xid) FROM sync_change), 0)"
            )
            if cursor.fetchone()[0] or time.monotonic() > deadline:
                return
            time.sleep(0.05)


def pull(client, checkpoint: str | None = None):
    settle()
    url = "/api/v1/sync/" + (f"?checkpoint={checkpoint}" if checkpoint else "")
    return client.get(url)


@dataclass
class Replica:
    """What an app holds: objects by type and id, and its checkpoint."""

    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    checkpoint: str | None = None
    pages: int = 0

    def apply(self, body: dict) -> None:
        for kind, rows in body["changes"].items():
            for row in rows:
                self.objects.setdefault(kind, {})[str(row["id"])] = row
        for gone in body["deleted"]:
            self.objects.get(gone["type"], {}).pop(str(gone["id"]), None)
        self.checkpoint = body["checkpoint"]
        self.pages += 1

    def sync(self, client) -> "Replica":
        while True:
            body = ok(pull(client, self.checkpoint), 200)
            self.apply(body)
            if not body["has_more"]:
                return self

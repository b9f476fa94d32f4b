"""The bulk endpoints answer byte for byte as recorded: `symptom-logs/bulk/` and
`outcome-responses/bulk/` (and the single posts that share their services), for a fixed
set of inputs under a frozen clock with fixed ids.

The recorded answers (tests/api/recorded/*.txt) were taken from the code before the bulk
pipeline was rebuilt (backend/bulk.py); a refactor must leave every byte as it was. Cases:
created, existing (stored before, and a copy later in the same batch), invalid of several
kinds (shape, range, unknown field, not an object, time, answers of each problem), too
many items, not a list, wrapped lists, red flags (urgent, emergency) and a worsened
questionnaire.

To record again after an intended change of the answers:
    RECORD_ANSWERS=1 .venv/bin/python -m pytest tests/api/test_bulk_recorded_answers.py
and say in the commit why the answers changed.
"""

import os
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from apps.accounts.services import care_link_create
from apps.outcomes.services import instruments_load, outcome_schedule_create
from tests.clock import FROZEN_NOW
from tests.conftest import client_for
from tests.factories import DeviceFactory, PatientFactory, PhysioFactory

RECORDED = Path(__file__).parent / "recorded"
RECORD = os.environ.get("RECORD_ANSWERS") == "1"
LOGS = "/api/v1/symptom-logs/"
LOGS_BULK = "/api/v1/symptom-logs/bulk/"
RESPONSES = "/api/v1/outcome-responses/"
RESPONSES_BULK = "/api/v1/outcome-responses/bulk/"


def fixed_id(n: int) -> str:
    """A client_id the phone chose (distinct from the ids the server makes)."""
    return str(uuid.UUID(int=(0xC1 << 120) + n))


def ago(**delta: float) -> str:
    return (FROZEN_NOW - timedelta(**delta)).isoformat()


@pytest.fixture
def fixed_ids(monkeypatch) -> None:
    """Every UUID primary key made during the test comes from one counter, in the order
    rows are made: the same code path gives the same ids."""
    counter = iter(range(1, 1_000_000))

    def next_id() -> uuid.UUID:
        return uuid.UUID(int=(0x5E << 120) + next(counter))

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.default is uuid.uuid4:
                monkeypatch.setattr(field, "default", next_id)
                # Field caches the default's callable on first use.
                monkeypatch.setattr(field, "_get_default", next_id, raising=False)


@pytest.fixture
def still(time_machine) -> None:
    """The clock stopped at FROZEN_NOW: created_at and every "now" are the same each run."""
    time_machine.move_to(FROZEN_NOW, tick=False)


@pytest.fixture
def people(db, still, fixed_ids) -> dict[str, Any]:
    patient = PatientFactory(email="recorded-patient@example.org")
    physio = PhysioFactory(email="recorded-physio@example.org")
    care_link_create(physio=physio, patient=patient)
    DeviceFactory(user=physio, token="recorded-physio-phone")
    return {"patient": patient, "physio": physio}


def log(n: int, **fields: Any) -> dict[str, Any]:
    body = {
        "client_id": fixed_id(n),
        "recorded_at": ago(hours=n + 1),
        "pain_score": 4,
        "side": "left",
        "locations": ["front_of_knee"],
        "qualities": ["aching"],
        "swelling": "none",
        "triggers": ["stairs"],
        "note": "Sore after the stairs.",
    }
    body.update(fields)
    return body


def symptom_batch() -> list[Any]:
    without_client_id = log(17)
    del without_client_id["client_id"]
    return [
        log(1),  # created
        log(100),  # stored before by a single post: existing
        log(2, pain_score=12),  # out of range
        log(3, mood="grumpy"),  # unknown field
        "not an object",
        None,
        log(4, recorded_at="2026-11-18T10:00:00"),  # no offset
        log(5, locations=["calf", "calf"]),  # a value twice
        log(6, pain_score=5, locations=[]),  # pain needs a place
        log(7, locations=["calf"], redness=True, warmth=True, pain_score=6),  # urgent
        log(8, saddle_numbness=True, bladder_bowel_change=True, pain_score=7),  # emergency
        log(1, pain_score=9),  # a copy of item 0 in the same batch
        log(7, pain_score=2),  # a copy of the urgent one
        log(9, recorded_at=ago(days=800)),  # older than two years
        log(10, recorded_at=(FROZEN_NOW + timedelta(hours=2)).isoformat()),  # future
        log(11, pain_score="4"),  # a string for an integer
        without_client_id,
        # Swelling that grows within 48 hours at the back of the knee, sent newest first.
        log(12, recorded_at=ago(hours=6), swelling="significant", locations=["back_of_knee"]),
        log(13, recorded_at=ago(hours=30), swelling="none", locations=["back_of_knee"]),
        # The pattern of pain referred from the back (the hint), over the days before.
        *[
            log(
                20 + n,
                recorded_at=ago(days=5 - n, hours=3),
                locations=["front_of_knee", "inner_knee"],
                qualities=["dull", "aching"],
                triggers=["bending_back"],
                numbness_tingling=True,
                pain_score=3 + n,
            )
            for n in range(4)
        ],
        log(14, side="", qualities=[], triggers=[], note="", pain_score=0, locations=[]),
        # Two copies of one log at different times: the earlier-recorded copy is stored.
        log(15, recorded_at=ago(hours=3), pain_score=2),
        log(15, recorded_at=ago(hours=9), pain_score=8, locations=["calf"], redness=True),
    ]


Request = tuple[str, str, Any]  # (name, url, body)


def symptoms_mixed(people: dict[str, Any]) -> list[Request]:
    return [
        ("single post, created", LOGS, log(100)),
        ("single post, invalid", LOGS, log(101, pain_score=-1)),
        ("bulk, mixed", LOGS_BULK, symptom_batch()),
        ("bulk, the same batch again", LOGS_BULK, symptom_batch()),
        ("single post of a bulk item: existing", LOGS, log(7, pain_score=1)),
    ]


def symptoms_limits(people: dict[str, Any]) -> list[Request]:
    return [
        ("501 items", LOGS_BULK, [log(1000 + n) for n in range(501)]),
        ("an object", LOGS_BULK, {"pain_score": 3}),
        ("a string", LOGS_BULK, "logs"),
        ("a number", LOGS_BULK, 12),
        ("logs is not a list", LOGS_BULK, {"logs": "x"}),
        ("an object and more", LOGS_BULK, {"logs": [log(1)], "more": 1}),
        ("wrapped 501", LOGS_BULK, {"logs": [log(2000 + n) for n in range(501)]}),
        ("wrapped", LOGS_BULK, {"logs": [log(1), log(2, pain_score=11)]}),
        ("empty", LOGS_BULK, []),
        (
            "exactly 500",
            LOGS_BULK,
            [log(3000 + n, recorded_at=ago(minutes=n + 1)) for n in range(500)],
        ),
    ]


LEFS_ITEMS = [str(n) for n in range(1, 21)]


def lefs(values: int | list[int]) -> list[dict[str, Any]]:
    if isinstance(values, int):
        values = [values] * 20
    return [{"item": item, "value": value} for item, value in zip(LEFS_ITEMS, values, strict=True)]


def psfs(*rated: tuple[str, int]) -> list[dict[str, Any]]:
    return [
        {"item": str(n), "value": value, "label": label}
        for n, (label, value) in enumerate(rated, start=1)
    ]


def answer(n: int, instrument: str, answers: Any, **fields: Any) -> dict[str, Any]:
    body = {
        "client_id": fixed_id(n),
        "instrument": instrument,
        "answers": answers,
        "completed_at": ago(hours=1 + n % 40),
    }
    body.update(fields)
    return body


def outcome_batch() -> list[Any]:
    return [
        answer(1, "lefs", lefs(2), completed_at=ago(days=9)),  # the schedule's baseline
        answer(2, "lefs", lefs(3), completed_at=ago(days=5)),  # improved
        answer(3, "lefs", lefs(1), completed_at=ago(days=1)),  # worsened: an alert
        answer(4, "koos", lefs(2)),  # not an instrument in use
        answer(5, "lefs", lefs(2), version="0.9"),  # not the version in use
        answer(6, "lefs", lefs(2)[:19]),  # a missing item
        answer(7, "lefs", [*lefs(2)[:19], {"item": "20", "value": 9}]),  # out of range
        answer(8, "lefs", [*lefs(2), {"item": "3", "value": 1}]),  # an item twice
        answer(9, "lefs", [{"item": "1", "value": "4"}]),  # a string for an integer
        answer(10, "lefs", lefs(2), mood="fine"),  # unknown field
        answer(11, "psfs", psfs(("stairs", 3), ("running", 2)), completed_at=ago(days=8)),
        answer(12, "psfs", psfs(("stairs", 6), ("cycling", 6)), completed_at=ago(days=2)),
        answer(13, "psfs", [*psfs(("stairs", 6), ("running", 6)), {"item": "3", "value": 4}]),
        answer(14, "psfs", psfs(("stairs", 7), ("running", 8)), completed_at=ago(days=1)),
        answer(15, "pain_week", [{"item": "average", "value": 6}, {"item": "worst", "value": 8}]),
        answer(1, "lefs", lefs(4)),  # a copy of item 0: existing
        answer(6, "lefs", lefs(2)[:19]),  # a copy of a refused item: the same errors
        answer(100, "lefs", lefs(2)),  # stored before by a single post: existing
        answer(16, "lefs", lefs(2), completed_at=(FROZEN_NOW + timedelta(hours=1)).isoformat()),
        answer(17, "lefs", [{**a, "label": "walking"} for a in lefs(2)]),  # labels on LEFS
        "not an object",
        answer(18, "psfs", []),  # no activity
        answer(19, "pain_week", [{"item": "average", "value": 11}, {"item": "worst", "value": 1}]),
        # Two copies of one response at different times: the first sent is stored.
        answer(20, "pain_week", [{"item": "average", "value": 2}, {"item": "worst", "value": 3}]),
        answer(
            20,
            "pain_week",
            [{"item": "average", "value": 9}, {"item": "worst", "value": 9}],
            completed_at=ago(days=6),
        ),
        # A bad first copy and a good second: the second is refused with the first's errors.
        answer(21, "lefs", lefs(2)[:10]),
        answer(21, "lefs", lefs(2)),
    ]


def outcomes_mixed(people: dict[str, Any]) -> list[Request]:
    outcome_schedule_create(
        physio=people["physio"],
        patient=people["patient"],
        instrument="lefs",
        every_days=7,
        starts_on=FROZEN_NOW.date(),
    )
    return [
        (
            "single post, created",
            RESPONSES,
            answer(100, "lefs", lefs(2), completed_at=ago(days=9.5)),
        ),
        ("single post, invalid answers", RESPONSES, answer(101, "lefs", lefs(2)[:3])),
        ("single post, unknown instrument", RESPONSES, answer(102, "koos", lefs(2))),
        ("bulk, mixed", RESPONSES_BULK, outcome_batch()),
        ("bulk, the same batch again", RESPONSES_BULK, outcome_batch()),
        ("single post of a bulk item: existing", RESPONSES, answer(3, "lefs", lefs(0))),
    ]


def outcomes_limits(people: dict[str, Any]) -> list[Request]:
    return [
        ("501 items", RESPONSES_BULK, [answer(1000 + n, "lefs", lefs(2)) for n in range(501)]),
        ("an object", RESPONSES_BULK, {"client_id": "x"}),
        ("a string", RESPONSES_BULK, "responses"),
        ("responses is not a list", RESPONSES_BULK, {"responses": 3}),
        ("wrapped", RESPONSES_BULK, {"responses": [answer(1, "lefs", lefs(2))]}),
        (
            "wrapped 501",
            RESPONSES_BULK,
            {"responses": [answer(2000 + n, "lefs", lefs(2)) for n in range(501)]},
        ),
        ("empty", RESPONSES_BULK, []),
    ]


SCENARIOS: dict[str, Callable[[dict[str, Any]], list[Request]]] = {
    "symptoms_mixed": symptoms_mixed,
    "symptoms_limits": symptoms_limits,
    "outcomes_mixed": outcomes_mixed,
    "outcomes_limits": outcomes_limits,
}


@pytest.mark.django_db
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_bulk_answers_are_byte_for_byte_as_recorded(scenario, people):
    instruments_load()
    requests = SCENARIOS[scenario](people)
    client = client_for(people["patient"])
    recorded = bytearray()
    for name, url, body in requests:
        response = client.post(url, body, format="json")
        recorded += f"### {name}: {response.status_code} {response['Content-Type']}\n".encode()
        recorded += response.content + b"\n"
    path = RECORDED / f"{scenario}.txt"
    if RECORD:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(bytes(recorded))
    assert bytes(recorded) == path.read_bytes()

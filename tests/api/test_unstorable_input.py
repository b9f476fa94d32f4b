"""Bytes no database can store, strings longer than any field, far dates, huge numbers and
lenient date forms, sent in every string field of every write endpoint, every query
parameter and every path parameter of the served OpenAPI schema (so a new endpoint is
covered without touching this file): never a 5xx, never a 2xx, and nothing stored.

A NUL byte or a lone surrogate is refused at the boundary, before any field sees it
(`backend/parsers.py` for bodies, `backend.rest.refuse_unstorable_input` for the path,
query and form fields): 400 `invalid_character` naming where it was. The whole module runs
on SQLite and again on PostgreSQL in CI, where such bytes used to be 500s.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.services import care_invite_create, care_link_create
from apps.clinics.models import StaffRole
from apps.outcomes.services import instruments_load
from backend.errors import CommonError
from tests.conftest import client_for
from tests.factories import (
    AlertFactory,
    CareSessionFactory,
    ConditionFactory,
    DeviceFactory,
    EditorFactory,
    ExerciseFactory,
    ExerciseMediaFactory,
    MessageFactory,
    NotificationFactory,
    OutcomeResponseFactory,
    OutcomeScheduleFactory,
    PatientFactory,
    PhysioFactory,
    PlanTemplateFactory,
    ProtocolFactory,
    SymptomLogFactory,
)
from tests.factories.clinics import StaffInviteFactory, the_test_clinic
from tests.factories.episodes import GoalFactory, episode_of

NUL = "nul\x00byte"
SURROGATE = "lone\ud800surrogate"
OVERLONG = "x" * 100_001  # longer than any text field of the API
UNSTORABLE = {"nul": NUL, "surrogate": SURROGATE}
# What a client can put in a URL: %00 and the bytes of an encoded surrogate (CESU-8),
# which Django decodes to U+FFFD.
URL_VALUES = {"nul": "%00", "surrogate": "%ED%A0%80", "overlong": "x" * 5_000}
FAR_DATES = ["9999-12-31", "0001-01-01", "1000-01-01"]
LENIENT_DATES = ["20261201", "2026-W48-2", "2026-12-1", " 2026-12-01", "2026-12-01T00:00"]
FAR_TIMES = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"]
LENIENT_TIMES = ["20261201T083000Z", "2026-12-01 08:30:00Z", "2026-12-01T08:30Z junk"]
HUGE_NUMBERS = [2**63, -(2**63) - 1, 10**30, 2**31]
CALLERS = ("patient", "physio", "editor", "anonymous")
METHODS = ("post", "put", "patch", "delete")
SLUG = "fuzz-calf"


# --- The world every request is aimed at: one of each object, all reachable ------------------


@dataclass
class World:
    clients: dict[str, APIClient]
    path_values: dict[str, str]
    body_values: dict[str, Any]
    shut_out: dict[str, set[str]] = field(default_factory=dict)


@pytest.fixture
def world(db) -> World:
    patient = PatientFactory(email="fuzz-patient@example.org")
    # The clinic's admin too, so the staff endpoints get as far as reading their bodies.
    physio = PhysioFactory(email="fuzz-physio@example.org", clinic__role=StaffRole.ADMIN)
    editor = EditorFactory(email="fuzz-editor@example.org")
    link = care_link_create(physio=physio, patient=patient)
    instruments_load()
    exercise = ExerciseFactory(slug=SLUG)
    condition = ConditionFactory(slug=SLUG)
    ProtocolFactory(slug=SLUG)
    episode = episode_of(patient, physio)
    goal = GoalFactory(episode=episode)
    plan = _plan(physio, patient, exercise)
    schedule = OutcomeScheduleFactory(patient=patient, physio=physio)
    response = OutcomeResponseFactory(schedule=schedule)
    values = {
        "alert_id": AlertFactory(patient=patient).id,
        "session_id": CareSessionFactory(patient=patient).id,
        "link_id": link.id,
        "device_id": DeviceFactory(user=patient).id,
        "episode_id": episode.id,
        "notification_id": NotificationFactory(user=patient).id,
        "log_id": SymptomLogFactory(patient=patient).id,
        "response_id": response.id,
        "schedule_id": schedule.id,
        "patient_id": patient.id,
        "plan_id": plan.id,
        "item_id": plan.items.first().id,
        "slug": SLUG,
        "code": "lefs",
        "media_id": ExerciseMediaFactory(exercise=exercise).id,
        "template_id": PlanTemplateFactory(physio=physio).id,
        "clinic_id": the_test_clinic().id,
        "user_id": PhysioFactory(email="fuzz-colleague@example.org").id,
        "invite_id": StaffInviteFactory(clinic=the_test_clinic()).id,
    }
    MessageFactory(link=link, sender=patient)
    body_values = {
        "patient": str(patient.id),
        "episode": str(episode.id),
        "plan": str(plan.id),
        "plan_item": str(plan.items.first().id),
        "item": str(plan.items.first().id),
        "exercise": exercise.slug,
        "condition": condition.slug,
        "goal": str(goal.id),
        "instrument": "lefs",
        "care_team_link": str(link.id),
        "email": "fuzz-new@example.org",
        "password": "a-long-and-unusual-passphrase-2026",
        "code": care_invite_create(physio=physio).code,
        "refresh": str(RefreshToken.for_user(patient)),
        "timezone": "Europe/London",
        "platform": "android",
        "token": "device-token",
        "transfer_to": str(physio.id),
    }
    clients = {
        "patient": client_for(patient),
        "physio": client_for(physio),
        "editor": client_for(editor),
        "anonymous": APIClient(),
    }
    for client in clients.values():
        client.raise_request_exception = False  # a 500 is an answer to check, as in production
    return World(
        clients=clients,
        path_values={k: str(v) for k, v in values.items()},
        body_values=body_values,
    )


def _plan(physio, patient, exercise):
    from apps.plans.services import plan_create

    today = timezone.now().date()
    return plan_create(
        physio=physio,
        patient_id=patient.id,
        title="Calf",
        start_date=today - dt.timedelta(days=2),
        end_date=today + dt.timedelta(days=30),
        reminder_times=["08:00"],
        items=[
            {
                "exercise": exercise,
                "sets": 3,
                "reps": 10,
                "days_of_week": [0, 1, 2, 3, 4, 5, 6],
                "max_pain": 3,
            }
        ],
    )


# --- Reading the served schema ------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    parameters: tuple[dict, ...]
    body: dict | None  # the JSON request schema

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def served_schema() -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema: dict) -> list[Operation]:
    found = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in ("get", *METHODS):
                continue
            content = (op.get("requestBody") or {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            found.append(
                Operation(
                    method=method,
                    path=path,
                    parameters=tuple(op.get("parameters", [])),
                    body=resolve(schema, body) if body else None,
                )
            )
    return found


def resolve(schema: dict, node: Any) -> Any:
    """The node with every $ref replaced by what it points to."""
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return resolve(schema, schema["components"]["schemas"][name])
        return {key: resolve(schema, value) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(schema, value) for value in node]
    return node


def sample(node: dict, name: str, world: World) -> Any:
    """A plausible value for a schema node: the world's own where the name says which
    object, otherwise one from the type. It need not be valid: each field is checked on
    its own, and a bad value must be refused whatever the rest holds."""
    if name in world.body_values:
        return world.body_values[name]
    if "enum" in node:
        return next(value for value in node["enum"] if value is not None)
    kind = node.get("type")
    fmt = node.get("format")
    if kind == "object" or "properties" in node:
        return {
            key: sample(child, key, world)
            for key, child in node.get("properties", {}).items()
            if not child.get("readOnly")
        }
    if kind == "array":
        return [sample(node.get("items", {}), name, world)]
    if kind == "integer":
        return max(node.get("minimum", 1), 1)
    if kind == "number":
        return max(node.get("minimum", 1), 1)
    if kind == "boolean":
        return False
    if fmt == "uuid":
        return str(uuid.uuid4())
    if fmt == "date":
        return timezone.now().date().isoformat()
    if fmt == "date-time":
        return timezone.now().isoformat()
    if "allOf" in node or "oneOf" in node or "anyOf" in node:
        choices = node.get("allOf") or node.get("oneOf") or node.get("anyOf")
        return sample(choices[0], name, world)
    return "08:00" if "time" in name else "text"


def leaves(node: dict, value: Any, path: tuple = ()) -> Iterator[tuple[tuple, dict]]:
    """(path in the body, schema node) of every scalar the body holds."""
    if isinstance(value, dict):
        properties = node.get("properties", {})
        for key, child in value.items():
            yield from leaves(properties.get(key, {}), child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:1]):
            yield from leaves(node.get("items", {}), child, (*path, index))
    else:
        yield path, node


# An offline sync's body: an object of lists of every kind the phone writes.
SYNC_LISTS = {"symptom_logs", "exercise_logs", "care_sessions", "outcome_responses", "messages"}


def with_value(body: Any, path: tuple, value: Any) -> Any:
    changed = copy.deepcopy(body)
    if isinstance(changed, dict) and set(changed) == SYNC_LISTS:
        # Only the list holding the bad value: valid items of the other lists would be
        # stored beside the refused one, as an offline sync does by design.
        changed = {path[0]: changed[path[0]]}
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


def url_of(op: Operation, world: World, **override: str) -> str:
    url = op.path
    for parameter in op.parameters:
        if parameter["in"] != "path":
            continue
        name = parameter["name"]
        assert name in world.path_values, (
            f"{op}: no value for the path parameter {name!r}; add one to the world"
        )
        url = url.replace("{" + name + "}", override.get(name, quote(world.path_values[name])))
    return url


# --- Checking the answers -----------------------------------------------------------------------


AUDIT = "accounts.PatientAccessAudit"


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def stored(before: dict[str, int], answers: list[Sent], label: str) -> list[str]:
    """Tables whose rows changed since `before`. A physio's read that answered 200 is
    recorded in the audit of patient records (docs/api.md): that table may grow then."""
    after = row_counts()
    reads = any(answer.status < 400 for answer in answers)
    return [
        f"{label}: {table} {before[table]} -> {after[table]}"
        for table in before
        if before[table] != after[table] and not (reads and table == AUDIT)
    ]


@dataclass
class Sent:
    op: Operation
    caller: str
    what: str
    status: int
    body: Any


def send_as_callers(world: World, op: Operation, url: str, body: Any = None) -> list[Sent]:
    """The request from every caller that this operation lets past authentication and
    role checks (a 401 or 403 once means the same for every value: not sent again)."""
    shut_out = world.shut_out.setdefault(str(op), set())
    answers = [send(world, caller, op, url, body) for caller in CALLERS if caller not in shut_out]
    shut_out.update(answer.caller for answer in answers if answer.status in (401, 403))
    return answers


def send(world: World, caller: str, op: Operation, url: str, body: Any = None) -> Sent:
    client = world.clients[caller]
    if body is None:
        response = getattr(client, op.method)(url)
    else:
        # json.dumps escapes a lone surrogate as \ud800, as a client's JSON would.
        response = client.generic(
            op.method.upper(), url, json.dumps(body), content_type="application/json"
        )
    try:
        parsed = response.json()
    except ValueError:
        parsed = response.content[:200]
    return Sent(op, caller, url, response.status_code, parsed)


def every_item_invalid(answer: Sent) -> bool:
    """An offline sync answers 200 with one result per item (docs/api.md): refused items
    are `invalid`, and nothing of theirs is stored. `POST sync/` answers its results by
    type: `{type: [result, ...]}`."""
    results = answer.body.get("results") if isinstance(answer.body, dict) else None
    if isinstance(results, dict):
        results = [result for of_type in results.values() for result in of_type]
    return bool(results) and all(result.get("status") == "invalid" for result in results)


def failures(answers: list[Sent], *, allow_2xx: bool = False) -> list[str]:
    bad = []
    for answer in answers:
        refused = answer.status >= 400 or (answer.status == 200 and every_item_invalid(answer))
        if answer.status >= 500 or (not allow_2xx and not refused):
            bad.append(
                f"{answer.op} as {answer.caller} ({answer.what}): {answer.status} {answer.body}"
            )
    return bad


def refused_by_name(answers: list[Sent], attr: str) -> bool:
    """Some caller reached the check and got a 400 invalid_character naming `attr`."""
    return any(
        answer.status == 400
        and any(
            error["code"] == CommonError.INVALID_CHARACTER and error["attr"] == attr
            for error in answer.body["errors"]
        )
        for answer in answers
    )


@pytest.fixture
def unthrottled(settings, monkeypatch):
    from apps.messaging.views import MessagePostThrottle

    rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    # DRF's throttles keep the rates they read at import (a class attribute): the setting
    # alone leaves the hourly ones (password reset, 30 an hour per address) in force.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(MessagePostThrottle, "rate", "100000/min")


# --- The tests -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_string_field_of_every_write_endpoint_refuses_what_cannot_be_stored(
    world, unthrottled
):
    schema = served_schema()
    writes = [op for op in operations(schema) if op.body is not None]
    assert len(writes) >= 20, "the schema lost its write endpoints"
    problems, unreached = [], []

    for op in writes:
        body = sample(op.body, "", world)
        strings = [path for path, node in leaves(op.body, body) if node.get("type") == "string"]
        for path in strings:
            attr = ".".join(str(step) for step in path)
            for name, value in {**UNSTORABLE, "overlong": OVERLONG}.items():
                before = row_counts()
                answers = send_as_callers(
                    world, op, url_of(op, world), with_value(body, path, value)
                )
                problems += failures(answers) + stored(before, answers, f"{op} {attr} {name}")
                if name in UNSTORABLE and not refused_by_name(answers, attr):
                    unreached.append(f"{op} {attr} ({name})")

    assert problems == [], "\n".join(problems)
    assert unreached == [], "no caller got the 400 naming the field:\n" + "\n".join(unreached)


@pytest.mark.django_db
def test_every_query_and_path_parameter_refuses_what_cannot_be_stored(world, unthrottled):
    schema = served_schema()
    problems, unreached = [], []

    for op in operations(schema):
        for parameter in op.parameters:
            name = parameter["name"]
            if parameter["in"] not in ("query", "path"):
                continue
            for what, raw in URL_VALUES.items():
                if parameter["in"] == "query":
                    url = f"{url_of(op, world)}?{name}={raw}"
                else:
                    url = url_of(op, world, **{name: raw})
                body = {} if op.method != "get" else None
                before = row_counts()
                answers = send_as_callers(world, op, url, body)
                problems += stored(before, answers, f"{op} {url[:120]}")
                # A query parameter that is only a filter may answer 200 to an odd value;
                # a write must not succeed with one.
                problems += failures(answers, allow_2xx=op.method == "get" and what != "nul")
                if (
                    what == "nul"
                    and parameter["in"] == "query"
                    and not refused_by_name(answers, name)
                ):
                    unreached.append(f"{op} {name}")

    assert problems == [], "\n".join(problems)
    assert unreached == [], "\n".join(unreached)


def _typed_leaves(op: Operation, world: World) -> Iterator[tuple[tuple, dict, Any]]:
    body = sample(op.body, "", world)
    for path, node in leaves(op.body, body):
        yield path, node, body


@pytest.mark.django_db
def test_far_dates_huge_numbers_and_lenient_date_forms_are_refused_everywhere(world, unthrottled):
    """Checked against the range of the API before any arithmetic: 9999-12-31 plus a day,
    or an integer past 64 bits, must never reach Python's date or the database."""
    schema = served_schema()
    problems = []
    cases = 0

    for op in operations(schema):
        if op.body is not None:
            for path, node, body in _typed_leaves(op, world):
                kind, fmt = node.get("type"), node.get("format")
                values = (
                    FAR_DATES + LENIENT_DATES
                    if fmt == "date"
                    else FAR_TIMES + LENIENT_TIMES
                    if fmt == "date-time"
                    else HUGE_NUMBERS
                    if kind == "integer"
                    else []
                )
                for value in values:
                    cases += 1
                    before = row_counts()
                    answers = send_as_callers(
                        world, op, url_of(op, world), with_value(body, path, value)
                    )
                    problems += failures(answers) + stored(before, answers, f"{op} {path} {value}")
        for parameter in op.parameters:
            if parameter["in"] != "query":
                continue
            fmt = parameter.get("schema", {}).get("format")
            kind = parameter.get("schema", {}).get("type")
            values = (
                FAR_DATES + LENIENT_DATES
                if fmt == "date"
                else FAR_TIMES + LENIENT_TIMES
                if fmt == "date-time"
                else [str(n) for n in HUGE_NUMBERS]
                if kind == "integer"
                else []
            )
            for value in values:
                cases += 1
                url = f"{url_of(op, world)}?{parameter['name']}={quote(value)}"
                body = {} if op.method != "get" else None
                before = row_counts()
                answers = send_as_callers(world, op, url, body)
                problems += failures(answers, allow_2xx=parameter["name"] in ("page", "page_size"))
                problems += stored(before, answers, f"{op} {url[:120]}")

    assert cases > 50
    assert problems == [], "\n".join(problems)

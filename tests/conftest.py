"""Fixtures shared by every test folder: users of each role and authenticated clients,
a care-team link and a plan, factories bound to the test's patient, and a frozen clock.

A folder's conftest.py holds only what that folder alone uses.
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.jwt import AccountAccessToken
from apps.accounts.models import User
from apps.accounts.services import care_link_create
from apps.content.models import Exercise
from apps.plans.services import plan_create
from tests.bodies import plan_body
from tests.clock import FROZEN_NOW
from tests.factories import (
    AlertFactory,
    CareSessionFactory,
    DeviceFactory,
    EditorFactory,
    ExerciseFactory,
    NotificationFactory,
    PatientFactory,
    PhysioFactory,
    ReminderFactory,
    SymptomLogFactory,
)
from tests.second_factor import admin_sign_in

pytest_plugins = ["tests.workers", "tests.mail", "tests.media"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A frozen clock must start before the test's other fixtures make users, tokens and
    # rows: a token issued on the real clock is "issued in the future" on the frozen one.
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names and "frozen_now" in names:
            names.remove("frozen_now")
            names.insert(0, "frozen_now")


@pytest.fixture
def frozen_now(time_machine) -> dt.datetime:
    """Freeze the clock at tests.clock.FROZEN_NOW (a Wednesday, 12:30 UTC) for the test;
    it ticks on from there. Returns that instant. Mark a module with
    `pytestmark = pytest.mark.usefixtures("frozen_now")` when all its tests need it.
    Move within the test with `time_machine.move_to(...)` or `time_machine.shift(...)`."""
    time_machine.move_to(FROZEN_NOW, tick=True)
    return FROZEN_NOW


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters live in the cache; one test's requests must not throttle the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def client_for(user) -> APIClient:
    """A client that sends a real JWT, so authentication runs as it does for the app (the
    app's token class: signed with SECRET_KEY as it is now)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccountAccessToken.for_user(user)}")
    return client


@pytest.fixture
def make_client():
    return client_for


@pytest.fixture
def patient(db):
    return PatientFactory(email="owner@example.org")


@pytest.fixture
def other_patient(db):
    return PatientFactory(email="outsider@example.org")


@pytest.fixture
def physio(db):
    return PhysioFactory(email="physio@example.org")


@pytest.fixture
def other_physio(db):
    return PhysioFactory(email="other-physio@example.org")


@pytest.fixture
def editor(db):
    return EditorFactory(email="editor@example.org")


@pytest.fixture
def patient_client(patient) -> APIClient:
    return client_for(patient)


@pytest.fixture
def physio_client(physio) -> APIClient:
    return client_for(physio)


@pytest.fixture
def editor_client(editor) -> APIClient:
    return client_for(editor)


@pytest.fixture
def linked(physio, patient):
    """The physio's active care-team link with the patient."""
    return care_link_create(physio=physio, patient=patient)


@pytest.fixture
def exercise(db):
    """The plan's first exercise: a stretch held for 30 seconds (no reps)."""
    return ExerciseFactory(
        slug="wall-calf-stretch",
        name="Wall calf stretch",
        default_reps=None,
        default_hold_seconds=30,
    )


@pytest.fixture
def other_exercise(db):
    """The plan's second exercise: ten repetitions."""
    return ExerciseFactory(slug="quad-sets", name="Quad sets", default_reps=10)


@pytest.fixture
def make_plan(physio, patient, linked, exercise, other_exercise):
    """make_plan(**overrides): the physio's plan for the patient, made by the plan service
    (with its reminders) from tests.bodies.plan_body(patient, **overrides)."""

    def make(**overrides):
        body = plan_body(patient, **overrides)
        items = []
        for item in body["items"]:
            items.append({**item, "exercise": Exercise.objects.get(slug=item["exercise"])})
        return plan_create(
            physio=physio,
            patient_id=patient.id,
            title=body["title"],
            start_date=dt.date.fromisoformat(body["start_date"]),
            end_date=dt.date.fromisoformat(body["end_date"]),
            reminder_times=body["reminder_times"],
            items=items,
        )

    return make


# Plain fixtures rather than pytest-factoryboy's register(): that makes a model fixture and
# one fixture per attribute for each factory, and resolves a SubFactory to a fixture named
# after the model (`user`), not to this suite's `patient` and `physio`.
def bound(model_factory, **fixed):
    """`model_factory` with some fields fixed; .build(), .create_batch() still work."""
    return type(model_factory.__name__, (model_factory,), fixed)


@pytest.fixture
def symptom_log_factory(patient):
    """SymptomLogFactory for the test's patient: symptom_log_factory(pain_score=7)."""
    return bound(SymptomLogFactory, patient=patient)


@pytest.fixture
def care_session_factory(patient):
    """CareSessionFactory for the test's patient."""
    return bound(CareSessionFactory, patient=patient)


@pytest.fixture
def alert_factory(patient):
    """AlertFactory for the test's patient (a red-flag alert with its log by default)."""
    return bound(AlertFactory, patient=patient)


@pytest.fixture
def reminder_factory(patient):
    """ReminderFactory for the test's patient."""
    return bound(ReminderFactory, user=patient)


@pytest.fixture
def notification_factory(patient):
    """NotificationFactory for the test's patient's inbox."""
    return bound(NotificationFactory, user=patient)


@pytest.fixture
def device_factory(patient):
    """DeviceFactory for the test's patient's phones."""
    return bound(DeviceFactory, user=patient)


@pytest.fixture
def staff_browser(db) -> Client:
    """A superuser signed in to the admin with Django's test client."""
    staff = User.objects.create_superuser(email="staff@example.org", password="Staff-look-2026")
    client = Client()
    admin_sign_in(client, staff)
    return client


def post_at_once(calls: list[tuple]) -> list:
    """Send (user, url, body) POSTs from one thread each, released together by a barrier,
    as racing phones would; the responses come back in the order of `calls`."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    responses: list = [None] * len(calls)

    def send(index: int, user, url: str, body: dict) -> None:
        client = client_for(user)
        barrier.wait()
        try:
            responses[index] = client.post(url, body, format="json")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=send, args=(index, *call)) for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


@pytest.fixture(scope="session", autouse=True)
def _declared_parameters():
    # Each operation's declared query parameters come from the generated schema, once per
    # process (backend.query_parameters): generated here, before any test, so that no
    # test's first request pays for it inside its query counts.
    from backend.query_parameters import declared_parameters

    declared_parameters()

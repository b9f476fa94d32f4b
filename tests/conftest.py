"""Fixtures shared by every test folder: users of each role and authenticated clients."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from apps.accounts.models import User
from tests.accounts.factories import EditorFactory, PatientFactory, PhysioFactory

pytest_plugins = ["tests.workers"]


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
    """A client that sends a real JWT, so authentication runs as it does for the app."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
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
def staff_browser(db) -> Client:
    """A superuser signed in to the admin with Django's test client."""
    staff = User.objects.create_superuser(email="staff@example.org", password="Staff-look-2026")
    client = Client()
    client.force_login(staff)
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

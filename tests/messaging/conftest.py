import uuid

import pytest
from django.db import connection

from apps.accounts.services import care_link_create

URL = "/api/v1/care-team/{}/messages/"
READ_URL = "/api/v1/care-team/{}/messages/read/"


@pytest.fixture(autouse=True)
def _postgres_only(request):
    # The `postgres` marker (pyproject.toml): races that only a real multi-writer
    # database shows. SQLite runs one writer at a time.
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture
def link(physio, patient):
    return care_link_create(physio=physio, patient=patient)


def message_body(body: str = "Is it fine to do the stretches twice a day?", **extra) -> dict:
    return {"client_id": str(uuid.uuid4()), "body": body, **extra}


def send(client, link, body: str = "Is it fine to do the stretches twice a day?", **extra):
    return client.post(URL.format(link.id), message_body(body, **extra), format="json")

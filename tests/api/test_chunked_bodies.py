"""A body sent with Transfer-Encoding: chunked has no Content-Length: it is read, or over
the limit refused with 413 in the envelope, never read as empty (backend/chunked_bodies.py).
Through gunicorn: tests/integration/test_live_errors.py."""

import io
import json

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from apps.symptoms.models import SymptomLog
from tests.bodies import symptom_log_body
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def post_chunked(client: APIClient, url: str, body: bytes):
    """What gunicorn hands Django for a chunked body: the decoded bytes on wsgi.input, a
    Transfer-Encoding header and no CONTENT_LENGTH."""
    return client.generic(
        "POST",
        url,
        b"",
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body)},
    )


def log_bytes(padding: int = 0) -> bytes:
    return json.dumps(symptom_log_body(), default=str).encode() + b" " * padding


def test_a_chunked_body_over_the_limit_is_a_413_and_stores_nothing(patient):
    body = log_bytes()
    body += b" " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1 - len(body))

    answer = post_chunked(client_for(patient), "/api/v1/symptom-logs/", body)

    assert answer.status_code == 413
    assert answer.json()["errors"][0]["code"] == "too_large"
    assert "Content-Length" in answer.json()["errors"][0]["detail"]
    assert not SymptomLog.objects.exists()


def test_a_chunked_body_over_the_limit_is_a_413_before_authentication(db):
    answer = post_chunked(APIClient(), "/api/v1/auth/token/", b"{" + b" " * (11 * 1024 * 1024))

    assert answer.status_code == 413
    assert answer.json()["errors"][0]["code"] == "too_large"


def test_a_chunked_body_within_the_limit_is_read_as_sent(patient):
    answer = post_chunked(client_for(patient), "/api/v1/symptom-logs/", log_bytes())

    assert answer.status_code == 201, answer.content
    assert SymptomLog.objects.filter(patient=patient).count() == 1


def test_a_chunked_body_of_exactly_the_limit_is_read(patient):
    body = log_bytes()
    body += b" " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - len(body))

    answer = post_chunked(client_for(patient), "/api/v1/symptom-logs/", body)

    assert answer.status_code == 201, answer.content[:300]


def test_an_empty_chunked_body_is_an_empty_body(patient):
    answer = post_chunked(client_for(patient), "/api/v1/symptom-logs/", b"")

    assert answer.status_code == 400
    assert not SymptomLog.objects.exists()

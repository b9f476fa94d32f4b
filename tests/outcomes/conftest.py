"""Fixtures for outcome measures: the shipped instruments, a linked physio, and bodies of
responses as the phone sends them."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.services import care_link_create
from apps.outcomes.services import ResponseFields, instruments_load
from backend.bulk import BulkItem

LEFS_ITEMS = [str(n) for n in range(1, 21)]


@pytest.fixture(autouse=True)
def _postgres_only(request):
    """`@pytest.mark.postgres` tests (races) need PostgreSQL; skipped on SQLite."""
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture
def instruments(db):
    """lefs, psfs and pain_week as `bootstrap` loads them."""
    return instruments_load()


@pytest.fixture
def linked(physio, patient):
    return care_link_create(physio=physio, patient=patient)


def lefs_answers(values) -> list[dict]:
    """values: one per item, or a single value for every item."""
    if isinstance(values, int):
        values = [values] * 20
    return [{"item": item, "value": value} for item, value in zip(LEFS_ITEMS, values, strict=True)]


def psfs_answers(*rated: tuple[str, int]) -> list[dict]:
    """("stairs", 2), ("walking", 5) → item slots 1, 2 … with their activities."""
    return [
        {"item": str(n), "value": value, "label": label}
        for n, (label, value) in enumerate(rated, start=1)
    ]


def pain_answers(average: int, worst: int) -> list[dict]:
    return [{"item": "average", "value": average}, {"item": "worst", "value": worst}]


def response_body(instrument: str, answers: list[dict] | None = None, **overrides) -> dict:
    body = {
        "client_id": str(uuid.uuid4()),
        "instrument": instrument,
        "answers": answers,
        "completed_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
    }
    body.update(overrides)
    return body


def lefs_body(values=4, **overrides) -> dict:
    overrides.setdefault("answers", lefs_answers(values))
    overrides.setdefault("instrument", "lefs")
    return response_body(**overrides)


def bulk_item(index: int, fields: ResponseFields) -> BulkItem[ResponseFields]:
    """An item of a bulk upload as the HTTP layer passes it on, valid."""
    return BulkItem.valid(index, fields, fields["client_id"])

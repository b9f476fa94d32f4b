import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.services import care_link_create


def log_body(**overrides) -> dict:
    """A valid, unremarkable log as the phone sends it."""
    body = {
        "client_id": str(uuid.uuid4()),
        "recorded_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
        "pain_score": 4,
        "side": "left",
        "locations": ["front_of_knee"],
        "qualities": ["aching"],
        "swelling": "none",
        "triggers": ["stairs"],
        "note": "Sore after the stairs.",
    }
    body.update(overrides)
    return body


@pytest.fixture
def linked(physio, patient):
    return care_link_create(physio=physio, patient=patient)

import uuid
from datetime import timedelta

from django.utils import timezone


def session_body(**overrides) -> dict:
    """A valid ice session as the phone sends it, started a minute ago."""
    body = {
        "client_id": str(uuid.uuid4()),
        "kind": "ice",
        "started_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
        "planned_minutes": 15,
    }
    body.update(overrides)
    return body

"""Everything a patient owns, as one JSON document (`GET me/export/`, docs/api.md).

Each app says what it holds about the patient (`export_for` in its selectors); this module,
at the top of the layers, gathers the sections and makes every value JSON-safe.
"""

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from apps.accounts import selectors as accounts
from apps.accounts.models import User
from apps.alerts import selectors as alerts
from apps.care import selectors as care
from apps.episodes import selectors as episodes
from apps.messaging import selectors as messaging
from apps.notifications import selectors as notifications
from apps.outcomes import selectors as outcomes
from apps.plans import selectors as plans
from apps.symptoms import selectors as symptoms

# Every app holding patient data, in the order its sections appear.
SECTIONS = (accounts, episodes, symptoms, outcomes, plans, care, messaging, alerts, notifications)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, int | float | bool | str):
        return value
    if isinstance(value, time):
        return str(value)
    return str(value)  # UUIDs, decimals


def patient_export(*, patient: User) -> dict[str, Any]:
    document: dict[str, Any] = {"exported_at": timezone.now()}
    for app in SECTIONS:
        document.update(app.export_for(patient))
    return _jsonable(document)

"""Every notification kind's `data` has its own shape in the published schema, and an
inbox of each is valid against it (docs/api.md, Notifications)."""

import json

import pytest
from django.http import HttpResponse

from apps.notifications.models import NotificationKind
from apps.notifications.serializers import NOTIFICATION_DATA_SCHEMA
from tests.conftest import client_for
from tests.factories import NotificationFactory
from tests.schema_conformance import answer_problems

URL = "/api/v1/notifications/"
# What each kind's writer stores (a handover's `care_team` notice stores nothing).
DATA = {
    NotificationKind.REMINDER: {
        "reminder_id": "5b0e8a38-2f57-4c4c-9d7e-0c6d1c1f2a11",
        "reminder_kind": "exercise",
    },
    NotificationKind.ALERT: {
        "alert_id": "5b0e8a38-2f57-4c4c-9d7e-0c6d1c1f2a12",
        "patient_id": "5b0e8a38-2f57-4c4c-9d7e-0c6d1c1f2a13",
        "level": "urgent",
    },
    NotificationKind.ADVICE: {"alert_id": "5b0e8a38-2f57-4c4c-9d7e-0c6d1c1f2a14"},
    NotificationKind.MESSAGE: {
        "link_id": "5b0e8a38-2f57-4c4c-9d7e-0c6d1c1f2a15",
        "message_id": "5b0e8a38-2f57-4c4c-9d7e-0c6d1c1f2a16",
    },
    NotificationKind.PLAN_CHANGED: {"plan": "5b0e8a38-2f57-4c4c-9d7e-0c6d1c1f2a17"},
    NotificationKind.CARE_TEAM: {},
}


def test_every_kind_has_a_shape():
    described = {option["description"].split()[1] for option in NOTIFICATION_DATA_SCHEMA["oneOf"]}
    assert described == set(NotificationKind.values) == set(DATA)


@pytest.mark.django_db
def test_an_inbox_of_every_kind_is_as_the_schema_says(patient):
    for kind, data in DATA.items():
        NotificationFactory(user=patient, kind=kind, data=data)
    answer = client_for(patient).get(URL)
    assert answer.json()["count"] == len(DATA)

    assert answer_problems(URL, URL, answer) == []

    page = answer.json()
    page["results"][0]["data"] = {"plan": "not-a-uuid"}
    forged = HttpResponse(json.dumps(page), content_type="application/json")
    assert answer_problems(URL, URL, forged) != []

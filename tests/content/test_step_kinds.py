"""Protocol steps and care sessions share one vocabulary of home-care activities: a step
of kind ice, elevation, rest or stretch starts a care session of the same kind."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from apps.care.models import CareKind
from apps.content.models import ProtocolStep, StepKind
from apps.content.services import content_load_fixtures
from apps.content.vocabulary import CareActivity
from tests.conftest import client_for


def test_care_kinds_are_the_step_kinds_a_patient_can_start():
    assert set(CareKind.values) == set(CareActivity.values)
    assert set(StepKind.values) == {*CareActivity.values, "medication_info"}


@pytest.mark.django_db
def test_the_seed_rest_advice_is_a_rest_step_and_no_step_uses_another_word():
    content_load_fixtures()

    kinds = set(ProtocolStep.objects.values_list("kind", flat=True))

    assert kinds <= set(StepKind.values)
    assert ProtocolStep.objects.filter(kind=StepKind.REST).count() >= 1


@pytest.mark.django_db
def test_each_served_step_names_the_session_it_starts_and_that_session_starts(api_client, patient):
    content_load_fixtures()
    steps = [
        step
        for protocol in api_client.get("/api/v1/protocols/?page_size=200").json()["results"]
        for step in api_client.get(f"/api/v1/protocols/{protocol['slug']}/").json()["steps"]
    ]
    assert steps

    for step in steps:
        expected = step["kind"] if step["kind"] in CareActivity.values else None
        assert step["session_kind"] == expected, step["title"]
    started = {
        step["session_kind"]
        for step in steps
        if step["session_kind"]
        and client_for(patient)
        .post(
            "/api/v1/care-sessions/",
            {
                "client_id": str(uuid.uuid4()),
                "kind": step["session_kind"],
                "started_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat(),
                "planned_minutes": step["min_minutes"] or 15,
            },
            format="json",
        )
        .status_code
        == 201
    }
    assert {"rest", "ice", "elevation", "stretch"} <= started

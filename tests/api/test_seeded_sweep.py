"""Every GET path of the served schema, read as the patient and as the linked physio over
a state with one of every kind of record (tests/seed.py): no 5xx, every status one the
schema documents for that path, every body valid against its response schema.

Schema fuzzing starts from a nearly empty database, so answers that only break once some
record exists (the summary's outcomes once a questionnaire was answered: a 500) escaped
it. Path parameters are filled with the seeded ids (each value the seed lists for that
name), so the operations behind them are reached, not only their 404s.
"""

import re
from urllib.parse import quote

import pytest
import schemathesis

from apps.accounts.models import CareTeamInvite, CareTeamLink
from apps.alerts.models import Alert
from apps.care.models import CareSession
from apps.content.models import Exercise
from apps.episodes.models import Episode, Goal
from apps.messaging.models import Message
from apps.notifications.models import Device, Notification, PushDelivery, Reminder
from apps.outcomes.models import OutcomeResponse, OutcomeSchedule
from apps.plans.models import ExerciseLog, ExercisePlan, PlanEvent, PlanTemplate
from apps.symptoms.models import SymptomLog
from tests.conftest import client_for
from tests.schema_conformance import problems_of
from tests.seed import Seeded, seed_state

SCHEMA_URL = "/api/schema/?format=json"
PARAMETER = re.compile(r"\{([a-z_]+)\}")


def urls_for(path: str, seeded: Seeded) -> list[str]:
    """The path with each seeded value of its parameter (one parameter per path here)."""
    names = PARAMETER.findall(path)
    if not names:
        return [path]
    [name] = names
    if name == "slug":
        kind = path.split("/")[3]  # /api/v1/<kind>/{slug}/
        values = [seeded.slugs[kind]]
    else:
        values = seeded.path_values[name]
    return [path.replace("{" + name + "}", quote(value)) for value in values]


@pytest.fixture
def seeded(db) -> Seeded:
    return seed_state()


@pytest.mark.parametrize("role", ["patient", "physio"])
def test_every_get_path_answers_as_the_schema_says_over_a_seeded_state(role, seeded):
    user = getattr(seeded, role)
    client = client_for(user)
    client.raise_request_exception = False  # a 500 is a finding, not a crash of the test
    raw = client.get(SCHEMA_URL).json()
    schema = schemathesis.openapi.from_dict(raw)

    problems: list[str] = []
    reached: dict[int, int] = {}
    for path, operations in raw["paths"].items():
        if "get" not in operations:
            continue
        operation = schema[path]["GET"]
        for url in urls_for(path, seeded):
            response = client.get(url, HTTP_ACCEPT="application/json")
            reached[response.status_code] = reached.get(response.status_code, 0) + 1
            problems += problems_of(operation, operations["get"]["responses"], url, response)

    assert problems == []
    # The sweep reads records, not refusals: most paths answer 200 for either role.
    assert reached.get(200, 0) >= 25, reached


def test_the_seed_has_one_of_every_kind_of_record(seeded):
    patient = seeded.patient
    assert set(Alert.objects.filter(patient=patient).values_list("kind", flat=True)) == {
        "red_flag",
        "worsening",
        "missed_exercises",
    }
    assert SymptomLog.objects.filter(patient=patient, triage_level="urgent").exists()
    assert set(Episode.objects.filter(patient=patient).values_list("status", flat=True)) == {
        "active",
        "discharged",
    }
    assert Episode.objects.filter(patient=patient, status="discharged", report__isnull=False)
    assert set(
        OutcomeResponse.objects.filter(patient=patient).values_list("instrument", flat=True)
    ) == {"lefs", "psfs", "pain_week"}
    assert PlanEvent.objects.filter(plan__patient=patient, action="dosage_changed").exists()
    for model, owner in (
        (CareTeamLink, {"patient": patient}),
        (CareTeamInvite, {"physio": seeded.physio}),
        (CareSession, {"patient": patient}),
        (ExercisePlan, {"patient": patient}),
        (ExerciseLog, {"patient": patient}),
        (Goal, {"episode__patient": patient}),
        (OutcomeSchedule, {"patient": patient}),
        (Message, {"link__patient": patient}),
        (Reminder, {"user": patient}),
        (Notification, {"user": patient}),
        (Device, {"user": patient}),
        (PushDelivery, {"notification__user": seeded.physio}),
        (PlanTemplate, {"physio": seeded.physio}),
        (Exercise, {"owner": seeded.physio}),
    ):
        assert model.objects.filter(**owner).exists(), model.__name__

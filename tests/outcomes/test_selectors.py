"""What other apps compose: the dashboard's annotation, the patient summary, the export
and what a FHIR builder needs."""

import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.selectors import linked_patients_of
from apps.accounts.services import care_link_create
from apps.outcomes import selectors
from apps.outcomes.services import outcome_responses_store, outcome_schedule_create
from tests.accounts.factories import PatientFactory
from tests.outcomes.conftest import bulk_item, lefs_answers


def store_lefs(patient, *values_and_days) -> None:
    """(value of every item, days ago) pairs, stored as one sync."""
    outcome_responses_store(
        patient=patient,
        items=[
            bulk_item(
                index,
                fields={
                    "client_id": uuid.uuid4(),
                    "instrument": "lefs",
                    "answers": lefs_answers(value),
                    "completed_at": timezone.now() - timedelta(days=days),
                },
            )
            for index, (value, days) in enumerate(values_and_days)
        ],
    )


def caseload(physio, count: int) -> list[User]:
    patients = PatientFactory.create_batch(count)
    for n, patient in enumerate(patients):
        care_link_create(physio=physio, patient=patient)
        store_lefs(patient, (2, 10), (n % 5, 1))
    return patients


def test_the_latest_outcome_change_is_one_subquery_per_figure(instruments, physio):
    patients = caseload(physio, 3)
    PatientFactory(email="no-responses@example.org")
    care_link_create(physio=physio, patient=User.objects.get(email="no-responses@example.org"))

    rows = {
        p.email: p for p in selectors.with_latest_outcome_change(linked_patients_of(physio=physio))
    }

    first, third = rows[patients[0].email], rows[patients[2].email]
    assert (first.outcome_instrument, first.outcome_change, first.outcome_responder) == (
        "lefs",
        Decimal(-40),
        "worsened",
    )
    assert (third.outcome_change, third.outcome_responder) == (Decimal(0), "no_change")
    blank = rows["no-responses@example.org"]
    assert (blank.outcome_instrument, blank.outcome_change, blank.outcome_responder) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize("order_by", ["email", "-outcome_change"])
def test_the_dashboard_query_count_is_the_same_at_5_and_50_patients(
    instruments, physio, other_physio, order_by
):
    def count_for(physio_) -> int:
        with CaptureQueriesContext(connection) as queries:
            rows = list(
                selectors.with_latest_outcome_change(linked_patients_of(physio=physio_)).order_by(
                    order_by
                )
            )
        assert all(row.outcome_instrument == "lefs" for row in rows)
        return len(queries)

    caseload(physio, 5)
    caseload(other_physio, 50)
    assert count_for(physio) == count_for(other_physio) == 1


def test_the_summary_gives_baseline_latest_change_and_responder(instruments, patient):
    store_lefs(patient, (2, 14), (3, 7), (1, 1))

    assert selectors.outcomes_summary_for(patient) == [
        {
            "instrument": "lefs",
            "version": "1",
            "title": "Lower Extremity Functional Scale (LEFS)",
            "higher_is_better": True,
            "baseline": 40.0,
            "latest": 20.0,
            "latest_at": selectors.outcomes_summary_for(patient)[0]["latest_at"],
            "change": -20.0,
            "mcid": 9.0,
            "mcid_percent": None,
            "responder": "worsened",
        }
    ]


def test_a_single_response_is_its_own_baseline(instruments, patient):
    store_lefs(patient, (3, 1))
    summary = selectors.outcomes_summary_for(patient)[0]
    assert (summary["baseline"], summary["latest"], summary["change"], summary["responder"]) == (
        60.0,
        60.0,
        None,
        None,
    )


def test_the_export_holds_schedules_and_responses_as_json(instruments, linked, physio, patient):
    schedule = outcome_schedule_create(
        physio=physio,
        patient=patient,
        instrument="lefs",
        every_days=7,
        starts_on=timezone.now().astimezone(patient.zone).date(),
    )
    store_lefs(patient, (2, 1))
    other = PatientFactory()
    store_lefs(other, (4, 1))

    exported = selectors.export_for(patient)

    assert json.loads(json.dumps(exported)) == exported  # JSON-safe as it is
    assert [row["id"] for row in exported["outcome_schedules"]] == [str(schedule.id)]
    assert exported["outcome_schedules"][0]["physio__email"] == physio.email
    (response,) = exported["outcome_responses"]
    assert (response["instrument"], response["version__version"], response["score"]) == (
        "lefs",
        "1",
        40.0,
    )
    assert response["schedule"] == str(schedule.id)
    assert len(response["answers"]) == 20


def test_a_fhir_builder_gets_the_canonical_url_and_version(instruments, patient):
    store_lefs(patient, (2, 3), (3, 1))

    (version,) = selectors.fhir_questionnaires_for(patient=patient)
    assert selectors.instrument_canonical(version) == "urn:knee-calf-selfcare:questionnaire:lefs|1"
    with CaptureQueriesContext(connection) as queries:
        responses = list(selectors.fhir_responses_for(patient=patient))
        assert [r.instrument.url for r in responses] == [version.instrument.url] * 2
        assert [r.version.version for r in responses] == ["1", "1"]
    assert len(queries) == 1

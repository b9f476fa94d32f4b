"""The caseload's `reduce_suggestions`: how many items of each patient's active plan the
pain-monitoring model suggests reducing, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.services import care_link_create
from apps.guidance.selectors import reduce_counts
from tests.factories import AlertFactory, ExercisePlanFactory, PatientFactory, PlanItemFactory

from .conftest import add_mornings, add_sessions

pytestmark = [pytest.mark.usefixtures("frozen_now"), pytest.mark.django_db]


def patient_with(physio=None, *, reduce: int, progress: int = 0, archived_reduce: int = 0):
    patient = PatientFactory()
    if physio is not None:
        care_link_create(physio=physio, patient=patient)
    plan = ExercisePlanFactory(patient=patient)
    for _ in range(reduce):
        add_sessions(PlanItemFactory(plan=plan, max_pain=10), pain_during=6)
    for _ in range(progress):
        add_sessions(PlanItemFactory(plan=plan, max_pain=10))
    if archived_reduce:
        old = ExercisePlanFactory(patient=patient, archived=True)
        for _ in range(archived_reduce):
            add_sessions(PlanItemFactory(plan=old, max_pain=10), pain_during=8)
    add_mornings(patient)
    return patient


def test_counts_only_current_items_suggesting_reduce():
    two = patient_with(reduce=2, progress=1)
    none = patient_with(reduce=0, progress=2, archived_reduce=2)
    # An open alert never turns a reduce into anything else, nor a progress into a reduce.
    AlertFactory(patient=none)
    nothing = PatientFactory()
    assert reduce_counts([two.pk, none.pk, nothing.pk]) == {two.pk: 2, none.pk: 0, nothing.pk: 0}
    assert reduce_counts([]) == {}


def test_a_retired_item_is_not_counted():
    patient = patient_with(reduce=2)
    item = patient.exercise_plans.get().items.first()
    from django.utils import timezone

    item.retired_at = timezone.now()
    item.save()
    assert reduce_counts([patient.pk]) == {patient.pk: 1}


@pytest.mark.parametrize("patients", [1, 5])
def test_four_queries_for_any_number_of_patients(django_assert_num_queries, patients):
    ids = [patient_with(reduce=2, progress=1).pk for _ in range(patients)]
    with django_assert_num_queries(4):
        counts = reduce_counts(ids)
    assert counts == dict.fromkeys(ids, 2)


def test_the_dashboard_shows_them_at_the_same_cost_for_1_or_5_patients(physio, physio_client):
    def dashboard():
        with CaptureQueriesContext(connection) as captured:
            response = physio_client.get("/api/v1/patients/?page_size=100")
        assert response.status_code == 200
        return response.json()["results"], len(captured.captured_queries)

    first = patient_with(physio, reduce=1)
    rows, at_one = dashboard()
    assert [(row["id"], row["reduce_suggestions"]) for row in rows] == [(str(first.id), 1)]
    others = [patient_with(physio, reduce=n % 3, progress=1) for n in range(4)]
    rows, at_five = dashboard()
    assert at_one == at_five
    expected = {str(first.id): 1, **{str(p.id): n % 3 for n, p in enumerate(others)}}
    assert {row["id"]: row["reduce_suggestions"] for row in rows} == expected


def test_the_summary_shows_them(physio, physio_client):
    patient = patient_with(physio, reduce=2)
    summary = physio_client.get(f"/api/v1/patients/{patient.id}/summary/").json()
    assert summary["reduce_suggestions"] == 2


def test_the_portal_caseload_has_the_column(physio):
    from tests.clinic.conftest import portal_client_for

    patient = patient_with(physio, reduce=2)
    response = portal_client_for(physio).get("/clinic/")
    assert response.status_code == 200
    [row] = response.context["patients"]
    assert (row.email, row.reduce) == (patient.email, "2")
    html = response.content.decode()
    assert "Waiting for you" in html
    assert (
        f'>2 exercises to reduce<span class="visually-hidden"> for {patient.email}</span></a>'
        in html
    )

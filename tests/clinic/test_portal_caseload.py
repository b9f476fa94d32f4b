"""The caseload page: the most urgent patient first, search, the open-alerts filter, and a
query count that does not grow with the number of patients."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.services import care_link_create
from apps.alerts.models import Alert
from tests.accounts.factories import PatientFactory
from tests.content.factories import ExerciseFactory

from .test_dashboard import linked_patients

pytestmark = pytest.mark.django_db


def rows(response) -> list[str]:
    return [row.email for row in response.context["patients"]]


def test_the_caseload_costs_the_same_queries_for_5_or_50_patients(physio, portal):
    exercise = ExerciseFactory()
    linked_patients(physio, 5, exercise)
    with CaptureQueriesContext(connection) as at_five:
        assert portal.get("/clinic/").status_code == 200
    linked_patients(physio, 45, exercise)
    with CaptureQueriesContext(connection) as at_fifty:
        response = portal.get("/clinic/")
    assert response.status_code == 200
    assert len(response.context["patients"]) == 50
    assert len(at_five.captured_queries) == len(at_fifty.captured_queries)
    # session, user, OTP device, the caseload, its adherence (active plans, items, logs:
    # apps.plans.adherence), the load guidance's items, sessions,
    # morning logs and weekly sums, the audit rows, the session's new expiry (plus SAVEPOINTs on some
    # databases), and the Today list (unresolved alerts counted and listed, unread
    # messages, questionnaires overdue, the linked patients), whether the menu shows the
    # clinic admin's links: a handful, whatever the caseload's size.
    assert len(at_fifty.captured_queries) <= 21


def test_the_default_order_puts_emergency_then_urgent_unresolved_alerts_first(physio, portal):
    emails = ["calm", "soon", "urgent", "emergency", "acknowledged"]
    patients = {name: PatientFactory(email=f"{name}@example.org") for name in emails}
    for patient in patients.values():
        care_link_create(physio=physio, patient=patient)
    Alert.objects.create(patient=patients["soon"], kind="worsening", level="soon", codes=[])
    Alert.objects.create(
        patient=patients["urgent"], kind="red_flag", level="urgent", codes=["possible_dvt"]
    )
    Alert.objects.create(patient=patients["emergency"], kind="red_flag", level="urgent", codes=[])
    Alert.objects.create(
        patient=patients["emergency"], kind="red_flag", level="emergency", codes=["cauda_equina"]
    )
    # An acknowledged emergency is still an emergency until resolved: it keeps its rank
    # (below the patient with an open one and more unresolved alerts, above the urgent one).
    Alert.objects.create(
        patient=patients["acknowledged"], kind="red_flag", level="emergency", status="acknowledged"
    )

    response = portal.get("/clinic/")

    assert rows(response) == [
        "emergency@example.org",
        "acknowledged@example.org",
        "urgent@example.org",
        "soon@example.org",
        "calm@example.org",
    ]
    first_link = f'href="/clinic/patients/{patients["emergency"].pk}/"'
    table = response.content.decode().split('<table class="caseload">')[1]
    assert table.index(first_link) < table.index("urgent@example.org")


def test_search_by_email_and_the_open_alerts_filter(physio, portal):
    for name in ("anna", "bob", "annabel"):
        care_link_create(physio=physio, patient=PatientFactory(email=f"{name}@example.org"))
    bob = PatientFactory(email="bob@example.org")
    Alert.objects.create(patient=bob, kind="red_flag", level="urgent", codes=[])

    assert rows(portal.get("/clinic/", {"q": "ANNA"})) == [
        "anna@example.org",
        "annabel@example.org",
    ]
    assert rows(portal.get("/clinic/", {"alerts": "on"})) == ["bob@example.org"]
    assert rows(portal.get("/clinic/", {"alerts": "on", "q": "anna"})) == []


@pytest.mark.parametrize(
    ("sort", "first"), [("email", "a@example.org"), ("-latest_pain", "b@example.org")]
)
def test_the_columns_sort(physio, portal, sort, first):
    from .test_dashboard import add_log

    a, b = PatientFactory(email="a@example.org"), PatientFactory(email="b@example.org")
    for patient in (a, b):
        care_link_create(physio=physio, patient=patient)
    add_log(a, 1, 2)
    add_log(b, 1, 8)
    response = portal.get("/clinic/", {"sort": sort})
    assert rows(response)[0] == first
    assert 'aria-sort="' in response.content.decode()


def test_an_unknown_sort_falls_back_to_urgency(physio, portal, patient, linked):
    response = portal.get("/clinic/", {"sort": "password"})
    assert response.status_code == 200
    assert response.context["query"]["ordering"] == "urgency"


def test_htmx_gets_only_the_table(portal, patient, linked):
    response = portal.get("/clinic/", {"q": "owner"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert "owner@example.org" in body


def test_discharged_patients_are_shown_apart_until_a_new_episode_opens(physio, portal):
    from tests.factories import EpisodeFactory

    in_care, discharged, new = (
        PatientFactory(email=f"{name}@example.org") for name in ("in-care", "discharged", "new")
    )
    for patient in (in_care, discharged, new):
        care_link_create(physio=physio, patient=patient)
    EpisodeFactory(patient=in_care, physio=physio)
    EpisodeFactory(patient=discharged, physio=physio, discharged=True)
    # Another physio's discharge says nothing about this physio's care.
    EpisodeFactory(patient=in_care, discharged=True)

    response = portal.get("/clinic/")
    assert [row.email for row in response.context["in_care"]] == [
        "in-care@example.org",
        "new@example.org",
    ]
    assert [row.email for row in response.context["discharged"]] == ["discharged@example.org"]
    body = response.content.decode()
    assert "2 patients in care, 1 discharged." in body
    assert body.index("new@example.org") < body.index('id="discharged-heading"')
    assert body.index('id="discharged-heading"') < body.index("discharged@example.org")

    EpisodeFactory(patient=discharged, physio=physio)  # back in care
    again = portal.get("/clinic/")
    assert not again.context["discharged"]
    assert "discharged-heading" not in again.content.decode()


def test_an_acknowledged_alert_keeps_its_level_on_the_caseload_and_is_marked(physio, portal):
    """Acknowledging an urgent alert made the row say "None" and 0 open alerts, as if the
    possible clot were gone; it is still unresolved."""
    from tests.factories import AlertFactory

    patient = PatientFactory(email="clot@example.org")
    care_link_create(physio=physio, patient=patient)
    AlertFactory(patient=patient, acknowledged=True)  # urgent: possible clot
    AlertFactory(patient=patient, missed_exercises=True)

    response = portal.get("/clinic/")

    [row] = response.context["patients"]
    assert (row.level, row.acknowledged, row.alerts) == ("urgent", True, "2")
    body = response.content.decode()
    assert (
        '<span class="badge level-urgent">Urgent</span> <span class="acknowledged">acknowledged'
        '</span><span class="sub">2 alerts to resolve</span>'
    ) in body
    assert rows(portal.get("/clinic/", {"alerts": "on"})) == ["clot@example.org"]

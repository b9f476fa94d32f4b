import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.services import care_link_create, care_link_end
from apps.alerts.models import Alert
from apps.outcomes.services import instruments_load
from apps.plans.models import PlanItem
from apps.plans.services import exercise_log_create, plan_create
from apps.symptoms.models import SymptomLog
from tests.conftest import client_for
from tests.factories import ExerciseFactory, PatientFactory

# The dashboard's 7-day figures and the plans' dates are counted from today.
pytestmark = pytest.mark.usefixtures("frozen_now")


def add_log(patient, days_ago: float, pain: int, **extra):
    fields = {"locations": ["front_of_knee"], "triage_level": "self_care", **extra}
    return SymptomLog.objects.create(
        patient=patient,
        client_id=uuid.uuid4(),
        recorded_at=timezone.now() - dt.timedelta(days=days_ago),
        pain_score=pain,
        **fields,
    )


def linked_patients(physio, count: int, exercise):
    patients = PatientFactory.create_batch(count)
    for n, patient in enumerate(patients):
        care_link_create(physio=physio, patient=patient)
        add_log(patient, 10, 2)
        add_log(patient, 1, 2 + n % 5)
        Alert.objects.create(
            patient=patient, kind="red_flag", level="urgent", codes=["possible_dvt"]
        )
        plan = plan_create(
            physio=physio,
            patient_id=patient.id,
            title="Plan",
            start_date=timezone.now().date(),
            end_date=timezone.now().date() + dt.timedelta(days=30),
            items=[
                {
                    "exercise": exercise,
                    "sets": 2,
                    "reps": 10,
                    "days_of_week": [0, 1, 2, 3, 4, 5, 6],
                    "max_pain": 3,
                }
            ],
        )
        item = plan.items.get()
        exercise_log_create(
            patient=patient,
            plan_item=item,
            client_id=uuid.uuid4(),
            performed_at=timezone.now(),
            sets_done=2,
            pain_during=1,
        )
    return patients


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_the_dashboard_costs_the_same_queries_for_5_or_50_patients(
    physio, physio_client, django_assert_max_num_queries
):
    exercise = ExerciseFactory()
    linked_patients(physio, 5, exercise)
    at_five = queries(physio_client, "/api/v1/patients/?page_size=100")
    linked_patients(physio, 45, exercise)
    at_fifty = queries(physio_client, "/api/v1/patients/?page_size=100")

    assert at_five == at_fifty
    # user, the annotated caseload, its adherence (active plans, items, logs:
    # apps.plans.adherence), the audit rows (one bulk insert), and the load guidance's plan
    # items, sessions, morning logs and weekly sums (reduce_suggestions)
    with django_assert_max_num_queries(10):
        response = physio_client.get("/api/v1/patients/?page_size=100")
    assert len(response.json()["results"]) == 50


@pytest.mark.django_db
def test_the_dashboard_figures(physio, physio_client):
    exercise = ExerciseFactory()
    patient = PatientFactory(email="a@example.org")
    care_link_create(physio=physio, patient=patient)
    add_log(patient, 10, 2)
    add_log(patient, 9, 4)  # before: mean 3
    add_log(patient, 2, 5)
    add_log(patient, 0.1, 7)  # recent: mean 6, latest 7
    Alert.objects.create(patient=patient, kind="red_flag", level="urgent", codes=["possible_dvt"])
    Alert.objects.create(
        patient=patient, kind="red_flag", level="urgent", codes=["possible_dvt"], status="resolved"
    )
    plan = plan_create(
        physio=physio,
        patient_id=patient.id,
        title="Plan",
        start_date=timezone.now().date(),
        end_date=timezone.now().date() + dt.timedelta(days=30),
        items=[
            {
                "exercise": exercise,
                "sets": 2,
                "reps": 10,
                "times_per_day": 2,
                "days_of_week": [0, 1, 2, 3, 4, 5, 6],
                "max_pain": 3,
            }
        ],
    )
    item = PlanItem.objects.get(plan=plan)
    for _ in range(1):
        exercise_log_create(
            patient=patient,
            plan_item=item,
            client_id=uuid.uuid4(),
            performed_at=timezone.now(),
            sets_done=2,
            pain_during=1,
        )

    row = physio_client.get("/api/v1/patients/").json()["results"][0]

    assert row["id"] == str(patient.id)
    assert row["latest_pain"] == 7
    assert row["pain_change_7d"] == 3.0
    assert row["open_alerts"] == 1
    # The plan began today: 1 of today's 2 sessions (apps.plans.adherence).
    assert row["adherence_7d"] == 0.5
    assert row["last_log_at"] is not None


@pytest.mark.django_db
def test_a_patient_without_logs_or_plan_has_empty_figures(physio, physio_client, patient, linked):
    row = physio_client.get("/api/v1/patients/").json()["results"][0]
    assert row == {
        "id": str(patient.id),
        "email": patient.email,
        "display_name": patient.email,  # no display name set: the e-mail
        "latest_pain": None,
        "pain_change_7d": None,
        "adherence_7d": None,
        "open_alerts": 0,
        "unresolved_alerts": 0,
        "most_urgent_alert": None,
        "last_log_at": None,
        "unread_count": 0,
        "reduce_suggestions": 0,
        "latest_outcome": None,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("ordering", ["-open_alerts", "-pain_change_7d"])
def test_the_dashboard_sorts_by_what_needs_attention(physio, physio_client, ordering):
    calm, busy = PatientFactory(email="calm@example.org"), PatientFactory(email="busy@example.org")
    for patient in (calm, busy):
        care_link_create(physio=physio, patient=patient)
        add_log(patient, 10, 3)
    add_log(calm, 1, 3)
    add_log(busy, 1, 8)
    Alert.objects.create(patient=busy, kind="red_flag", level="urgent", codes=["possible_dvt"])

    emails = [
        row["email"]
        for row in physio_client.get("/api/v1/patients/", {"ordering": ordering}).json()["results"]
    ]

    assert emails == ["busy@example.org", "calm@example.org"]


@pytest.mark.django_db
def test_an_unknown_ordering_is_a_400(physio_client):
    response = physio_client.get("/api/v1/patients/", {"ordering": "password"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "ordering"


@pytest.mark.django_db
def test_only_linked_patients_are_listed_and_only_while_linked(
    physio, physio_client, patient, linked, other_patient
):
    assert [row["id"] for row in physio_client.get("/api/v1/patients/").json()["results"]] == [
        str(patient.id)
    ]
    care_link_end(link=linked, by=physio)
    assert physio_client.get("/api/v1/patients/").json()["results"] == []


@pytest.mark.django_db
def test_the_summary_has_trend_plan_alerts_and_hint(physio, physio_client, patient, make_plan):
    make_plan()
    for days in (3, 2, 1):
        add_log(
            patient,
            days,
            4,
            qualities=["dull"],
            locations=["front_of_knee", "inner_knee"],
            triggers=["bending_back"],
            numbness_tingling=True,
        )
    Alert.objects.create(patient=patient, kind="red_flag", level="urgent", codes=["possible_dvt"])

    body = physio_client.get(f"/api/v1/patients/{patient.id}/summary/").json()

    assert body["id"] == str(patient.id)
    assert len(body["trend"]) == 14
    assert body["active_plan"]["title"] == "Calf and knee"
    assert [alert["codes"] for alert in body["alerts"]] == [["possible_dvt"]]
    assert body["hints"][0]["code"] == "possible_referred_pain"


@pytest.mark.django_db
def test_the_summary_is_404_for_an_unlinked_or_unknown_patient(other_physio, patient, linked):
    client = client_for(other_physio)
    assert client.get(f"/api/v1/patients/{patient.id}/summary/").status_code == 404
    assert client.get(f"/api/v1/patients/{uuid.uuid4()}/summary/").status_code == 404


@pytest.mark.django_db
def test_patients_and_editors_cannot_use_physio_views(
    patient_client, editor_client, api_client, patient
):
    for client, expected in ((patient_client, 403), (editor_client, 403), (api_client, 401)):
        assert client.get("/api/v1/patients/").status_code == expected
        assert client.get(f"/api/v1/patients/{patient.id}/summary/").status_code == expected


@pytest.mark.django_db
def test_the_dashboard_and_a_summary_never_select_a_password_hash(
    physio, physio_client, patient, linked
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert physio_client.get("/api/v1/patients/").status_code == 200
        assert physio_client.get(f"/api/v1/patients/{patient.id}/summary/").status_code == 200
        assert physio_client.get("/api/v1/care-team/").status_code == 200

    reads = [q["sql"] for q in captured if q["sql"].startswith("SELECT")]
    assert reads
    assert not [sql for sql in reads if "password" in sql]


@pytest.mark.django_db
def test_the_summary_shows_the_questionnaires_answered(physio_client, patient, linked):
    """It answered 500 once the patient had answered a questionnaire: the summary's
    outcomes carry no series, and the serializer asked for one."""
    instruments_load()
    client = client_for(patient)
    for days, value in ((9, 2), (1, 3)):
        answered = client.post(
            "/api/v1/outcome-responses/",
            {
                "client_id": str(uuid.uuid4()),
                "instrument": "lefs",
                "answers": [{"item": str(n), "value": value} for n in range(1, 21)],
                "completed_at": (timezone.now() - dt.timedelta(days=days)).isoformat(),
            },
            format="json",
        )
        assert answered.status_code == 201

    response = physio_client.get(f"/api/v1/patients/{patient.id}/summary/")

    assert response.status_code == 200
    [lefs] = response.json()["outcomes"]
    assert lefs == {
        "instrument": "lefs",
        "version": "1",
        "title": lefs["title"],
        "higher_is_better": True,
        "baseline": 40.0,
        "latest": 60.0,
        "latest_at": lefs["latest_at"],
        "change": 20.0,
        "mcid": 9.0,
        "mcid_percent": None,
        "responder": "improved",
    }

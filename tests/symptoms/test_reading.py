import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from apps.accounts.services import care_link_end
from apps.symptoms.models import SymptomLog
from apps.symptoms.services import symptom_log_create
from tests.conftest import client_for

# The trend groups logs by the patient's local day.
pytestmark = pytest.mark.usefixtures("frozen_now")


def make_log(patient, when, pain=4, **extra):
    fields = {
        "client_id": uuid.uuid4(),
        "recorded_at": when,
        "pain_score": pain,
        "locations": ["front_of_knee"],
        **extra,
    }
    return symptom_log_create(patient=patient, **fields).log


@pytest.mark.django_db
def test_a_patient_lists_own_logs_newest_first_with_cursor_pages(
    patient_client, patient, other_patient
):
    now = timezone.now()
    for hours in range(5):
        make_log(patient, now - timedelta(hours=hours), pain=hours)
    make_log(other_patient, now)

    first = patient_client.get("/api/v1/symptom-logs/", {"page_size": 3}).json()
    second = patient_client.get(first["next"]).json()

    assert [log["pain_score"] for log in first["results"]] == [0, 1, 2]
    assert [log["pain_score"] for log in second["results"]] == [3, 4]
    assert second["next"] is None
    assert set(first) == {"next", "previous", "results"}


@pytest.mark.django_db
def test_since_and_until_bound_the_list(patient_client, patient):
    now = timezone.now()
    for days in (1, 3, 5):
        make_log(patient, now - timedelta(days=days), pain=days)

    response = patient_client.get(
        "/api/v1/symptom-logs/",
        {
            "since": (now - timedelta(days=4)).isoformat(),
            "until": (now - timedelta(days=2)).isoformat(),
        },
    )

    assert [log["pain_score"] for log in response.json()["results"]] == [3]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"since": "last week"}, "since"),
        ({"until": "2026-02-30T00:00:00Z"}, "until"),
        ({"since": "2026-02-02T00:00:00Z", "until": "2026-02-01T00:00:00Z"}, "until"),
    ],
)
def test_bad_ranges_are_a_400(patient_client, params, attr):
    response = patient_client.get("/api/v1/symptom-logs/", params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == attr


@pytest.mark.django_db
def test_a_log_is_readable_by_its_owner_only(
    patient_client, patient, other_patient, physio_client, linked
):
    log = make_log(patient, timezone.now())
    url = f"/api/v1/symptom-logs/{log.id}/"

    assert patient_client.get(url).status_code == 200
    assert client_for(other_patient).get(url).status_code == 404
    assert patient_client.get(f"/api/v1/symptom-logs/{uuid.uuid4()}/").status_code == 404
    assert physio_client.get(url).status_code == 403  # physios read through patients/{id}/


@pytest.mark.django_db
def test_a_linked_physio_reads_the_patients_logs_until_the_link_ends(
    physio_client, physio, patient, linked
):
    make_log(patient, timezone.now(), pain=6)
    url = f"/api/v1/patients/{patient.id}/symptom-logs/"

    assert [log["pain_score"] for log in physio_client.get(url).json()["results"]] == [6]

    care_link_end(link=linked, by=patient)
    assert physio_client.get(url).status_code == 404


@pytest.mark.django_db
def test_an_unlinked_physio_gets_404_whether_or_not_the_patient_exists(other_physio, patient):
    client = client_for(other_physio)
    make_log(patient, timezone.now())

    assert client.get(f"/api/v1/patients/{patient.id}/symptom-logs/").status_code == 404
    assert client.get(f"/api/v1/patients/{uuid.uuid4()}/symptom-logs/").status_code == 404


@pytest.mark.django_db
def test_patients_cannot_use_the_physio_view(patient_client, patient):
    assert patient_client.get(f"/api/v1/patients/{patient.id}/symptom-logs/").status_code == 403


@pytest.mark.django_db
def test_the_trend_groups_days_in_the_patients_time_zone(patient):
    patient.timezone = "America/New_York"
    patient.save()
    zone = ZoneInfo("America/New_York")
    with time_machine.travel(datetime(2026, 11, 21, 12, 0, tzinfo=zone), tick=False):
        # 23:30 in New York on the 19th is already the 20th in UTC.
        make_log(patient, datetime(2026, 11, 19, 23, 30, tzinfo=zone), pain=2)
        make_log(patient, datetime(2026, 11, 19, 8, 0, tzinfo=zone), pain=6)
        make_log(patient, datetime(2026, 11, 21, 7, 0, tzinfo=zone), pain=5)

        # A token made now: one made before the travel would be issued "in the future".
        trend = client_for(patient).get("/api/v1/symptom-logs/trend/", {"days": 3}).json()

    assert trend == [
        {"date": "2026-11-19", "mean_pain": 4.0, "max_pain": 6, "count": 2},
        {"date": "2026-11-20", "mean_pain": None, "max_pain": None, "count": 0},
        {"date": "2026-11-21", "mean_pain": 5.0, "max_pain": 5, "count": 1},
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["0", "366", "abc", "2.5", "-3"])
def test_a_bad_trend_window_is_a_400(patient_client, days):
    response = patient_client.get("/api/v1/symptom-logs/trend/", {"days": days})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "days"


@pytest.mark.django_db
def test_the_trend_costs_a_fixed_number_of_queries(
    patient_client, patient, django_assert_max_num_queries
):
    now = timezone.now()
    for hours in range(0, 24 * 20, 7):
        SymptomLog.objects.create(
            patient=patient,
            client_id=uuid.uuid4(),
            recorded_at=now - timedelta(hours=hours),
            pain_score=3,
            triage_level="self_care",
        )
    # user, one aggregate
    with django_assert_max_num_queries(2):
        assert patient_client.get("/api/v1/symptom-logs/trend/", {"days": 30}).status_code == 200


@pytest.mark.django_db
def test_a_list_page_costs_a_fixed_number_of_queries(
    patient_client, patient, django_assert_max_num_queries
):
    now = timezone.now()
    SymptomLog.objects.bulk_create(
        [
            SymptomLog(
                patient=patient,
                client_id=uuid.uuid4(),
                recorded_at=now - timedelta(hours=h),
                pain_score=3,
                triage_level="self_care",
            )
            for h in range(120)
        ]
    )
    # user, page of logs
    with django_assert_max_num_queries(2):
        assert patient_client.get("/api/v1/symptom-logs/", {"page_size": 100}).status_code == 200


@pytest.mark.django_db
def test_a_log_a_fast_clock_dated_just_after_midnight_shows_in_the_trend(patient):
    patient.timezone = "Europe/Berlin"
    patient.save()
    zone = ZoneInfo("Europe/Berlin")
    with time_machine.travel(datetime(2026, 11, 21, 23, 58, tzinfo=zone), tick=False):
        make_log(patient, datetime(2026, 11, 21, 9, 0, tzinfo=zone), pain=3)
        make_log(patient, datetime(2026, 11, 22, 0, 2, tzinfo=zone), pain=5)  # 4 min ahead

        trend = client_for(patient).get("/api/v1/symptom-logs/trend/", {"days": 2}).json()

    assert trend == [
        {"date": "2026-11-21", "mean_pain": 3.0, "max_pain": 3, "count": 1},
        {"date": "2026-11-22", "mean_pain": 5.0, "max_pain": 5, "count": 1},
    ]

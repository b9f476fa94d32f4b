"""The clinician's day (docs/api.md): alerts keep their rank until resolved, carry when the
patient recorded what raised them and the context to act on, come most urgent first, and
are resolved with a note kept in their history."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone, translation

from apps.accounts.services import care_link_create
from apps.alerts.models import Alert, AlertEvent, AlertStatus
from apps.alerts.selectors import alert_contexts, alerts_for
from apps.alerts.services import alert_acknowledge, missed_exercises_sweep
from apps.content.models import RedFlagTranslation
from apps.outcomes.services import instruments_load
from apps.plans.services import plan_create
from apps.symptoms.services import symptom_log_create
from tests.conftest import client_for
from tests.factories import ExerciseFactory, PatientFactory
from tests.outcomes.conftest import lefs_body

pytestmark = pytest.mark.usefixtures("frozen_now")


def possible_clot(patient, *, recorded_at=None, note=""):
    """A calf log that triages as a possible clot (urgent): a red-flag alert."""
    log = symptom_log_create(
        patient=patient,
        client_id=uuid.uuid4(),
        recorded_at=recorded_at or timezone.now(),
        pain_score=6,
        locations=["calf"],
        swelling="significant",
        redness=True,
        warmth=True,
        note=note,
    ).log
    return log, Alert.objects.get(symptom_log=log)


def row_of(client, patient, **query) -> dict:
    rows = client.get("/api/v1/patients/", query).json()["results"]
    return next(row for row in rows if row["id"] == str(patient.id))


def a_plan_nobody_follows(physio, patient):
    """A plan that started 8 days ago with nothing logged: the nightly sweep raises a
    `missed_exercises` alert (self-care level)."""
    today = timezone.now().date()
    return plan_create(
        physio=physio,
        patient_id=patient.id,
        title="Calf",
        start_date=today - dt.timedelta(days=8),
        end_date=today + dt.timedelta(days=30),
        items=[
            {
                "exercise": ExerciseFactory(),
                "sets": 2,
                "days_of_week": list(range(7)),
                "max_pain": 4,
            }
        ],
    )


# --- The caseload keeps an acknowledged alert's rank --------------------------------------


@pytest.mark.django_db
def test_acknowledging_an_urgent_alert_keeps_it_on_the_caseload_until_resolved(
    physio, physio_client, patient, linked
):
    _, alert = possible_clot(patient)
    alert_acknowledge(alert=alert, by=physio)

    row = row_of(physio_client, patient)

    assert row["unresolved_alerts"] == 1
    assert row["most_urgent_alert"] == {"level": "urgent", "status": "acknowledged"}
    assert row["open_alerts"] == 0  # the v1 figure keeps its meaning: not yet acknowledged

    response = physio_client.post(f"/api/v1/alerts/{alert.id}/resolve/", {}, format="json")
    assert response.status_code == 200
    row = row_of(physio_client, patient)
    assert (row["unresolved_alerts"], row["most_urgent_alert"]) == (0, None)


@pytest.mark.django_db
def test_after_the_nightly_sweep_an_acknowledged_clot_still_outranks_missed_exercises(
    physio, physio_client, patient, linked
):
    a_plan_nobody_follows(physio, patient)
    _, alert = possible_clot(patient)
    alert_acknowledge(alert=alert, by=physio)

    assert missed_exercises_sweep() == 1

    row = row_of(physio_client, patient)
    assert row["unresolved_alerts"] == 2
    assert row["most_urgent_alert"] == {"level": "urgent", "status": "acknowledged"}


@pytest.mark.django_db
def test_the_caseload_ranks_by_the_most_urgent_unresolved_alert(physio, physio_client):
    clot, worse, calm = (PatientFactory(email=f"{name}@example.org") for name in "cwz")
    for patient in (clot, worse, calm):
        care_link_create(physio=physio, patient=patient)
    Alert.objects.create(patient=worse, kind="worsening", level="soon", codes=["pain_rising"])
    _, alert = possible_clot(clot)
    alert_acknowledge(alert=alert, by=physio)

    rows = physio_client.get("/api/v1/patients/", {"ordering": "urgency"}).json()["results"]

    assert [row["email"] for row in rows] == [clot.email, worse.email, calm.email]
    assert [row["most_urgent_alert"] for row in rows] == [
        {"level": "urgent", "status": "acknowledged"},
        {"level": "soon", "status": "open"},
        None,
    ]


@pytest.mark.django_db
def test_of_two_alerts_as_severe_the_open_one_is_named(physio, physio_client, patient, linked):
    _, first = possible_clot(patient)
    alert_acknowledge(alert=first, by=physio)
    possible_clot(patient)

    assert row_of(physio_client, patient)["most_urgent_alert"] == {
        "level": "urgent",
        "status": "open",
    }


# --- Alerts carry when and what ----------------------------------------------------------


@pytest.mark.django_db
def test_a_red_flag_synced_from_offline_says_when_the_patient_recorded_it(
    physio_client, patient, linked
):
    recorded = timezone.now() - dt.timedelta(hours=30)
    log, alert = possible_clot(patient, recorded_at=recorded)

    item = physio_client.get("/api/v1/alerts/").json()["results"][0]

    assert item["id"] == str(alert.id)
    assert item["log"] == str(log.id)
    assert dt.datetime.fromisoformat(item["recorded_at"]) == recorded
    assert dt.datetime.fromisoformat(item["created_at"]) > recorded


@pytest.mark.django_db
def test_a_missed_exercise_alert_has_no_log_and_no_recorded_time(
    physio, physio_client, patient, linked
):
    a_plan_nobody_follows(physio, patient)
    missed_exercises_sweep()

    item = physio_client.get("/api/v1/alerts/").json()["results"][0]

    assert (item["kind"], item["log"], item["recorded_at"]) == ("missed_exercises", None, None)


@pytest.mark.django_db
def test_alerts_come_most_severe_first_then_newest(physio, physio_client, patient, linked):
    _, urgent = possible_clot(patient)
    soon = Alert.objects.create(patient=patient, kind="worsening", level="soon", codes=[])
    resolved = Alert.objects.create(
        patient=patient, kind="red_flag", level="emergency", status=AlertStatus.RESOLVED
    )
    newer_urgent = possible_clot(patient)[1]

    results = physio_client.get("/api/v1/alerts/").json()["results"]

    assert [row["id"] for row in results] == [
        str(newer_urgent.id),
        str(urgent.id),
        str(soon.id),
        str(resolved.id),  # resolved ones after every unresolved one
    ]


# --- Resolving with a note ---------------------------------------------------------------


@pytest.mark.django_db
def test_resolving_keeps_the_note_on_the_alert_and_in_its_history(
    physio, physio_client, patient, linked
):
    _, alert = possible_clot(patient)

    response = physio_client.post(
        f"/api/v1/alerts/{alert.id}/resolve/",
        {"note": "  Seen in A&E: scan clear.  "},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["resolution_note"] == "Seen in A&E: scan clear."
    event = AlertEvent.objects.get(alert=alert, action="resolved")
    assert (event.actor, event.details) == (physio, {"note": "Seen in A&E: scan clear."})


@pytest.mark.django_db
def test_resolving_with_an_empty_body_still_works(physio_client, patient, linked):
    _, alert = possible_clot(patient)

    response = physio_client.post(f"/api/v1/alerts/{alert.id}/resolve/")

    assert response.status_code == 200
    assert response.json()["resolution_note"] == ""
    assert AlertEvent.objects.get(alert=alert, action="resolved").details == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        pytest.param({"note": 12}, "note", "invalid", id="not_a_string"),
        pytest.param({"note": None}, "note", "null", id="null"),
        pytest.param({"note": "x" * 2001}, "note", "max_length", id="too_long"),
        pytest.param({"comment": "done"}, "comment", "unknown_field", id="unknown_field"),
    ],
)
def test_a_bad_resolution_note_is_refused_and_nothing_changes(
    physio_client, patient, linked, body, attr, code
):
    _, alert = possible_clot(patient)

    response = physio_client.post(f"/api/v1/alerts/{alert.id}/resolve/", body, format="json")

    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [(attr, code)]
    alert.refresh_from_db()
    assert (alert.status, alert.resolution_note) == ("open", "")
    assert not AlertEvent.objects.filter(alert=alert, action="resolved").exists()


@pytest.mark.django_db
def test_an_outsider_cannot_resolve_with_a_note(other_physio, patient, linked):
    _, alert = possible_clot(patient)

    response = client_for(other_physio).post(
        f"/api/v1/alerts/{alert.id}/resolve/", {"note": "x"}, format="json"
    )

    assert response.status_code == 404
    alert.refresh_from_db()
    assert (alert.status, alert.resolution_note) == ("open", "")


# --- Context for the portal ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_red_flags_context_has_its_signs_note_and_pain(physio, patient, linked):
    recorded = timezone.now() - dt.timedelta(hours=5)
    log, alert = possible_clot(patient, recorded_at=recorded, note="Calf hot since the flight")

    (context,) = alert_contexts(alerts_for(user=physio))

    assert context.alert == alert
    assert context.log == log
    assert context.recorded_at == recorded
    assert context.note == "Calf hot since the flight"
    assert context.signs[0] == "Possible blood clot (DVT)"
    assert {"Swelling: significant", "Redness", "Warmth"} <= set(context.signs)
    assert context.figures == ("Pain 6/10",)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "reviewed", "name"),
    [
        pytest.param("en", True, "Possible blood clot (DVT)", id="english"),
        pytest.param("es", False, "Possible blood clot (DVT)", id="spanish-unreviewed"),
        pytest.param("es", True, "Posible coágulo (TVP)", id="spanish-reviewed"),
    ],
)
def test_a_red_flags_name_is_spanish_only_once_reviewed(
    physio, patient, linked, language, reviewed, name
):
    """The alert card names a red flag as the diary does: the reviewed translation in the
    reader's language, English otherwise; never an unreviewed translation."""
    possible_clot(patient)
    RedFlagTranslation.objects.update_or_create(
        code="possible_dvt",
        language="es",
        defaults={
            "title": "Posible coágulo (TVP)",
            "advice": "Busque atención hoy.",
            "reviewed_by": "editor@example.org" if reviewed else "",
            "reviewed_at": timezone.now() if reviewed else None,
        },
    )

    with translation.override(language):
        (context,) = alert_contexts(alerts_for(user=physio))

    assert context.signs[0] == name


@pytest.mark.django_db
def test_a_worsened_lefs_reads_as_its_figures(physio, patient_client, linked):
    instruments_load()
    base = lefs_body([3] * 10 + [2] * 10)  # 50
    base["completed_at"] = (timezone.now() - dt.timedelta(days=14)).isoformat()
    assert patient_client.post("/api/v1/outcome-responses/", base, format="json").status_code == 201
    worse = lefs_body([2] * 18 + [1] * 2)  # 38
    assert (
        patient_client.post("/api/v1/outcome-responses/", worse, format="json").status_code == 201
    )

    (context,) = alert_contexts(alerts_for(user=physio))

    assert context.figures == ("LEFS 50 → 38",)
    assert context.signs == ()
    assert context.recorded_at == dt.datetime.fromisoformat(worse["completed_at"])


@pytest.mark.django_db
def test_contexts_cost_two_queries_for_any_number_of_alerts(
    physio, patient, linked, django_assert_num_queries
):
    for _ in range(5):
        possible_clot(patient)
    alerts = list(alerts_for(user=physio))

    # the red flags' logs; no instrument is named, so no read of their names
    with django_assert_num_queries(1):
        contexts = alert_contexts(alerts)

    assert len(contexts) == 5

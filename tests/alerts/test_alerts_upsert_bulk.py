"""alerts_upsert_bulk, as the sweeps call it: new alerts and their `raised` events (one
statement from a JSON document on PostgreSQL), updates of active ones, and the patients
whose alert was raised by someone else between the read and the insert."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.alerts import services
from apps.alerts.models import Alert, AlertEvent
from tests.factories import AlertFactory, PatientFactory

RECORDED = dt.datetime(2026, 3, 29, 0, 59, 58, 123456, tzinfo=dt.UTC)  # microseconds kept


def finding(codes=("pain_rising",), level="soon", details=None, recorded_at=RECORDED):
    return (level, list(codes), details or {"pain_rising": {"from": 2.5, "to": 6.0}}, recorded_at)


def row(alert):
    alert.refresh_from_db()
    return {
        "kind": alert.kind,
        "level": alert.level,
        "codes": alert.codes,
        "status": alert.status,
        "details": alert.details,
        "recorded_at": alert.recorded_at,
        "symptom_log": alert.symptom_log_id,
        "acknowledged": (alert.acknowledged_at, alert.acknowledged_by_id),
        "resolved": (alert.resolved_at, alert.resolved_by_id, alert.resolution_note),
    }


@pytest.mark.django_db
def test_new_alerts_are_stored_whole_with_their_raised_event():
    first, second = PatientFactory(), PatientFactory()
    before = timezone.now()

    changed, current = services.alerts_upsert_bulk(
        kind="worsening",
        findings={
            first.id: finding(codes=("swelling_new", "pain_rising"), level="urgent"),
            second.id: finding(details={"ünïcode": "ça va"}, recorded_at=None),
        },
    )

    assert {alert.patient_id for alert in changed} == {first.id, second.id}
    assert set(current) == {first.id, second.id}
    stored = Alert.objects.get(patient=first)
    assert current[first.id].pk == stored.pk
    assert row(stored) == {
        "kind": "worsening",
        "level": "urgent",
        "codes": ["pain_rising", "swelling_new"],
        "status": "open",
        "details": {"pain_rising": {"from": 2.5, "to": 6.0}},
        "recorded_at": RECORDED,
        "symptom_log": None,
        "acknowledged": (None, None),
        "resolved": (None, None, ""),
    }
    assert row(Alert.objects.get(patient=second))["details"] == {"ünïcode": "ça va"}
    assert Alert.objects.get(patient=second).recorded_at is None
    assert before <= stored.created_at <= stored.updated_at <= timezone.now()
    events = list(AlertEvent.objects.filter(alert__patient__in=[first, second]))
    assert sorted((e.alert.patient_id, e.action, e.actor_id) for e in events) == sorted(
        [(first.id, "raised", None), (second.id, "raised", None)]
    )
    assert {e.alert_id: e.details for e in events}[stored.pk] == stored.details
    assert all(before <= e.at <= timezone.now() for e in events)


@pytest.mark.django_db
def test_an_active_alert_gains_only_new_codes_and_one_updated_event():
    patient = PatientFactory()
    active = AlertFactory(worsening=True, patient=patient, codes=["pain_rising"])

    changed, current = services.alerts_upsert_bulk(
        kind="worsening", findings={patient.id: finding(codes=("pain_rising", "numbness_new"))}
    )
    again, _ = services.alerts_upsert_bulk(
        kind="worsening", findings={patient.id: finding(codes=("numbness_new",))}
    )

    assert [alert.pk for alert in changed] == [active.pk]
    assert again == []
    assert current[patient.id].pk == active.pk
    assert row(active)["codes"] == ["numbness_new", "pain_rising"]
    assert Alert.objects.filter(patient=patient).count() == 1
    assert list(AlertEvent.objects.filter(alert=active).values_list("action", "details")) == [
        ("updated", {"added": ["numbness_new"]})
    ]


@pytest.mark.django_db
def test_a_patient_alerted_since_the_read_is_skipped_by_the_insert_and_updated():
    """The bulk read of active alerts does not see one raised in between (here: it is
    made to read nothing); the insert skips that patient, who is then updated one by one,
    and the others are raised as usual."""
    raced, calm = PatientFactory(), PatientFactory()
    theirs = AlertFactory(worsening=True, patient=raced, codes=["pain_rising"])

    assert (
        services._alerts_raise(kind="worsening", findings={raced.id: finding()}, now=timezone.now())
        == []
    )  # the partial unique constraint holds; nothing half-written
    assert AlertEvent.objects.filter(alert__patient=raced).count() == 0

    manager = Alert.objects
    real = manager.select_for_update

    def blind_once():  # the bulk read sees nothing; alert_upsert's own read is real
        del manager.select_for_update
        return real().none()

    manager.select_for_update = blind_once
    try:
        changed, current = services.alerts_upsert_bulk(
            kind="worsening",
            findings={
                raced.id: finding(codes=("swelling_new",)),
                calm.id: finding(),
            },
        )
    finally:
        manager.__dict__.pop("select_for_update", None)

    assert current[raced.id].pk == theirs.pk
    assert row(theirs)["codes"] == ["pain_rising", "swelling_new"]
    assert Alert.objects.filter(patient=raced).count() == 1
    assert Alert.objects.filter(patient=calm, status="open").count() == 1
    assert {alert.patient_id for alert in changed} == {raced.id, calm.id}
    assert list(AlertEvent.objects.filter(alert=theirs).values_list("action", flat=True)) == [
        "updated"
    ]


def test_json_rows_keep_every_microsecond_and_offset_and_refuse_what_json_cannot_hold():
    import decimal
    import json
    import uuid

    from backend.inserts import json_rows

    moment = dt.datetime(2026, 3, 29, 1, 0, 0, 7, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    key = uuid.uuid4()

    assert json.loads(json_rows([{"at": moment, "id": key, "n": 0.25}])) == [
        {"at": "2026-03-29T01:00:00.000007+02:00", "id": str(key), "n": 0.25}
    ]
    with pytest.raises(TypeError):
        json_rows([{"n": decimal.Decimal("0.25")}])

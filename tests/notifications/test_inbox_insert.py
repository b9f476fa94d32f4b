"""notifications_insert: the sweeps' inbox writer (one INSERT … SELECT from a JSON document
on PostgreSQL) writes the same rows as notifications_bulk_create, deliveries included."""

import pytest

from apps.notifications import inbox
from apps.notifications.models import DeliveryStatus, Notification, PushDelivery
from backend import queue
from tests.factories import AlertFactory, DeviceFactory, PatientFactory, PhysioFactory


@pytest.fixture
def published(monkeypatch):
    sent: list[str] = []
    monkeypatch.setattr(
        queue,
        "send_many",
        lambda name, args, **kw: sent.extend(i for (ids,) in args for i in ids) or len(args),
    )
    return sent


def stored(notifications):
    return sorted(
        (
            str(n.user_id),
            n.kind,
            n.title,
            n.body,
            n.text_params,
            n.data,
            str(n.alert_id),
            n.read_at,
            sorted(
                (str(d.device_id), d.status, d.attempts, d.last_error) for d in n.deliveries.all()
            ),
        )
        for n in notifications
    )


def rows_for(alert, physio, patient, quiet):
    return [
        {
            "user_id": physio.id,
            "kind": "alert",
            "title": "Urgent: Symptoms getting worse",
            "body": "Open the app to review this patient's alert.",
            "data": {"alert_id": str(alert.id), "level": "urgent"},
            "alert_id": alert.id,
        },
        {
            "user_id": patient.id,
            "kind": "advice",
            "title": "Your symptoms seem to be getting worse",
            "body": "Ease off.",
            "data": {"alert_id": str(alert.id)},
        },
        {
            "user_id": quiet.id,
            "kind": "reminder",
            "title": "Time for your exercises",
            "text_params": {"count": 2},
        },
    ]


@pytest.mark.django_db
def test_the_rows_and_deliveries_are_those_bulk_create_writes(
    django_capture_on_commit_callbacks, published
):
    physio, patient, quiet = PhysioFactory(), PatientFactory(), PatientFactory()
    alert = AlertFactory(patient=patient)
    phone, tablet = DeviceFactory(user=physio), DeviceFactory(user=physio)
    DeviceFactory(user=physio, active=False)
    own = DeviceFactory(user=patient)
    rows = rows_for(alert, physio, patient, quiet)

    with django_capture_on_commit_callbacks(execute=True):
        assert inbox.notifications_insert(rows) == 3
    queue.hand_off.drain()
    by_insert = list(Notification.objects.all())
    with django_capture_on_commit_callbacks(execute=True):
        inbox.notifications_bulk_create([Notification(**row) for row in rows])
    queue.hand_off.drain()
    by_orm = [n for n in Notification.objects.all() if n not in by_insert]

    assert stored(by_insert) == stored(by_orm)
    assert all(n.created_at is not None for n in by_insert)
    deliveries = PushDelivery.objects.filter(notification__in=by_insert)
    assert sorted(str(d.device_id) for d in deliveries) == sorted(
        str(device.id) for device in (phone, tablet, own)
    )  # the inactive device and the user with none get no delivery
    assert {d.status for d in deliveries} == {DeliveryStatus.PENDING}
    inserted_ids = {str(d.id) for d in deliveries}
    assert inserted_ids <= set(published)  # published after commit
    assert len(published) == 2 * len(inserted_ids)


@pytest.mark.django_db
def test_nothing_is_written_for_no_rows_or_an_unknown_field(published):
    patient = PatientFactory()

    assert inbox.notifications_insert([]) == 0
    with pytest.raises(TypeError):
        inbox.notifications_insert(
            [{"user_id": patient.id, "kind": "advice", "title": "x", "x": 1}]
        )

    assert not Notification.objects.exists()
    assert published == []

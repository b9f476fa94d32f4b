import uuid

import pytest

from apps.notifications.models import Notification
from tests.conftest import client_for


def notify(user, title="Hello"):
    return Notification.objects.create(user=user, kind="reminder", title=title)


@pytest.mark.django_db
def test_the_inbox_is_own_newest_first(patient_client, patient, other_patient):
    first, second = notify(patient, "first"), notify(patient, "second")
    notify(other_patient)

    titles = [n["title"] for n in patient_client.get("/api/v1/notifications/").json()["results"]]

    assert titles == ["second", "first"]
    assert first.pk != second.pk


@pytest.mark.django_db
def test_marking_read_is_idempotent_and_filters_unread(patient_client, patient):
    note = notify(patient)

    first = patient_client.post(f"/api/v1/notifications/{note.id}/read/")
    again = patient_client.post(f"/api/v1/notifications/{note.id}/read/")

    assert first.status_code == 200
    assert first.json()["read_at"] == again.json()["read_at"] is not None
    assert patient_client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"] == []


@pytest.mark.django_db
def test_another_users_notification_is_404(patient, other_patient):
    note = notify(patient)
    response = client_for(other_patient).post(f"/api/v1/notifications/{note.id}/read/")
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
    assert (
        client_for(other_patient).post(f"/api/v1/notifications/{uuid.uuid4()}/read/").status_code
        == 404
    )


@pytest.mark.django_db
def test_physios_and_editors_have_an_inbox_too(physio_client, editor_client, api_client):
    assert physio_client.get("/api/v1/notifications/").status_code == 200
    assert editor_client.get("/api/v1/notifications/").status_code == 200
    assert api_client.get("/api/v1/notifications/").status_code == 401


@pytest.mark.django_db
def test_unknown_fields_on_read_are_refused(patient_client, patient):
    note = notify(patient)
    response = patient_client.post(
        f"/api/v1/notifications/{note.id}/read/", {"read": False}, format="json"
    )
    assert response.status_code == 400
    note.refresh_from_db()
    assert note.read_at is None

import uuid

import pytest
from django.utils import timezone

from apps.care.models import CareSession

CHANGELIST = "/admin/care/caresession/"


@pytest.fixture
def stored(patient) -> CareSession:
    return CareSession.objects.create(
        patient=patient,
        client_id=uuid.uuid4(),
        kind="ice",
        started_at=timezone.now(),
        planned_minutes=15,
    )


@pytest.mark.django_db
def test_staff_can_list_and_filter_sessions_by_kind(staff_browser, stored):
    response = staff_browser.get(CHANGELIST, {"kind__exact": "ice"})

    assert response.status_code == 200
    assert str(stored.id) in response.content.decode()


@pytest.mark.django_db
def test_staff_cannot_add_change_or_delete_a_session(staff_browser, stored):
    assert staff_browser.get(f"{CHANGELIST}add/").status_code == 403
    assert staff_browser.get(f"{CHANGELIST}{stored.pk}/delete/").status_code == 403

    response = staff_browser.post(
        f"{CHANGELIST}{stored.pk}/change/", {"planned_minutes": "20", "kind": "ice"}
    )

    assert response.status_code == 403
    stored.refresh_from_db()
    assert stored.planned_minutes == 15
    assert CareSession.objects.count() == 1

"""Staff see thread metadata in the admin, never what was written (apps/messaging/admin.py)."""

import uuid

import pytest

from apps.messaging.models import Message
from apps.messaging.services import message_send

SECRET = "Zebrafish: my calf is swollen"


@pytest.fixture
def message(link, patient) -> Message:
    return message_send(link=link, sender=patient, client_id=uuid.uuid4(), body=SECRET).message


@pytest.mark.django_db
def test_staff_see_messages_without_their_text(staff_browser, message, patient):
    listing = staff_browser.get("/admin/messaging/message/")
    detail = staff_browser.get(f"/admin/messaging/message/{message.pk}/change/")
    # Searching bodies would reveal them one guess at a time: only emails are searched.
    search = staff_browser.get("/admin/messaging/message/", {"q": "Zebrafish"})

    assert listing.status_code == detail.status_code == search.status_code == 200
    for page in (listing, detail):
        assert "Zebrafish" not in page.content.decode()
        assert "swollen" not in page.content.decode()
    assert str(message.pk) in listing.content.decode()
    assert patient.email in listing.content.decode()
    assert f'<div class="readonly">{len(SECRET)}</div>' in detail.content.decode()
    assert str(message.pk) not in search.content.decode()  # (the search box echoes the query)
    by_email = staff_browser.get("/admin/messaging/message/", {"q": patient.email})
    assert str(message.pk) in by_email.content.decode()


@pytest.mark.django_db
def test_staff_cannot_add_change_or_delete_messages(staff_browser, message):
    assert staff_browser.get("/admin/messaging/message/add/").status_code == 403
    assert staff_browser.post(f"/admin/messaging/message/{message.pk}/delete/").status_code == 403
    staff_browser.post(
        f"/admin/messaging/message/{message.pk}/change/", {"body": "changed by staff"}
    )
    message.refresh_from_db()
    assert message.body == SECRET

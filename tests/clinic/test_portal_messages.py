"""The portal's messages: "New" badges on the patient's unread messages and a count on the
Messages tab, both cleared in place once the thread is read."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


def test_new_badges_and_the_tab_count_clear_when_the_thread_is_read(
    portal, physio, patient, linked
):
    now = timezone.now()
    older, newer = (
        MessageFactory(link=linked, body=body, created_at=now - dt.timedelta(minutes=minutes))
        for body, minutes in (("Can I swim?", 10), ("And cycle?", 5))
    )
    MessageFactory(
        link=linked, sender=physio, body="Yes.", created_at=now - dt.timedelta(minutes=1)
    )

    overview = portal.get(f"/clinic/patients/{patient.pk}/").content.decode()
    assert re.search(
        r'Messages<span id="messages-tab-new"> <span class="badge[^"]*">2 new</span>', overview
    )

    page = portal.get(f"/clinic/patients/{patient.pk}/messages/").content.decode()
    assert f'id="new-{older.pk}"' in page
    assert f'id="new-{newer.pk}"' in page
    assert page.count(">New</span>") == 2

    answer = portal.post(
        f"/clinic/patients/{patient.pk}/messages/read/",
        {"up_to": str(newer.pk)},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "All messages read." in body
    for message in (older, newer):
        assert f'<span id="new-{message.pk}" hx-swap-oob="delete"></span>' in body
    assert '<span id="messages-tab-new" hx-swap-oob="true"></span>' in body

    again = portal.get(f"/clinic/patients/{patient.pk}/messages/").content.decode()
    assert ">New</span>" not in again
    assert "new</span>" not in again


def test_a_message_that_arrives_after_the_page_stays_new(portal, physio, patient, linked):
    now = timezone.now()
    shown = MessageFactory(link=linked, created_at=now - dt.timedelta(minutes=10))
    later = MessageFactory(link=linked, body="One more thing", created_at=now)

    answer = portal.post(
        f"/clinic/patients/{patient.pk}/messages/read/",
        {"up_to": str(shown.pk)},
        headers={"HX-Request": "true"},
    ).content.decode()

    assert f'id="new-{shown.pk}" hx-swap-oob="delete"' in answer
    assert f"new-{later.pk}" not in answer
    assert ">1 new</span>" in answer

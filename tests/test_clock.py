"""The frozen clock of tests/clock.py starts before a test's other fixtures."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from tests.clock import FROZEN_NOW


@pytest.mark.django_db
def test_named_last_the_frozen_clock_still_starts_first(patient, patient_client, frozen_now):
    assert frozen_now == FROZEN_NOW
    assert FROZEN_NOW <= patient.date_joined < FROZEN_NOW + dt.timedelta(minutes=1)
    # The client's token was issued on the frozen clock too, so it is accepted.
    assert patient_client.get("/api/v1/me/").status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_the_frozen_clock_ticks_on_from_the_frozen_instant(patient):
    first = timezone.now()
    time.sleep(0.01)
    second = timezone.now()

    assert FROZEN_NOW <= first < second < FROZEN_NOW + dt.timedelta(minutes=1)
    assert timezone.localdate(first, timezone=patient.zone) == dt.date(2026, 11, 18)

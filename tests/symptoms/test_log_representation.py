"""The bulk sync renders its logs with log_representations, built from the stored fields
for speed: it must give exactly what SymptomLogSerializer gives, key order included."""

import datetime as dt
import json
import uuid
import zoneinfo

import pytest
from django.utils import timezone

from apps.symptoms.serializers import SymptomLogSerializer, log_representations
from apps.symptoms.services import symptom_log_create


def _as_sent(data) -> str:
    return json.dumps(data, separators=(",", ":"))


@pytest.mark.django_db
def test_the_fast_representation_is_the_serializers_own(patient):
    now = timezone.now()
    plain = symptom_log_create(
        patient=patient,
        client_id=uuid.uuid4(),
        recorded_at=now - dt.timedelta(hours=1, microseconds=1),
        pain_score=3,
        locations=["front_of_knee"],
        qualities=["aching"],
        note="stairs",
    ).log
    red_flag = symptom_log_create(
        patient=patient,
        client_id=uuid.uuid4(),
        recorded_at=now - dt.timedelta(minutes=5),
        pain_score=7,
        side="left",
        locations=["calf"],
        swelling="significant",
        redness=True,
        warmth=True,
        can_bear_weight=False,
        triggers=["walking"],
    ).log
    red_flag.hints = [{"code": "referred_pain", "message": "Maybe the back.", "matched": ["a"]}]
    assert red_flag.triage_codes  # a flag to render

    for zone in ("UTC", "Europe/London", "Pacific/Auckland"):
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            fast = log_representations([plain, red_flag])
            slow = [SymptomLogSerializer(log).data for log in (plain, red_flag)]
            assert _as_sent(fast) == _as_sent(slow)

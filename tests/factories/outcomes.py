"""Outcome instruments (as data), schedules and scored responses.

Rows made here skip the outcome services: nothing is scored, judged against a baseline or
reminded. Load the shipped instruments with `apps.outcomes.services.instruments_load()`
and answer through the API where a test needs the real scoring.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from apps.outcomes.models import Instrument, InstrumentVersion, OutcomeResponse, OutcomeSchedule

from .accounts import PatientFactory, PhysioFactory
from .episodes import episode_of

TWO_ITEMS = [{"id": "1", "text": "walking"}, {"id": "2", "text": "stairs"}]
ANSWERS = [
    {"value": 0, "label": "unable"},
    {"value": 1, "label": "some"},
    {"value": 2, "label": "easily"},
]


class InstrumentFactory(factory.django.DjangoModelFactory):
    """A made-up instrument (not one of the shipped ones)."""

    class Meta:
        model = Instrument

    code = factory.Sequence(lambda n: f"test-instrument-{n}")
    url = factory.LazyAttribute(lambda o: f"urn:test:questionnaire:{o.code}")


class InstrumentVersionFactory(factory.django.DjangoModelFactory):
    """Two items scored 0–2, summed (0–4, higher is better, MCID 1), enabled."""

    class Meta:
        model = InstrumentVersion

    instrument = factory.SubFactory(InstrumentFactory)
    version = "1"
    title = factory.LazyAttribute(lambda o: f"Test scale {o.instrument.code}")
    question = "How able are you to do these today?"
    items = factory.LazyFunction(lambda: [dict(item) for item in TWO_ITEMS])
    answers = factory.LazyFunction(lambda: [dict(answer) for answer in ANSWERS])
    method = "sum"
    score_min = Decimal(0)
    score_max = Decimal(4)
    higher_is_better = True
    mcid = Decimal(1)
    source = "Made up for the tests."
    licence = "None needed."


class OutcomeScheduleFactory(factory.django.DjangoModelFactory):
    """Every 7 days from today, for a new patient each time (one active schedule per
    patient and instrument)."""

    class Meta:
        model = OutcomeSchedule

    patient = factory.SubFactory(PatientFactory)
    physio = factory.SubFactory(PhysioFactory)
    episode = factory.LazyAttribute(lambda o: episode_of(o.patient, o.physio))
    instrument = factory.LazyAttribute(lambda o: InstrumentVersionFactory().instrument)
    every_days = 7
    starts_on = factory.LazyFunction(timezone.localdate)


class OutcomeResponseFactory(factory.django.DjangoModelFactory):
    """A baseline response (no change, no responder) of the schedule's instrument."""

    class Meta:
        model = OutcomeResponse

    schedule = factory.SubFactory(OutcomeScheduleFactory)
    patient = factory.LazyAttribute(lambda o: o.schedule.patient)
    instrument = factory.LazyAttribute(lambda o: o.schedule.instrument)
    version = factory.LazyAttribute(lambda o: o.instrument.versions.get(enabled=True))
    client_id = factory.LazyFunction(uuid.uuid4)
    answers = factory.LazyFunction(lambda: [{"item": "1", "value": 1}, {"item": "2", "value": 2}])
    score = Decimal(3)
    completed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))

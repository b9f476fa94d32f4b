"""Symptom logs, stored with the triage their own fields give."""

import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from apps.symptoms.models import SymptomLog
from apps.symptoms.triage import LogFacts, TriageResult, triage

from .accounts import PatientFactory


def triage_of(log) -> TriageResult:
    """The triage of a log being built, from its declared fields (not its history)."""
    facts = {}
    for name in LogFacts.__dataclass_fields__:
        try:
            value = getattr(log, name)
        except AttributeError:  # not declared: the model's default, which is LogFacts' too
            continue
        facts[name] = frozenset(value) if isinstance(value, list | tuple | set) else value
    return triage(LogFacts(**facts))


class SymptomLogFactory(factory.django.DjangoModelFactory):
    """An unremarkable log made a minute ago. Red-flag fields (`fever=True`, ...) give
    the triage level and codes the rules give them, as the service would store; like any
    direct insert, it raises no alert (use the API or `symptom_log_create` for that)."""

    class Meta:
        model = SymptomLog

    patient = factory.SubFactory(PatientFactory)
    client_id = factory.LazyFunction(uuid.uuid4)
    recorded_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
    pain_score = 4
    side = "left"
    locations = factory.LazyFunction(lambda: ["front_of_knee"])
    qualities = factory.LazyFunction(lambda: ["aching"])
    triggers = factory.LazyFunction(lambda: ["stairs"])
    triage_level = factory.LazyAttribute(lambda o: triage_of(o).level)
    triage_codes = factory.LazyAttribute(lambda o: [flag.code for flag in triage_of(o).flags])

"""Alerts for physiotherapists and their events."""

import factory
from django.utils import timezone

from apps.alerts.models import Alert, AlertEvent, AlertEventAction, AlertKind, AlertStatus

from .accounts import PatientFactory, PhysioFactory
from .symptoms import SymptomLogFactory


class AlertFactory(factory.django.DjangoModelFactory):
    """An open red-flag alert with the urgent log that raised it.

    Traits: `worsening=True` (no log; one active per patient), `missed_exercises=True`,
    `acknowledged=True`, `resolved=True`.
    """

    class Meta:
        model = Alert

    patient = factory.SubFactory(PatientFactory)
    kind = AlertKind.RED_FLAG
    symptom_log = factory.SubFactory(
        SymptomLogFactory,
        patient=factory.SelfAttribute("..patient"),
        locations=["calf"],
        redness=True,
        warmth=True,
    )
    level = factory.LazyAttribute(lambda o: o.symptom_log.triage_level if o.symptom_log else "soon")
    codes = factory.LazyAttribute(
        lambda o: list(o.symptom_log.triage_codes) if o.symptom_log else ["pain_rising"]
    )
    status = AlertStatus.OPEN

    class Params:
        worsening = factory.Trait(kind=AlertKind.WORSENING, symptom_log=None)
        missed_exercises = factory.Trait(
            kind=AlertKind.MISSED_EXERCISES,
            symptom_log=None,
            level="self_care",
            codes=["adherence_below_half"],
            details={"adherence_7d": 0.25},
        )
        acknowledged = factory.Trait(
            status=AlertStatus.ACKNOWLEDGED,
            acknowledged_at=factory.LazyFunction(timezone.now),
            acknowledged_by=factory.SubFactory(PhysioFactory),
        )
        resolved = factory.Trait(
            status=AlertStatus.RESOLVED,
            resolved_at=factory.LazyFunction(timezone.now),
            resolved_by=factory.SubFactory(PhysioFactory),
        )


class AlertEventFactory(factory.django.DjangoModelFactory):
    """The "raised" event of a new alert (pass `action` and `actor` for others)."""

    class Meta:
        model = AlertEvent

    alert = factory.SubFactory(AlertFactory)
    action = AlertEventAction.RAISED

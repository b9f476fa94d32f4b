"""Home-care sessions."""

import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from apps.care.models import CareKind, CareSession

from .accounts import PatientFactory


class CareSessionFactory(factory.django.DjangoModelFactory):
    """A 15-minute ice session started a minute ago (ice lasts 15 to 20 minutes; other
    kinds 1 to 240). Like any direct insert, it schedules no reminder."""

    class Meta:
        model = CareSession

    patient = factory.SubFactory(PatientFactory)
    client_id = factory.LazyFunction(uuid.uuid4)
    kind = CareKind.ICE
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
    planned_minutes = 15

    class Params:
        finished = factory.Trait(finished_at=factory.LazyFunction(timezone.now))

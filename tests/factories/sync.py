"""The sync app's rows. Triggers write change rows in real use; these are for tests that
need one directly (the factory check, pruning edge cases)."""

import uuid

import factory
from django.utils import timezone

from apps.sync.models import Change, PruneMark


class ChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Change

    patient_id = factory.LazyFunction(uuid.uuid4)
    kind = "symptom_logs"
    object_id = factory.LazyFunction(uuid.uuid4)
    at = factory.LazyFunction(timezone.now)


class PruneMarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PruneMark

    # The service keeps one row (id 1); the factory makes distinct rows for its check.
    id = factory.Sequence(lambda n: n + 1)
    at = factory.LazyFunction(timezone.now)

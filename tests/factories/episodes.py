"""Episodes of care and their goals.

Rows made here skip the episode services: no care-team link is checked. Plans and outcome
schedules made by their factories join their patient and physio's active episode
(`episode_of`), opened for them when there is none, as the services do.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from apps.clinics.selectors import home_clinic_of
from apps.episodes.models import Episode, EpisodeStatus, Goal

from .accounts import PatientFactory, PhysioFactory
from .clinics import the_test_clinic


class EpisodeFactory(factory.django.DjangoModelFactory):
    """An active episode that started a week ago, for a new patient each time."""

    class Meta:
        model = Episode

    patient = factory.SubFactory(PatientFactory)
    physio = factory.SubFactory(PhysioFactory)
    clinic = factory.LazyAttribute(
        lambda o: (o.physio and home_clinic_of(physio=o.physio)) or the_test_clinic()
    )
    title = "Knee pain"
    started_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=7))
    status = EpisodeStatus.ACTIVE

    class Params:
        discharged = factory.Trait(
            status=EpisodeStatus.DISCHARGED, discharged_at=factory.LazyFunction(timezone.now)
        )


class GoalFactory(factory.django.DjangoModelFactory):
    """LEFS 60 or more within six weeks of the episode's start."""

    class Meta:
        model = Goal

    episode = factory.SubFactory(EpisodeFactory)
    description = "Climb stairs without a rail"
    instrument = "lefs"
    target = Decimal(60)
    due_on = factory.LazyAttribute(lambda o: o.episode.started_on + timedelta(days=42))
    created_by = factory.LazyAttribute(lambda o: o.episode.physio)


def episode_of(patient, physio) -> Episode:
    """The pair's active episode, opened (started today) when there is none."""
    episode = Episode.objects.filter(
        patient=patient, physio=physio, status=EpisodeStatus.ACTIVE
    ).first()
    return episode or EpisodeFactory(
        patient=patient, physio=physio, started_on=timezone.localdate()
    )

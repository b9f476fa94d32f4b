"""Which episode new work joins, and opening episodes (apps.episodes.services)."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.episodes.models import Episode, EpisodeStatus
from apps.episodes.services import episode_for_new_work, episode_open
from backend.errors import Conflict
from tests.factories import EpisodeFactory, PatientFactory

pytestmark = pytest.mark.usefixtures("frozen_now")


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


@pytest.mark.django_db
def test_new_work_opens_the_physios_episode_once_then_joins_it(physio, patient, linked):
    with transaction.atomic():
        first = episode_for_new_work(physio=physio, patient=patient)
    with transaction.atomic():
        again = episode_for_new_work(physio=physio, patient=patient)

    assert first.pk == again.pk
    assert (first.title, first.status) == ("Episode of care", EpisodeStatus.ACTIVE)
    assert first.started_on == timezone.now().astimezone(patient.zone).date()
    assert Episode.objects.count() == 1


@pytest.mark.django_db
def test_new_work_never_joins_another_physios_or_a_discharged_episode(
    physio, other_physio, patient, linked
):
    theirs = EpisodeFactory(patient=patient, physio=other_physio)
    EpisodeFactory(patient=patient, physio=physio, discharged=True)

    with transaction.atomic():
        joined = episode_for_new_work(physio=physio, patient=patient)

    assert joined.pk != theirs.pk
    assert joined.physio == physio
    assert joined.status == EpisodeStatus.ACTIVE


@pytest.mark.django_db
def test_a_named_episode_must_be_this_patients_this_physios_and_active(
    physio, other_physio, patient, linked
):
    mine = EpisodeFactory(patient=patient, physio=physio)
    theirs = EpisodeFactory(patient=patient, physio=other_physio, started_on=mine.started_on)
    elsewhere = EpisodeFactory(physio=physio)
    closed = EpisodeFactory(patient=patient, physio=physio, discharged=True)

    with transaction.atomic():
        assert episode_for_new_work(physio=physio, patient=patient, episode_id=mine.pk) == mine
    for episode_id, code in (
        (theirs.pk, "not_your_episode"),
        (elsewhere.pk, "does_not_exist"),
        (uuid.uuid4(), "does_not_exist"),
    ):
        with pytest.raises(ValidationError) as error, transaction.atomic():
            episode_for_new_work(physio=physio, patient=patient, episode_id=episode_id)
        assert codes(error.value) == {"episode": [code]}
    with pytest.raises(Conflict) as conflict, transaction.atomic():
        episode_for_new_work(physio=physio, patient=patient, episode_id=closed.pk)
    assert conflict.value.code == "episode_discharged"


@pytest.mark.django_db
def test_opening_checks_the_link_the_dates_and_the_one_active_episode(physio, patient, linked):
    today = timezone.now().astimezone(patient.zone).date()
    stranger = PatientFactory()
    cases = [
        ({"patient": stranger}, {"patient": ["not_linked"]}),
        ({"started_on": today + dt.timedelta(days=2)}, {"started_on": ["in_future"]}),
        ({"started_on": today - dt.timedelta(days=731)}, {"started_on": ["too_old"]}),
        ({"title": ""}, {"title": ["blank"]}),
    ]
    for changes, expected in cases:
        arguments = {"physio": physio, "patient": patient, "title": "Knee", **changes}
        with pytest.raises(ValidationError) as error:
            episode_open(**arguments)
        assert codes(error.value) == expected
    assert not Episode.objects.exists()

    episode_open(physio=physio, patient=patient, title="Knee", started_on=today)
    with pytest.raises(Conflict) as conflict:
        episode_open(physio=physio, patient=patient, title="Again")
    assert conflict.value.code == "active_episode_exists"
    assert Episode.objects.count() == 1

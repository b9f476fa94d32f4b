"""docs/domain.md's ice limit holds on every path: model validation (services, admin) and the
database itself (raw writes that bypass both)."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.care.models import CareSession


def session(patient, **overrides) -> CareSession:
    fields = {
        "patient": patient,
        "client_id": uuid.uuid4(),
        "kind": "ice",
        "started_at": timezone.now() - timedelta(minutes=1),
        "planned_minutes": 15,
    }
    fields.update(overrides)
    return CareSession(**fields)


@pytest.mark.django_db
@pytest.mark.parametrize("minutes", [10, 14, 21, 25])
def test_validation_refuses_ice_outside_15_to_20_minutes(patient, minutes):
    with pytest.raises(ValidationError) as caught:
        session(patient, planned_minutes=minutes).full_clean()
    assert caught.value.message_dict == {
        "planned_minutes": ["An ice session lasts 15 to 20 minutes."]
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "minutes"), [("rest", 0), ("elevation", 241)])
def test_validation_refuses_any_session_outside_1_to_240_minutes(patient, kind, minutes):
    with pytest.raises(ValidationError) as caught:
        session(patient, kind=kind, planned_minutes=minutes).full_clean()
    assert "planned_minutes" in caught.value.message_dict


@pytest.mark.django_db
def test_the_database_refuses_an_ice_session_of_25_minutes(patient):
    with pytest.raises(IntegrityError), transaction.atomic():
        CareSession.objects.create(
            patient=patient,
            client_id=uuid.uuid4(),
            kind="ice",
            started_at=timezone.now(),
            planned_minutes=25,
        )
    assert not CareSession.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_an_update_that_stretches_ice_to_25_minutes(patient):
    stored = session(patient)
    stored.save()

    with pytest.raises(IntegrityError), transaction.atomic():
        CareSession.objects.filter(pk=stored.pk).update(planned_minutes=25)

    stored.refresh_from_db()
    assert stored.planned_minutes == 15


@pytest.mark.django_db
def test_the_database_refuses_turning_a_long_rest_into_ice(patient):
    stored = session(patient, kind="rest", planned_minutes=60)
    stored.save()

    with pytest.raises(IntegrityError), transaction.atomic():
        CareSession.objects.filter(pk=stored.pk).update(kind="ice")

    stored.refresh_from_db()
    assert stored.kind == "rest"


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "minutes"), [("rest", 0), ("elevation", 241)])
def test_the_database_refuses_any_session_outside_1_to_240_minutes(patient, kind, minutes):
    with pytest.raises(IntegrityError), transaction.atomic():
        session(patient, kind=kind, planned_minutes=minutes).save()
    assert not CareSession.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_a_second_copy_of_one_client_id(patient):
    first = session(patient)
    first.save()

    with pytest.raises(IntegrityError), transaction.atomic():
        session(patient, client_id=first.client_id).save()

    assert CareSession.objects.count() == 1

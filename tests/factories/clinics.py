"""Clinics and their staff. Every physio a factory makes works in the shared test clinic
(`the_test_clinic`) unless told otherwise: `PhysioFactory(clinic=other)` puts them in
another, `PhysioFactory(clinic=False)` in none."""

from datetime import timedelta

import factory
from django.utils import timezone

from apps.clinics.models import Clinic, StaffInvite, StaffMembership, StaffRole

TEST_CLINIC_SLUG = "test-clinic"


def the_test_clinic() -> Clinic:
    clinic, _ = Clinic.objects.get_or_create(
        slug=TEST_CLINIC_SLUG, defaults={"name": "Riverside Physiotherapy", "timezone": "UTC"}
    )
    return clinic


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    timezone = "Europe/London"


class StaffMembershipFactory(factory.django.DjangoModelFactory):
    """A physio on a new clinic's staff (besides the test clinic)."""

    class Meta:
        model = StaffMembership

    clinic = factory.SubFactory(ClinicFactory)
    user = factory.SubFactory("tests.factories.accounts.PhysioFactory")
    role = StaffRole.CLINICIAN


def _admin_of(clinic: Clinic):
    from .accounts import PhysioFactory

    return PhysioFactory(clinic=clinic, clinic__role=StaffRole.ADMIN)


class StaffInviteFactory(factory.django.DjangoModelFactory):
    """An open invitation to a new clinic's staff, sent by one of its admins. The token is
    not known (only its hash is stored): tests that follow the link issue one through
    `apps.clinics.services.staff_invite_create`."""

    class Meta:
        model = StaffInvite

    clinic = factory.SubFactory(ClinicFactory)
    email = factory.Sequence(lambda n: f"invited{n}@example.org")
    role = StaffRole.CLINICIAN
    invited_by = factory.LazyAttribute(lambda invite: _admin_of(invite.clinic))
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))

"""Clinics and their staff. Every physio a factory makes works in the shared test clinic
(`the_test_clinic`) unless told otherwise: `PhysioFactory(clinic=other)` puts them in
another, `PhysioFactory(clinic=False)` in none."""

import factory

from apps.clinics.models import Clinic, StaffMembership, StaffRole

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

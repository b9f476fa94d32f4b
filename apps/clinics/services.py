"""Writes for clinics and their staff."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.accounts.models import Role, User

from .errors import ClinicError
from .models import Clinic, StaffMembership, StaffRole

DEMO_CLINIC_SLUG = "demo"
DEMO_PHYSIO_EMAIL = "physio@example.com"


def _slug_taken() -> ValidationError:
    return ValidationError(
        {"slug": ValidationError("Another clinic has this slug.", code=ClinicError.SLUG_TAKEN)}
    )


def clinic_create(*, name: str, slug: str, timezone: str = "UTC") -> Clinic:
    clinic = Clinic(name=name, slug=slug, timezone=timezone)
    clinic.full_clean(validate_unique=False)
    if Clinic.objects.filter(slug=slug).exists():
        raise _slug_taken()
    try:
        with transaction.atomic():
            clinic.save(force_insert=True)
    except IntegrityError as error:  # a concurrent copy won
        raise _slug_taken() from error
    return clinic


def staff_add(*, clinic: Clinic, user: User, role: str = StaffRole.CLINICIAN) -> StaffMembership:
    """Put a physio on a clinic's staff, or change their role there (idempotent)."""
    if user.role != Role.PHYSIO:
        raise ValidationError(
            "Only physiotherapists are a clinic's staff.", code=ClinicError.NOT_A_PHYSIO
        )
    if role not in StaffRole.values:
        raise ValidationError({"role": ValidationError("Unknown role.", code="invalid_choice")})
    membership, _ = StaffMembership.objects.update_or_create(
        clinic=clinic, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def on_bootstrap(sender: object, *, options: dict[str, Any], **kwargs: Any) -> list[str]:
    """`manage.py bootstrap --demo`: the demo physio works in a demo clinic, as its admin."""
    if not options.get("demo"):
        return []
    physio = User.objects.filter(email=DEMO_PHYSIO_EMAIL, role=Role.PHYSIO).first()
    if physio is None:
        return []
    clinic = Clinic.objects.filter(slug=DEMO_CLINIC_SLUG).first() or clinic_create(
        name="Demo clinic", slug=DEMO_CLINIC_SLUG
    )
    staff_add(clinic=clinic, user=physio, role=StaffRole.ADMIN)
    return [f"Demo clinic: {clinic.name} ({clinic.slug}), {physio.email} its admin."]

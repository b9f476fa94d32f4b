"""Reads about clinics, scoped to the caller: a physio sees the clinics they work in."""

from django.db.models import QuerySet

from apps.accounts.models import Role, User

from .models import Clinic, StaffMembership


def memberships_of(*, user: User) -> QuerySet[StaffMembership]:
    """The caller's places on clinics' staff, oldest first (none for patients, editors)."""
    if user.role != Role.PHYSIO:
        return StaffMembership.objects.none()
    return StaffMembership.objects.filter(user=user).select_related("clinic")


def home_clinic_of(*, physio: User) -> Clinic | None:
    """The clinic a physio's new episodes belong to: the first they joined."""
    membership = memberships_of(user=physio).order_by("created_at", "id").first()
    return membership.clinic if membership is not None else None

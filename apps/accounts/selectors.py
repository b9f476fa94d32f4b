"""Reads scoped to the caller: who may see whom."""

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from .models import CareTeamLink, PatientAccessAudit, Role, User

# Columns no read for display or authentication needs: never selected by them. A code
# path that does need one (a password change) reads it on access, at one query's cost.
SECRET_FIELDS = ("password",)


def users_without_secrets() -> QuerySet[User]:
    """Users as read for authentication or display: every column but the secrets."""
    return User.objects.defer(*SECRET_FIELDS)


def active_links() -> QuerySet[CareTeamLink]:
    return CareTeamLink.objects.filter(ended_at__isnull=True)


def care_team_links_for(*, user: User) -> QuerySet[CareTeamLink]:
    """The active links the caller is part of."""
    links = (
        active_links()
        .select_related("physio", "patient")
        .defer(*(f"{who}__{name}" for who in ("physio", "patient") for name in SECRET_FIELDS))
    )
    if user.role == Role.PHYSIO:
        return links.filter(physio=user)
    if user.role == Role.PATIENT:
        return links.filter(patient=user)
    return links.none()


def linked_patients_of(*, physio: User) -> QuerySet[User]:
    return users_without_secrets().filter(
        role=Role.PATIENT,
        is_active=True,
        physio_links__physio=physio,
        physio_links__ended_at__isnull=True,
    )


def own_exercises_audience(sender: object, *, user: User, **kwargs: Any) -> Q | None:
    """hooks.exercise_audience: a physio reads the exercises they wrote; a patient those
    of the physiotherapists caring for them now."""
    if user.role == Role.PHYSIO:
        return Q(owner=user)
    if user.role == Role.PATIENT:
        return Q(owner__in=active_links().filter(patient=user).values("physio_id"))
    return None


def is_linked(*, physio: User, patient: User) -> bool:
    return active_links().filter(physio=physio, patient=patient).exists()


def patient_for_physio(*, physio: User, patient_id: UUID | str) -> User | None:
    """A patient the physio is linked to now, or None (whether or not the id exists)."""
    try:
        return linked_patients_of(physio=physio).get(pk=patient_id)
    except (User.DoesNotExist, ValidationError, ValueError, TypeError):
        return None


def export_for(patient: User) -> dict[str, Any]:
    """The patient's account, care team and who read their records, for the export."""

    return {
        "profile": {
            "id": patient.id,
            "email": patient.email,
            "role": patient.role,
            "timezone": patient.timezone,
            "quiet_hours_start": patient.quiet_hours_start,
            "quiet_hours_end": patient.quiet_hours_end,
            "affected_side": patient.affected_side,
            "date_joined": patient.date_joined,
        },
        "care_team": list(
            CareTeamLink.objects.filter(patient=patient).values(
                "id", "physio__email", "created_at", "ended_at"
            )
        ),
        "record_access": list(
            PatientAccessAudit.objects.filter(patient=patient)
            .order_by("at")
            .values("physio__email", "what", "at")
        ),
    }

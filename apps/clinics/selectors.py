"""Reads about clinics, scoped to the caller: a physio sees the clinics they work in; a
clinic's admin its staff and their counts, never a patient's record."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import PatientAccessAudit, Role, User
from backend import hooks

from .models import Clinic, StaffInvite, StaffMembership, StaffRole


def memberships_of(*, user: User) -> QuerySet[StaffMembership]:
    """The caller's places on clinics' staff, oldest first (none for patients, editors)."""
    if user.role != Role.PHYSIO:
        return StaffMembership.objects.none()
    return StaffMembership.objects.filter(user=user).select_related("clinic")


def home_clinic_of(*, physio: User) -> Clinic | None:
    """The clinic a physio's new episodes belong to: the first they joined."""
    membership = memberships_of(user=physio).order_by("created_at", "id").first()
    return membership.clinic if membership is not None else None


def clinic_ids_of(*, user: User) -> QuerySet[Any]:
    """The ids of the clinics the caller works in, as a subquery: what scopes a physio's
    reach to episodes (and the plans and schedules in them) to their own clinics'."""
    return memberships_of(user=user).values("clinic_id")


def clinics_for(*, user: User) -> QuerySet[StaffMembership]:
    """`GET clinics/`: the caller's clinics with their role there."""
    return memberships_of(user=user).order_by("clinic__name", "clinic__slug", "clinic_id")


def clinic_for_admin(*, user: User, clinic_id: UUID | str) -> Clinic | None:
    """A clinic the caller administers, or None (whether or not it exists)."""
    try:
        membership = memberships_of(user=user).filter(clinic_id=clinic_id, role=StaffRole.ADMIN)
        found = membership.first()
    except (ValidationError, ValueError):
        return None
    return found.clinic if found is not None else None


def _reads_by_staff_of(clinic: Clinic) -> QuerySet[PatientAccessAudit]:
    # A semi-join on the staff, not a join: one row per read however the memberships look.
    return PatientAccessAudit.objects.filter(
        physio_id__in=StaffMembership.objects.filter(clinic=clinic).values("user_id")
    )


def audit_of(
    *,
    clinic: Clinic,
    staff: UUID | None = None,
    patient: UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[PatientAccessAudit]:
    """`GET clinics/{id}/audit/`: the reads of patient records by the people on this
    clinic's staff (any role, active or not), newest first, each with who read and whose
    records; filtered by staff member, patient and time (inclusive). A read is a person's,
    not a clinic's: a physio on two clinics' staff shows in both audits
    (docs/decisions/clinic-audit.md). One query a page (`select_related`)."""
    rows = _reads_by_staff_of(clinic)
    if staff is not None:
        rows = rows.filter(physio_id=staff)
    if patient is not None:
        rows = rows.filter(patient_id=patient)
    if since is not None:
        rows = rows.filter(at__gte=since)
    if until is not None:
        rows = rows.filter(at__lte=until)
    return rows.select_related("physio", "patient").order_by("-at", "-id")


def audited_patients_of(*, clinic: Clinic) -> QuerySet[User]:
    """The patients whose records this clinic's staff have read, by name: the portal's
    patient filter offers these and no other (the admin learns of no patient the audit
    does not already show)."""
    read = _reads_by_staff_of(clinic).values("patient_id")
    return User.objects.filter(pk__in=read).order_by("display_name", "date_joined", "id")


def staff_of(*, clinic: Clinic) -> list[dict[str, Any]]:
    """The clinic's staff with their counts: active patients (active care-team links) and
    what other apps count per physio (hooks.staff_counts: open alerts). Counts only: no
    patient is named. A fixed number of queries whatever the size of the staff."""
    members = list(
        StaffMembership.objects.filter(clinic=clinic)
        .select_related("user")
        .annotate(
            active_patients=Count(
                "user__patient_links",
                filter=Q(
                    user__patient_links__ended_at__isnull=True,
                    user__patient_links__patient__is_active=True,
                ),
            )
        )
        .order_by("user__display_name", "user__email", "id")
    )
    ids = [member.user_id for member in members]
    counted: dict[str, dict[Any, int]] = {}
    for _receiver, counts in hooks.staff_counts.send(sender=Clinic, physio_ids=ids):
        if isinstance(counts, dict):
            counted.update(counts)
    return [
        {
            "id": member.user_id,
            "display_name": member.user.display_name,
            "email": member.user.email,
            "role": member.role,
            "active": member.user.is_active,
            "active_patients": member.active_patients,
            **{name: per_physio.get(member.user_id, 0) for name, per_physio in counted.items()},
        }
        for member in members
    ]


def open_invites_of(*, clinic: Clinic, now: datetime | None = None) -> QuerySet[StaffInvite]:
    """`GET clinics/{id}/staff-invites/`: the clinic's invitations waiting for an answer
    (not accepted, revoked or expired), newest first, with who sent each."""
    return (
        StaffInvite.objects.filter(
            clinic=clinic,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at", "id")
    )


def staff_invite_of(*, clinic: Clinic, invite_id: UUID | str) -> StaffInvite | None:
    """One of the clinic's invitations (whatever its state), or None."""
    try:
        return StaffInvite.objects.filter(clinic=clinic, pk=invite_id).first()
    except (ValidationError, ValueError):
        return None


def administered_clinics_of(*, user: User) -> QuerySet[Clinic]:
    """The clinics the caller is an admin of, by name (the portal's Staff pages)."""
    return Clinic.objects.filter(
        memberships__user=user,
        memberships__role=StaffRole.ADMIN,
        memberships__user__role=Role.PHYSIO,
    ).order_by("name", "slug", "id")


def colleagues_of(*, clinic: Clinic, physio: User) -> QuerySet[User]:
    """The clinic's active physiotherapists other than `physio`: who may take their
    patients over (the handover checks the same again)."""
    return (
        User.objects.filter(clinic_memberships__clinic=clinic, role=Role.PHYSIO, is_active=True)
        .exclude(pk=physio.pk)
        .order_by("display_name", "email", "id")
    )

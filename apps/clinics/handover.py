"""Handing a leaving physiotherapist's patients over to a colleague, in one transaction
(docs/decisions/clinics.md).

Every active care-team link of the physio ends and the colleague gets one with the same
patient; every active episode, active plan and running outcome schedule changes hands
(hooks.physio_handover: episodes, plans and outcomes move their own rows); reminders are
the patient's and go on as they were. Each patient is told, in their language, with no
health data. The account is deactivated and every token and session of it ends.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from apps.accounts.models import CareTeamLink, Role, User
from apps.notifications.inbox import notifications_bulk_create
from apps.notifications.models import Notification, NotificationKind
from backend import hooks
from backend.errors import Conflict

from .errors import ClinicError
from .models import Clinic, StaffMembership


@dataclass(frozen=True)
class Handover:
    physio: User
    transfer_to: User | None
    patients: int


def _successor(clinic: Clinic, leaving: User, transfer_to_id) -> User:
    membership = (
        StaffMembership.objects.select_related("user")
        .filter(
            clinic=clinic,
            user_id=transfer_to_id,
            user__role=Role.PHYSIO,
            user__is_active=True,
        )
        .exclude(user=leaving)
        .first()
    )
    if membership is None:
        raise ValidationError(
            {
                "transfer_to": ValidationError(
                    _("Not an active colleague in this clinic."), code=ClinicError.INVALID_TRANSFER
                )
            }
        )
    return membership.user


def _tell(patients: list[User], successor: User, clinic: Clinic) -> None:
    # Stored in English with the names apart, read and pushed in each patient's language
    # (apps/notifications/texts.py).
    params = {"name": successor.shown_name, "clinic": clinic.name}
    notifications_bulk_create(
        [
            Notification(
                user=patient,
                kind=NotificationKind.CARE_TEAM,
                title=gettext_noop("Your physiotherapist has changed"),
                body=gettext_noop("%(name)s at %(clinic)s now looks after your care."),
                text_params=params,
            )
            for patient in patients
        ]
    )


def staff_member(*, clinic: Clinic, user_id) -> User | None:
    """A physio on this clinic's staff, or None."""
    try:
        membership = (
            StaffMembership.objects.select_related("user").filter(clinic=clinic, user_id=user_id)
        ).first()
    except (ValidationError, ValueError):
        return None
    return membership.user if membership is not None else None


@transaction.atomic
def staff_deactivate(
    *,
    clinic: Clinic,
    physio: User,
    by: User,
    transfer_to_id=None,
    now: datetime | None = None,
) -> Handover:
    """Deactivate a physio of the clinic, handing everything they lead to `transfer_to_id`
    (an active colleague of the same clinic). 409 `has_patients` when they have active
    patients and no colleague is named."""
    now = now or timezone.now()
    # The leaving account's row, locked: a second deactivation waits and then finds
    # nothing left to move.
    physio = User.objects.select_for_update().get(pk=physio.pk)
    links = list(
        CareTeamLink.objects.select_for_update()
        .select_related("patient")
        .filter(physio=physio, ended_at__isnull=True)
        .order_by("created_at", "id")
    )
    successor = None
    if transfer_to_id is not None:
        successor = _successor(clinic, physio, transfer_to_id)
    elif links:
        raise Conflict(
            _("This physiotherapist still cares for patients: name a colleague to take them over."),
            ClinicError.HAS_PATIENTS,
        )
    if successor is not None:
        hooks.physio_handover.send(sender=Clinic, physio=physio, successor=successor, now=now)
        CareTeamLink.objects.filter(pk__in=[link.pk for link in links]).update(
            ended_at=now, ended_by=by
        )
        already = set(
            CareTeamLink.objects.filter(
                physio=successor,
                ended_at__isnull=True,
                patient__in=[link.patient for link in links],
            ).values_list("patient_id", flat=True)
        )
        CareTeamLink.objects.bulk_create(
            [
                CareTeamLink(physio=successor, patient=link.patient)
                for link in links
                if link.patient_id not in already
            ]
        )
        _tell([link.patient for link in links], successor, clinic)
    User.objects.filter(pk=physio.pk).update(
        is_active=False, token_generation=F("token_generation") + 1
    )
    physio.refresh_from_db(fields=["is_active", "token_generation"])
    return Handover(physio=physio, transfer_to=successor, patients=len(links))

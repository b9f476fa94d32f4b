"""Clinics and their staff (docs/decisions/clinics.md).

A clinic is a practice: physiotherapists belong to it as staff, with a role. Episodes of
care belong to the clinic of the physio who opened them (apps.episodes points here); what
a physio may do to an episode depends on both the care-team link and the clinic.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.accounts.models import Language, validate_timezone
from apps.accounts.single_use import SingleUseToken


class StaffRole(models.TextChoices):
    """`admin` manages the clinic's staff and sees its counts and audit; an admin is a
    clinician too (linked patients' records stay reachable through the link)."""

    CLINICIAN = "clinician", "Clinician"
    ADMIN = "admin", "Clinic admin"


class Clinic(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=160)
    slug = models.SlugField(max_length=64, unique=True)
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text="The clinic's own time zone (IANA name), for its staff's views.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "slug"]

    def __str__(self) -> str:
        return self.name


class StaffMembership(models.Model):
    """A physiotherapist on a clinic's staff. One row per clinic and person; whether they
    still work is the account's `is_active` (deactivation hands their patients over)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="clinic_memberships",
        limit_choices_to={"role": "physio"},
    )
    role = models.CharField(max_length=16, choices=StaffRole.choices, default=StaffRole.CLINICIAN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "user"], name="clinics_one_membership"),
        ]
        indexes = [models.Index(fields=["user", "created_at"], name="clinics_member_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} at {self.clinic} ({self.get_role_display()})"


class StaffInvite(SingleUseToken):
    """An e-mailed invitation to join a clinic's staff as a new physiotherapist account
    (docs/api.md, "Staff invitations"). Only the token's keyed hash is stored
    (apps/accounts/single_use.py); `used_at` is when it was accepted.

    At most one invitation per clinic and address waits at a time: inviting again revokes
    the earlier one (the partial unique constraint is the guard when two admins race)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="staff_invites")
    # Stored lower-cased, as accounts' addresses are.
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=16, choices=StaffRole.choices, default=StaffRole.CLINICIAN)
    # The e-mail's language (the inviter's), and the new account's.
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.EN)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="staff_invites_sent",
        limit_choices_to={"role": "physio"},
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_invite_accepted",
    )

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "email"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="clinics_one_open_invite",
            ),
        ]
        indexes = [models.Index(fields=["clinic", "created_at"], name="clinics_invite_clinic_idx")]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.clinic} ({self.get_role_display()})"

"""Writes for clinics and their staff: clinics, memberships, and staff invitations by
e-mail (the handover of a leaving physio is in handover.py)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone as clock
from django.utils.translation import gettext_lazy as _

from apps.accounts.mail import email_render, email_send_on_commit, portal_link
from apps.accounts.models import Role, User
from apps.accounts.services import user_create
from apps.accounts.single_use import IssuedToken, single_use_find, single_use_issue
from backend.errors import CommonError, Conflict

from .errors import ClinicError
from .models import Clinic, StaffInvite, StaffMembership, StaffRole

DEMO_CLINIC_SLUG = "demo"
DEMO_PHYSIO_EMAIL = "physio@example.com"


def _slug_taken() -> ValidationError:
    return ValidationError(
        {"slug": ValidationError(_("Another clinic has this slug."), code=ClinicError.SLUG_TAKEN)}
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
            _("Only physiotherapists are a clinic's staff."), code=ClinicError.NOT_A_PHYSIO
        )
    if role not in StaffRole.values:
        raise ValidationError({"role": ValidationError(_("Unknown role."), code="invalid_choice")})
    membership, _created = StaffMembership.objects.update_or_create(
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


# --- Staff invitations ------------------------------------------------------------------

STAFF_INVITE_LIFETIME = timedelta(days=7)
# The scope in the token's keyed hash: a token of another kind (a password reset) is not
# an invitation (apps/accounts/single_use.py).
STAFF_INVITE_SCOPE = "staff_invite"
# Where the e-mail's link leads: the portal's page that takes the token.
STAFF_INVITE_PATH = "staff-invite/accept/"


def _already_registered() -> Conflict:
    return Conflict(
        str(
            _(
                "An account with this e-mail address exists already. Invitations make new "
                "accounts; a superuser adds an existing account to a clinic in the admin."
            )
        ),
        ClinicError.ALREADY_REGISTERED,
    )


def _invalid_invite_token() -> ValidationError:
    return ValidationError(
        {
            "token": ValidationError(
                _("This invitation has expired, was withdrawn or was already used."),
                code=ClinicError.INVALID_TOKEN,
            )
        }
    )


def _open_invites(clinic: Clinic, email: str) -> Any:
    return StaffInvite.objects.filter(
        clinic=clinic, email=email, used_at__isnull=True, revoked_at__isnull=True
    )


def staff_invite_create(
    *, clinic: Clinic, by: User, email: str, role: str = StaffRole.CLINICIAN
) -> IssuedToken[StaffInvite]:
    """Invite `email` to the clinic's staff as `role`: a single-use link (7 days) e-mailed
    in the inviter's language, after commit. An earlier invitation of the same address to
    this clinic that is still open is revoked: its link stops working. An address that
    already has an account is a 409 `already_registered`."""
    address = User.objects.normalize_email(email).strip().lower()
    if role not in StaffRole.values:
        raise ValidationError({"role": ValidationError(_("Unknown role."), code="invalid_choice")})
    if User.objects.filter(email__iexact=address).exists():
        raise _already_registered()
    now = clock.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                _open_invites(clinic, address).update(revoked_at=now)
                issued = single_use_issue(
                    StaffInvite,
                    scope=STAFF_INVITE_SCOPE,
                    lifetime=STAFF_INVITE_LIFETIME,
                    now=now,
                    clinic=clinic,
                    email=address,
                    role=role,
                    language=by.language,
                    invited_by=by,
                )
        except IntegrityError:
            continue  # another admin invited the same address at this instant: theirs goes
        _staff_invite_email(issued, by=by)
        return issued
    raise Conflict(_("Another invitation of this address is being made."), CommonError.CONFLICT)


def _staff_invite_email(issued: IssuedToken[StaffInvite], *, by: User) -> None:
    """Who invites, to which clinic, a link and how long it works: nothing about patients."""
    invite = issued.row
    email_send_on_commit(
        email_render(
            "staff_invite",
            folder="clinics/email",
            to=invite.email,
            language=invite.language,
            context={
                "inviter": by.shown_name,
                "clinic": invite.clinic.name,
                "admin": invite.role == StaffRole.ADMIN,
                "link": portal_link(STAFF_INVITE_PATH, token=issued.token),
                "days": STAFF_INVITE_LIFETIME.days,
            },
            expires_at=invite.expires_at,
        )
    )


@transaction.atomic
def staff_invite_revoke(*, invite: StaffInvite, now: datetime | None = None) -> StaffInvite:
    """Withdraw an invitation: its link stops working at once. Revoking one already
    revoked changes nothing; one already accepted is a 409 `invite_accepted`. The update
    is conditional on the invitation being unused, so it cannot undo an acceptance that
    committed first, and an acceptance that comes after finds it revoked."""
    now = now or clock.now()
    StaffInvite.objects.filter(pk=invite.pk, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    invite.refresh_from_db(fields=["used_at", "revoked_at"])
    if invite.used_at is not None:
        raise Conflict(_("This invitation was accepted already."), ClinicError.INVITE_ACCEPTED)
    return invite


def staff_invite_find(*, token: object, now: datetime | None = None) -> StaffInvite | None:
    """The open invitation a token names (not used, revoked or expired), or None. Nothing
    is spent: the acceptance page shows whose invitation it is before the form is sent."""
    return single_use_find(
        StaffInvite.objects.filter(revoked_at__isnull=True).select_related("clinic"),
        scope=STAFF_INVITE_SCOPE,
        token=token,
        now=now,
    )


@dataclass(frozen=True)
class Accepted:
    user: User
    membership: StaffMembership


@transaction.atomic
def staff_invite_accept(*, token: object, password: str, display_name: str) -> Accepted:
    """Make the invited physiotherapist's account: on the clinic's staff with the invited
    role, in the invitation's language and the clinic's time zone, its address verified
    (the link reached that inbox). All or nothing: the account, the membership and the
    spent invitation commit together.

    A used, revoked, expired or unknown token is a 400 `invalid_token`; a password the
    validators refuse or a bad display name is a 400 on that field and leaves the link
    usable; an address that got an account meanwhile is a 409 `already_registered`."""
    now = clock.now()
    invite = staff_invite_find(token=token, now=now)
    if invite is None:
        raise _invalid_invite_token()
    if User.objects.filter(email__iexact=invite.email).exists():
        raise _already_registered()
    user = user_create(
        email=invite.email,
        password=password,
        role=Role.PHYSIO,
        timezone=invite.clinic.timezone,
        language=invite.language,
        display_name=display_name,
    )
    # The claim: of two acceptances racing with one link, or an acceptance racing a
    # revocation, exactly one update matches the still-open row.
    claimed = StaffInvite.objects.filter(
        pk=invite.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(used_at=now, accepted_by=user)
    if claimed != 1:
        raise _invalid_invite_token()  # the account made above rolls back with the error
    user.email_verified_at = now
    user.save(update_fields=["email_verified_at"])
    membership = staff_add(clinic=invite.clinic, user=user, role=invite.role)
    return Accepted(user=user, membership=membership)

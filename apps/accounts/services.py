"""Writes for accounts: registration, staff-made accounts, profile updates, the care
team (links, invites) and the audit of physios' reads."""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend import hooks

from .errors import AccountError, InviteError
from .models import CareTeamInvite, CareTeamLink, PatientAccessAudit, Role, User
from .permissions_by_role import ROLE_PERMISSIONS

EDITORS_GROUP = "editors"
# Editors manage medical content and nothing else: no users, no patient data.
EDITOR_APP_LABELS = ("content",)


def _email_taken_error() -> ValidationError:
    return ValidationError(
        {
            "email": ValidationError(
                "An account with this email already exists.", code=AccountError.EMAIL_TAKEN
            )
        }
    )


@transaction.atomic
def user_create(*, email: str, password: str, role: str, timezone: str = "UTC") -> User:
    """Create an account of any role after the same checks registration applies."""
    if role not in Role.values:
        raise ValidationError({"role": ValidationError("Unknown role.", code="invalid_choice")})
    email = User.objects.normalize_email(email).lower()
    user = User(email=email, role=role, timezone=timezone)
    # Uniqueness is checked here, case-insensitively, and by the database on save.
    user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from error
    if User.objects.filter(email__iexact=email).exists():
        raise _email_taken_error()
    user.set_password(password)
    try:
        # The savepoint keeps the outer transaction usable when a racing copy won.
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise _email_taken_error() from error
    user_role_access_sync(user=user)
    return user


def user_role_access_sync(*, user: User) -> None:
    """What the role grants in the admin: an editor is staff in the editors group; any
    other role is not in that group. Other staff flags are left as staff set them."""
    group = editors_group_sync()
    if user.role == Role.EDITOR:
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(group)
    else:
        user.groups.remove(group)


def user_register(*, email: str, password: str, timezone: str) -> User:
    """Self-service registration makes patients only (docs/api.md, Accounts)."""
    return user_create(email=email, password=password, timezone=timezone, role=Role.PATIENT)


PROFILE_FIELDS = ("timezone", "quiet_hours_start", "quiet_hours_end", "affected_side")


@transaction.atomic
def user_profile_update(*, user: User, **changes: Any) -> User:
    """Change profile fields only; email and role are not changed here."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(
            {
                name: ValidationError("This field cannot be changed.", code="read_only")
                for name in unknown
            }
        )
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=[*changes.keys()] if changes else None)
    if user.role == Role.PATIENT and set(changes) & REMINDER_FIELDS:
        # Reminders are planned in the patient's zone and moved out of quiet hours: every
        # reminder source re-plans (backend/hooks.py).
        hooks.reminders_replan.send(sender=User, user=user, now=timezone.now())
    return user


REMINDER_FIELDS = {"timezone", "quiet_hours_start", "quiet_hours_end"}


def editors_group_sync() -> Group:
    """The editors group holds exactly the content apps' permissions, less those a role
    holds by itself (a physio's own exercises: permissions_by_role.py)."""
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    by_role = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    group.permissions.set(
        [
            permission
            for permission in Permission.objects.filter(
                content_type__app_label__in=EDITOR_APP_LABELS
            ).select_related("content_type")
            if f"{permission.content_type.app_label}.{permission.codename}" not in by_role
        ]
    )
    return group


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str


DEMO_PASSWORD = "demo-knee-2026"  # noqa: S105 - printed for local demo accounts only
DEMO_ACCOUNTS = (
    DemoAccount(Role.PATIENT, "patient@example.com", DEMO_PASSWORD),
    DemoAccount(Role.PHYSIO, "physio@example.com", DEMO_PASSWORD),
    DemoAccount(Role.EDITOR, "editor@example.com", DEMO_PASSWORD),
)


@transaction.atomic
def demo_accounts_ensure() -> list[DemoAccount]:
    """Local demo users; never called by production set-up. Safe to run again."""
    for account in DEMO_ACCOUNTS:
        if not User.objects.filter(email=account.email).exists():
            user_create(email=account.email, password=account.password, role=account.role)
    return list(DEMO_ACCOUNTS)


# --- Care team ---------------------------------------------------------------------------


@transaction.atomic
def care_link_create(*, physio: User, patient: User) -> CareTeamLink:
    """Link a physio and a patient; an existing active link is returned as it is."""
    if physio.role != Role.PHYSIO:
        raise ValidationError({"physio": ValidationError("Not a physiotherapist.", code="invalid")})
    if patient.role != Role.PATIENT:
        raise ValidationError({"patient": ValidationError("Not a patient.", code="invalid")})
    existing = CareTeamLink.objects.filter(physio=physio, patient=patient, ended_at__isnull=True)
    link = existing.first()
    if link:
        return link
    try:
        with transaction.atomic():
            return CareTeamLink.objects.create(physio=physio, patient=patient)
    except IntegrityError:
        # A concurrent request made the same link first.
        return existing.get()


@transaction.atomic
def care_link_end(*, link: CareTeamLink, by: User) -> CareTeamLink:
    """End a link. The physio's access ends with it: every read checks for an active link."""
    if link.ended_at is None:
        link.ended_at = timezone.now()
        link.ended_by = by
        link.save(update_fields=["ended_at", "ended_by"])
        # What the physio set up for this patient stops with the link (outcome schedules).
        hooks.care_link_ended.send(sender=CareTeamLink, link=link)
    return link


# --- Care-team invites -------------------------------------------------------------------

INVITE_LIFETIME = timedelta(hours=72)
# Crockford's base32 without I, L, O and U: nothing a patient can misread when typing the
# code from paper. 32**8 ≈ 10**12 codes; joins are throttled per user.
INVITE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
INVITE_CODE_LENGTH = 8
# Crockford's decoding: the letters left out are read as the digits they look like.
_INVITE_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0", "-": None, " ": None})


@dataclass(frozen=True)
class IssuedInvite:
    invite: CareTeamInvite
    code: str  # shown once, as "ABCD-EFGH"; only its hash is stored


def invite_code_normalise(code: str) -> str:
    """What the patient typed, as it was generated: "abcd efgh" and "ABCD-EFGH" match."""
    return code.strip().upper().translate(_INVITE_LOOKALIKES)


def invite_code_hash(code: str) -> str:
    # Keyed with SECRET_KEY: with ~10^12 possible codes, a plain hash in a leaked
    # database could be reversed offline; a keyed one cannot without the key.
    return hmac.new(
        settings.SECRET_KEY.encode(), invite_code_normalise(code).encode(), hashlib.sha256
    ).hexdigest()


def invite_code_display(code: str) -> str:
    half = INVITE_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


# Error codes clients rely on (attr "code"); the join serializer lists them for the schema.
INVITE_ERRORS: dict[str, str] = {
    InviteError.INVALID: "This code is not valid.",
    InviteError.EXPIRED: "This code has expired. Ask your physiotherapist for a new one.",
    InviteError.USED: "This code has already been used.",
}


def _invite_error(code: InviteError) -> ValidationError:
    return ValidationError({"code": ValidationError(INVITE_ERRORS[code], code=code)})


@transaction.atomic
def care_invite_create(*, physio: User) -> IssuedInvite:
    """A new one-time code for a physio; the plain code exists only in the return value."""
    if physio.role != Role.PHYSIO:
        raise ValidationError({"physio": ValidationError("Not a physiotherapist.", code="invalid")})
    for _attempt in range(5):
        code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_CODE_LENGTH))
        invite = CareTeamInvite(
            physio=physio,
            code_hash=invite_code_hash(code),
            expires_at=timezone.now() + INVITE_LIFETIME,
        )
        try:
            # The savepoint keeps a caller's transaction usable after a (rare) clash.
            with transaction.atomic():
                invite.save(force_insert=True)
        except IntegrityError:
            continue  # the code is already taken by another invite: draw again
        return IssuedInvite(invite=invite, code=invite_code_display(code))
    raise RuntimeError("Could not draw an unused invite code.")


@transaction.atomic
def care_invite_join(*, patient: User, code: str) -> CareTeamLink:
    """Join the care team of the physio who issued the code. Each code works once.

    The claim is a conditional UPDATE: of two patients racing for one code, only the one
    whose update matched the still-unused row wins. Any error rolls everything back."""
    if patient.role != Role.PATIENT:
        raise ValidationError({"patient": ValidationError("Not a patient.", code="invalid")})
    invite = (
        CareTeamInvite.objects.select_related("physio")
        .filter(code_hash=invite_code_hash(code), physio__is_active=True)
        .first()
    )
    if invite is None:
        raise _invite_error(InviteError.INVALID)
    now = timezone.now()
    if invite.used_at is not None:
        raise _invite_error(InviteError.USED)
    if invite.expires_at <= now:
        raise _invite_error(InviteError.EXPIRED)
    claimed = CareTeamInvite.objects.filter(
        pk=invite.pk, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now, used_by=patient)
    if claimed != 1:
        # Another request used it between our read and our update.
        raise _invite_error(InviteError.USED)
    # An active link to the same physio is returned as it is; the code is spent anyway.
    link = care_link_create(physio=invite.physio, patient=patient)
    CareTeamInvite.objects.filter(pk=invite.pk).update(link=link)
    return link


# --- Audit of physios' reads ---------------------------------------------------------------


def patient_access_record(
    *,
    physio: User,
    patients: User | Iterable[User | UUID | str],
    what: str,
) -> None:
    """Record that a physio read these patients' records: one row per patient, one query.

    Views call this after they have resolved patients through a selector scoped to the
    physio, so every id here is one the physio may read."""
    if not what or len(what) > (PatientAccessAudit._meta.get_field("what").max_length or 0):
        raise ValueError(f"Audit 'what' must be 1 to 64 characters, not {what!r}.")
    if isinstance(patients, User):
        patients = [patients]
    to_pk = User._meta.pk.to_python
    # dict.fromkeys: one row per patient even when a page lists a patient twice.
    patient_ids = dict.fromkeys(
        patient.pk if isinstance(patient, User) else to_pk(patient) for patient in patients
    )
    if not patient_ids:
        return
    PatientAccessAudit.objects.bulk_create(
        [
            PatientAccessAudit(physio=physio, patient_id=patient_id, what=what)
            for patient_id in patient_ids
        ]
    )


# --- A patient's own data: erase and export -------------------------------------------------


@transaction.atomic
def user_erase(*, user: User) -> None:
    """Erase a patient's account and everything it owns (docs/api.md `DELETE me/`).

    Records hang off the user with CASCADE (logs, plans, sessions, alerts, reminders,
    notifications, devices, links, audit rows about them); failed-login records keyed
    by the email go too. Refresh tokens lose their user and stop working."""

    if user.role != Role.PATIENT:
        raise ValidationError(
            "Only a patient account can be erased this way.", code=AccountError.NOT_PATIENT
        )
    AccessAttempt.objects.filter(username__iexact=user.email).delete()
    AccessLog.objects.filter(username__iexact=user.email).delete()
    user.delete()


def on_bootstrap(sender: object, *, options: dict[str, Any], **kwargs: Any) -> list[str]:
    """`manage.py bootstrap`: the editors' permissions, and demo accounts with --demo."""
    editors_group_sync()
    lines = ["Editors' permissions synchronised."]
    if options.get("demo"):
        lines.append("Demo accounts (local use only):")
        lines += [
            f"  {account.role:<8} {account.email:<24} password: {account.password}"
            for account in demo_accounts_ensure()
        ]
    return lines

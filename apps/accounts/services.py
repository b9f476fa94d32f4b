"""Writes for accounts: registration, staff-made accounts, profile updates, e-mail
verification, passwords (reset, change) and signing out everywhere, the care team (links,
invites) and the audit of physios' reads."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend import hooks
from backend.queue import enqueue_on_commit

from .errors import AccountError, InviteError
from .mail import app_link, email_render, email_send_on_commit, portal_link
from .models import (
    AccountToken,
    CareTeamInvite,
    CareTeamLink,
    Language,
    PatientAccessAudit,
    Role,
    TokenPurpose,
    User,
)
from .permissions_by_role import ROLE_PERMISSIONS
from .single_use import (
    keyed_hash,
    keyed_hashes,
    single_use_claim,
    single_use_find,
    single_use_issue,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

EDITORS_GROUP = "editors"
# Editors manage medical content and nothing else: no users, no patient data.
EDITOR_APP_LABELS = ("content",)


def _email_taken_error() -> ValidationError:
    return ValidationError(
        {
            "email": ValidationError(
                _("An account with this email already exists."), code=AccountError.EMAIL_TAKEN
            )
        }
    )


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str,
    role: str,
    timezone: str = "UTC",
    language: str = Language.EN,
    display_name: str = "",
) -> User:
    """Create an account of any role after the same checks registration applies."""
    if role not in Role.values:
        raise ValidationError({"role": ValidationError(_("Unknown role."), code="invalid_choice")})
    email = User.objects.normalize_email(email).lower()
    user = User(
        email=email, role=role, timezone=timezone, language=language, display_name=display_name
    )
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


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    timezone: str,
    language: str = Language.EN,
    display_name: str = "",
) -> User:
    """Self-service registration makes patients only (docs/api.md, Accounts); the address
    gets a verification e-mail once the account is committed."""
    user = user_create(
        email=email,
        password=password,
        timezone=timezone,
        role=Role.PATIENT,
        language=language,
        display_name=display_name,
    )
    email_verification_send(user=user)
    return user


PROFILE_FIELDS = (
    "timezone",
    "quiet_hours_start",
    "quiet_hours_end",
    "affected_side",
    "display_name",
    "language",
)


@transaction.atomic
def user_profile_update(*, user: User, **changes: Any) -> User:
    """Change profile fields only; email and role are not changed here."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(
            {
                name: ValidationError(_("This field cannot be changed."), code="read_only")
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
    group, _created = Group.objects.get_or_create(name=EDITORS_GROUP)
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


# --- E-mail verification and passwords ----------------------------------------------------

EMAIL_VERIFICATION_LIFETIME = timedelta(hours=48)
PASSWORD_RESET_LIFETIME = timedelta(minutes=60)  # docs/api.md: at most 60 minutes


class ResetVia:
    """Where a reset link leads: the phone app, or the clinic portal's own page."""

    APP = "app"
    PORTAL = "portal"


def _invalid_token() -> ValidationError:
    return ValidationError(
        {
            "token": ValidationError(
                _("This link has expired or was already used. Ask for a new one."),
                code=AccountError.INVALID_TOKEN,
            )
        }
    )


@transaction.atomic
def email_verification_send(*, user: User) -> bool:
    """A new verification link to the account's address, sent after commit. Earlier links
    keep working until they expire or one of them is used. Nothing is sent (False) when
    the address is already verified."""
    if user.email_verified_at is not None:
        return False
    issued = single_use_issue(
        AccountToken,
        scope=TokenPurpose.VERIFY_EMAIL,
        lifetime=EMAIL_VERIFICATION_LIFETIME,
        user=user,
        purpose=TokenPurpose.VERIFY_EMAIL,
        email=user.email,
    )
    hours = int(EMAIL_VERIFICATION_LIFETIME.total_seconds() // 3600)
    email_send_on_commit(
        email_render(
            "verify_email",
            to=user.email,
            language=user.language,
            context={
                "name": user.display_name,
                "link": app_link("verify-email", token=issued.token),
                "hours": hours,
            },
            expires_at=issued.row.expires_at,
        )
    )
    return True


@transaction.atomic
def email_verify(*, token: object) -> User:
    """Spend a verification token: the address it was sent to is verified, if it is still
    the account's. A used, expired or unknown token is a 400 `invalid_token`."""
    row = single_use_claim(
        AccountToken.objects.filter(purpose=TokenPurpose.VERIFY_EMAIL).select_related("user"),
        scope=TokenPurpose.VERIFY_EMAIL,
        token=token,
    )
    if row is None or not row.user.is_active:
        raise _invalid_token()
    user = row.user
    if user.email_verified_at is None and row.email == user.email:
        user.email_verified_at = row.used_at
        user.save(update_fields=["email_verified_at"])
    return user


def password_reset_request(*, email: str, via: str = ResetVia.APP) -> None:
    """Ask the worker to send a reset link to `email`. The request itself does the same
    work whether or not an account has that address (it does not even look): the worker
    finds out, and sends nothing for an unknown or deactivated one."""
    address = User.objects.normalize_email(email).strip().lower()
    enqueue_on_commit("apps.accounts.tasks.send_password_reset", address, via)


@transaction.atomic
def password_reset_email_send(*, email: str, via: str) -> bool:
    """The worker's half of a reset request: a single-use link (60 minutes) to the active
    account with this address, in its language. False when there is no such account."""
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return False
    issued = single_use_issue(
        AccountToken,
        scope=TokenPurpose.PASSWORD_RESET,
        lifetime=PASSWORD_RESET_LIFETIME,
        user=user,
        purpose=TokenPurpose.PASSWORD_RESET,
        email=user.email,
    )
    if via == ResetVia.PORTAL:
        link = portal_link("password-reset/confirm/", token=issued.token)
    else:
        link = app_link("reset-password", token=issued.token)
    email_send_on_commit(
        email_render(
            "password_reset",
            to=user.email,
            language=user.language,
            context={
                "name": user.display_name,
                "link": link,
                "minutes": int(PASSWORD_RESET_LIFETIME.total_seconds() // 60),
            },
            expires_at=issued.row.expires_at,
        )
    )
    return True


def _password_errors(password: str, user: User, field: str) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({field: error.error_list}) from error


def _password_set(user: User, password: str, *, now: datetime) -> None:
    """Set a new password and sign the account out everywhere; reset links still unused
    stop working too."""
    user.set_password(password)
    user.save(update_fields=["password"])
    user_sign_out_everywhere(user=user)
    AccountToken.objects.filter(
        user=user, purpose=TokenPurpose.PASSWORD_RESET, used_at__isnull=True
    ).update(used_at=now)


@transaction.atomic
def password_reset_confirm(*, token: object, password: str) -> User:
    """Choose a new password with a reset token. The token is spent only when the new
    password passes the validators, so a refused password leaves the link usable. Every
    refresh token, access token and session of the account stops working."""
    purpose = TokenPurpose.PASSWORD_RESET
    tokens = AccountToken.objects.filter(purpose=purpose).select_related("user")
    row = single_use_find(tokens, scope=purpose, token=token)
    if row is None or not row.user.is_active:
        raise _invalid_token()
    user = row.user
    _password_errors(password, user, "password")
    row = single_use_claim(tokens, scope=purpose, token=token)
    if row is None:  # another request spent it between our read and our claim
        raise _invalid_token()
    used_at = row.used_at or timezone.now()  # the claim set it; the field is nullable
    _password_set(user, password, now=used_at)
    if user.email_verified_at is None and row.email == user.email:
        # The link reached the inbox: the address is proven as a verification would.
        user.email_verified_at = used_at
        user.save(update_fields=["email_verified_at"])
    # Failed logins counted against the old password no longer lock the account.
    AccessAttempt.objects.filter(username__iexact=user.email).delete()
    return user


@transaction.atomic
def password_change(*, user: User, current_password: str, new_password: str) -> User:
    """Change the password of a signed-in account, which proves it knows the current one.
    Every earlier refresh token, access token and session stops working; the caller
    issues the new credentials of this device."""
    if not user.check_password(current_password):
        raise ValidationError(
            {
                "current_password": ValidationError(
                    _("This is not the account's current password."),
                    code=AccountError.WRONG_PASSWORD,
                )
            }
        )
    _password_errors(new_password, user, "new_password")
    _password_set(user, new_password, now=timezone.now())
    return user


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> User:
    """End every refresh token, access token and session of the account: they carry the
    token generation they were issued under, and this raises it (in the database, so two
    racing calls both count)."""
    User.objects.filter(pk=user.pk).update(token_generation=F("token_generation") + 1)
    user.refresh_from_db(fields=["token_generation"])
    return user


# --- Care team ---------------------------------------------------------------------------


@transaction.atomic
def care_link_create(*, physio: User, patient: User) -> CareTeamLink:
    """Link a physio and a patient; an existing active link is returned as it is."""
    if physio.role != Role.PHYSIO:
        raise ValidationError(
            {"physio": ValidationError(_("Not a physiotherapist."), code="invalid")}
        )
    if patient.role != Role.PATIENT:
        raise ValidationError({"patient": ValidationError(_("Not a patient."), code="invalid")})
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

    @property
    def emailed_to(self) -> str | None:
        return self.invite.emailed_to or None


def invite_code_normalise(code: str) -> str:
    """What the patient typed, as it was generated: "abcd efgh" and "ABCD-EFGH" match."""
    return code.strip().upper().translate(_INVITE_LOOKALIKES)


def invite_code_hash(code: str) -> str:
    # Keyed with SECRET_KEY: with ~10^12 possible codes, a plain hash in a leaked
    # database could be reversed offline; a keyed one cannot without the key.
    return keyed_hash(invite_code_normalise(code))


def invite_code_hashes(code: str) -> list[str]:
    """The hashes an invite issued before a key rotation may be stored under."""
    return keyed_hashes(invite_code_normalise(code))


def invite_code_display(code: str) -> str:
    half = INVITE_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


# Error codes clients rely on (attr "code"); the join serializer lists them for the schema.
INVITE_ERRORS: dict[str, StrPromise] = {
    InviteError.INVALID: _("This code is not valid."),
    InviteError.EXPIRED: _("This code has expired. Ask your physiotherapist for a new one."),
    InviteError.USED: _("This code has already been used."),
}


def _invite_error(code: InviteError) -> ValidationError:
    return ValidationError({"code": ValidationError(INVITE_ERRORS[code], code=code)})


def invite_link(code: str) -> str:
    """The app's link for joining with this code (the code travels as `token`)."""
    return app_link("join", token=code)


@transaction.atomic
def care_invite_create(*, physio: User, email: str = "") -> IssuedInvite:
    """A new one-time code for a physio; the plain code exists only in the return value
    and, when `email` is given, in an e-mail to that address (sent after commit)."""
    if physio.role != Role.PHYSIO:
        raise ValidationError(
            {"physio": ValidationError(_("Not a physiotherapist."), code="invalid")}
        )
    emailed_to = User.objects.normalize_email(email).strip().lower() if email else ""
    for _attempt in range(5):
        code = "".join(secrets.choice(INVITE_ALPHABET) for _position in range(INVITE_CODE_LENGTH))
        earlier_keys = invite_code_hashes(code)[1:]
        if earlier_keys and CareTeamInvite.objects.filter(code_hash__in=earlier_keys).exists():
            continue  # taken by an invite made under an earlier key: draw again
        invite = CareTeamInvite(
            physio=physio,
            code_hash=invite_code_hash(code),
            expires_at=timezone.now() + INVITE_LIFETIME,
            emailed_to=emailed_to,
        )
        try:
            # The savepoint keeps a caller's transaction usable after a (rare) clash.
            with transaction.atomic():
                invite.save(force_insert=True)
        except IntegrityError:
            continue  # the code is already taken by another invite: draw again
        issued = IssuedInvite(invite=invite, code=invite_code_display(code))
        if emailed_to:
            _care_invite_email(issued, physio=physio)
        return issued
    raise RuntimeError("Could not draw an unused invite code.")


def _care_invite_email(issued: IssuedInvite, *, physio: User) -> None:
    """The code and a link into the app, in the language of the account that already has
    the address, else in the physio's. Nothing about the physio's patients or care."""
    address = issued.invite.emailed_to
    existing = User.objects.filter(email__iexact=address).values_list("language", flat=True)
    language = existing.first() or physio.language
    email_send_on_commit(
        email_render(
            "care_invite",
            to=address,
            language=language,
            context={
                "physio_name": physio.shown_name,
                "code": issued.code,
                "link": invite_link(issued.code),
                "hours": int(INVITE_LIFETIME.total_seconds() // 3600),
            },
            expires_at=issued.invite.expires_at,
        )
    )


@transaction.atomic
def care_invite_join(*, patient: User, code: str) -> CareTeamLink:
    """Join the care team of the physio who issued the code. Each code works once.

    The claim is a conditional UPDATE: of two patients racing for one code, only the one
    whose update matched the still-unused row wins. Any error rolls everything back."""
    if patient.role != Role.PATIENT:
        raise ValidationError({"patient": ValidationError(_("Not a patient."), code="invalid")})
    invite = (
        CareTeamInvite.objects.select_related("physio")
        .filter(code_hash__in=invite_code_hashes(code), physio__is_active=True)
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
            _("Only a patient account can be erased this way."), code=AccountError.NOT_PATIENT
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

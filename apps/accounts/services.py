"""Writes for accounts: registration, staff-made accounts, profile updates."""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import CareTeamLink, Role, User

EDITORS_GROUP = "editors"
# Editors manage medical content and nothing else: no users, no patient data.
EDITOR_APP_LABELS = ("content",)


def _email_taken_error() -> ValidationError:
    return ValidationError(
        {"email": ValidationError("An account with this email already exists.", code="unique")}
    )


@transaction.atomic
def user_create(*, email: str, password: str, role: str, timezone: str = "UTC") -> User:
    """Create an account of any role after the same checks registration applies."""
    if role not in Role.values:
        raise ValidationError({"role": ValidationError("Unknown role.", code="invalid_choice")})
    email = User.objects.normalize_email(email).lower()
    user = User(email=email, role=role, timezone=timezone, is_staff=role == Role.EDITOR)
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
    if role == Role.EDITOR:
        user.groups.add(editors_group_sync())
    return user


def user_register(*, email: str, password: str, timezone: str) -> User:
    """Self-service registration makes patients only (API.md, Accounts)."""
    return user_create(email=email, password=password, timezone=timezone, role=Role.PATIENT)


PROFILE_FIELDS = ("timezone", "quiet_hours_start", "quiet_hours_end", "affected_side")


@transaction.atomic
def user_profile_update(*, user: User, **changes) -> User:
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
    return user


def editors_group_sync() -> Group:
    """The editors group holds exactly the content apps' permissions."""
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=EDITOR_APP_LABELS))
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
    return link

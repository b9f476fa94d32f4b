import re
import secrets
import time
import uuid
import zoneinfo
from base64 import b32encode
from functools import cache
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as django_timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, TimestampMixin
from django_otp.oath import TOTP

from apps.content.vocabulary import Side

from .errors import AccountError
from .seeds import seed_decrypt, seed_encrypt
from .single_use import SingleUseToken, keyed_hash, keyed_hashes

# Files of the host's zone database that are not zone names: "localtime" would silently
# mean the server's own zone.
_NOT_ZONE_NAMES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def _timezone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - _NOT_ZONE_NAMES


def validate_timezone(value: str) -> None:
    """Only IANA zone names: "today" and quiet hours are computed in this zone."""
    if value not in _timezone_names():
        raise ValidationError(
            _("%(value)s is not an IANA time zone name (such as Europe/London)."),
            code=AccountError.INVALID_TIMEZONE,
            params={"value": value},
        )


# Control characters (newlines, tabs, escapes) have no place in a name shown to others or
# put in an e-mail.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def validate_display_name(value: str) -> None:
    if _CONTROL.search(value):
        raise ValidationError(
            _("A name cannot hold line breaks or control characters."),
            code=AccountError.INVALID_DISPLAY_NAME,
        )


class Language(models.TextChoices):
    """The languages people may choose; settings.LANGUAGES lists the same codes."""

    EN = "en", "English"
    ES = "es", "Español"


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    PHYSIO = "physio", "Physiotherapist"
    EDITOR = "editor", "Content editor"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> "User":
        # Emails are stored lower-cased; logging in must not depend on case.
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        # A superuser manages the service; the role only matters for the API.
        extra_fields.setdefault("role", Role.EDITOR)
        return self._create_user(email, password, **extra_fields)


# django-otp's Device (AuthenticatorDevice's base) is untyped: django-stubs cannot resolve
# the reverse relations `authenticator_devices` and `recovery_code_sets`.
class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    """An account keyed by email. Profile fields of docs/api.md `me/` live here too."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PATIENT)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    affected_side = models.CharField(max_length=8, choices=Side.choices, blank=True)
    # Database defaults on the columns added after launch: code that does not know them yet
    # (a rolling deploy, a migration test's historical models) still inserts users.
    display_name = models.CharField(
        max_length=80,
        blank=True,
        default="",
        db_default="",
        validators=[validate_display_name],
        help_text="The name the care team sees; the e-mail address when empty.",
    )
    language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.EN, db_default=Language.EN
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # Every refresh token, access token and session carries the generation it was issued
    # under; raising it (sign out everywhere, a password change or reset) ends them all
    # (docs/decisions/token-revocation.md).
    token_generation = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can log in to the admin (editors and staff)."
    )
    date_joined = models.DateTimeField(default=django_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    if TYPE_CHECKING:
        # Set on the request's user by django-otp's OTPMiddleware: whether this session
        # passed a second factor (the clinic portal).
        def is_verified(self) -> bool: ...

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(quiet_hours_start__isnull=True, quiet_hours_end__isnull=True)
                    | models.Q(quiet_hours_start__isnull=False, quiet_hours_end__isnull=False)
                ),
                name="accounts_user_quiet_hours_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        start, end = self.quiet_hours_start, self.quiet_hours_end
        if (start is None) != (end is None):
            missing = "quiet_hours_end" if end is None else "quiet_hours_start"
            raise ValidationError(
                {
                    missing: ValidationError(
                        _("Set both the start and the end of quiet hours, or neither."),
                        code=AccountError.QUIET_HOURS_INCOMPLETE,
                    )
                }
            )
        if start is not None and start == end:
            raise ValidationError(
                {
                    "quiet_hours_end": ValidationError(
                        _("Quiet hours must not start and end at the same time."),
                        code=AccountError.QUIET_HOURS_EMPTY,
                    )
                }
            )

    @property
    def shown_name(self) -> str:
        """How the care team sees this person: the display name, else the e-mail."""
        return self.display_name or self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django ends a session whose stored hash no longer matches this one. Its own hash
        covers the password; ours also covers the token generation, so signing out
        everywhere ends portal and admin sessions too. Generation 0 hashes as Django
        does, so sessions made before this field existed stay valid."""
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        value = self.password
        if self.token_generation:
            value = f"{self.password}:generation={self.token_generation}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_physio(self) -> bool:
        return self.role == Role.PHYSIO

    @property
    def is_editor(self) -> bool:
        return self.role == Role.EDITOR

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class CareTeamLink(models.Model):
    """A physiotherapist ↔ patient link. A physio reaches a patient's records only while
    a link is active (ended_at is null); ending it removes access at once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    physio = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="patient_links",
        limit_choices_to={"role": Role.PHYSIO},
    )
    patient = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="physio_links",
        limit_choices_to={"role": Role.PATIENT},
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["physio", "patient"],
                condition=models.Q(ended_at__isnull=True),
                name="accounts_one_active_link_per_pair",
            ),
        ]
        indexes = [models.Index(fields=["physio", "patient"], name="accounts_link_pair_idx")]

    def __str__(self) -> str:
        return f"{self.physio} ↔ {self.patient}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class CareTeamInvite(models.Model):
    """A one-time code a physio gives a patient, who joins the physio's care team with it.

    Only a hash of the code is stored: anyone reading the table (a backup, the admin)
    must not be able to join a care team with what they see."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    physio = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="care_invites",
        limit_choices_to={"role": Role.PHYSIO},
    )
    code_hash = models.CharField(max_length=64, unique=True, db_index=True, editable=False)
    # Where the code was also e-mailed, if the physio asked for that.
    emailed_to = models.EmailField(max_length=254, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    link = models.ForeignKey(
        CareTeamLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="invites"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invite from {self.physio} ({self.created_at:%Y-%m-%d %H:%M})"


class TokenPurpose(models.TextChoices):
    VERIFY_EMAIL = "verify_email", "Verify the e-mail address"
    PASSWORD_RESET = "password_reset", "Reset the password"


class AccountToken(SingleUseToken):
    """A single-use token sent to an account's e-mail address (apps/accounts/single_use.py):
    only its keyed hash is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_tokens")
    purpose = models.CharField(max_length=32, choices=TokenPurpose.choices)
    # The address the token was sent to: verifying proves this address, not a later one.
    email = models.EmailField(max_length=254)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "purpose"], name="accounts_token_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} for {self.user} ({self.created_at:%Y-%m-%d %H:%M})"


class PatientAccessAudit(models.Model):
    """One row each time a physio reads a patient's records (docs/architecture.md, Safety and privacy).

    Rows go with the patient when the patient erases the account; a physio who read
    records cannot be deleted out of the trail (deactivate the account instead)."""

    id = models.BigAutoField(primary_key=True)
    physio = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="patient_accesses",
        limit_choices_to={"role": Role.PHYSIO},
    )
    patient = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="accesses_by_physios",
        limit_choices_to={"role": Role.PATIENT},
    )
    what = models.CharField(max_length=64, help_text='What was read, such as "symptom_logs.list".')
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["patient", "at"], name="accounts_audit_patient_at_idx"),
            # A clinic's audit filtered by staff member, newest first (apps.clinics).
            models.Index(fields=["physio", "at"], name="accounts_audit_physio_at_idx"),
        ]
        verbose_name = "patient access audit"

    def __str__(self) -> str:
        return f"{self.physio} read {self.what} of {self.patient} at {self.at:%Y-%m-%d %H:%M}"


# --- The second factor (the clinic portal and the admin) ----------------------------------

TOTP_SEED_BYTES = 20  # 160 bits, as RFC 4226 recommends and authenticator apps expect
TOTP_STEP = 30
TOTP_DIGITS = 6
TOTP_TOLERANCE = 1  # one step early or late: a phone's clock a little off


def _new_encrypted_seed() -> str:
    return seed_encrypt(secrets.token_bytes(TOTP_SEED_BYTES))


class AuthenticatorDevice(TimestampMixin, Device):
    """An authenticator app (TOTP, RFC 6238) as a django-otp device. django-otp's own
    TOTPDevice keeps the seed in the clear; this one keeps only its encryption under
    OTP_SEED_KEYS (apps/accounts/seeds.py, docs/decisions/second-factor-at-rest.md), so a
    copy of the database or a backup makes no valid code."""

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="authenticator_devices",
        help_text="The user that this device belongs to.",
    )
    encrypted_seed = models.TextField(default=_new_encrypted_seed, editable=False)
    drift = models.SmallIntegerField(
        default=0, help_text="Time steps the phone's clock is known to be off by."
    )
    last_t = models.BigIntegerField(
        default=-1, help_text="The time step of the last code accepted: a code works once."
    )

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    def seed(self) -> bytes:
        return seed_decrypt(self.encrypted_seed)

    def _totp(self) -> TOTP:
        totp = TOTP(self.seed(), TOTP_STEP, 0, TOTP_DIGITS, self.drift)
        totp.time = time.time()
        return totp

    def verify_token(self, token) -> bool:
        """django-otp's TOTPDevice.verify_token, on the decrypted seed: each code once, the
        phone's drift followed. Wrong codes are throttled per account and address by the
        caller (second_factor.py), not per device."""
        token = str(token)
        if not (token.isdigit() and len(token) == TOTP_DIGITS):
            return False
        totp = self._totp()
        if not totp.verify(int(token), TOTP_TOLERANCE, self.last_t + 1):
            return False
        self.last_t = totp.t()
        self.drift = totp.drift
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True

    @property
    def config_url(self) -> str:
        """The otpauth:// URL an authenticator app reads from the enrolment QR code."""
        issuer = settings.OTP_TOTP_ISSUER.replace(":", "")
        label = f"{issuer}:{self.user.get_username()}"
        params = urlencode(
            {
                "secret": b32encode(self.seed()).decode(),
                "algorithm": "SHA1",
                "digits": TOTP_DIGITS,
                "period": TOTP_STEP,
            }
        )
        return f"otpauth://totp/{quote(label)}?{params}&issuer={quote(issuer)}"


RECOVERY_CODE_BYTES = 5  # 8 characters of base32: 40 bits, typed from paper


def recovery_code_new() -> str:
    return b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode().lower()


def _recovery_code_text(code: str) -> str:
    """The code as typed, spaces and dashes dropped, lower case (as invite codes are)."""
    return "recovery_code:" + "".join(code.split()).replace("-", "").lower()


def recovery_code_hash(code: str) -> str:
    """What is stored of a recovery code: HMAC-SHA256 of it keyed with SECRET_KEY."""
    return keyed_hash(_recovery_code_text(code))


def recovery_code_hashes(code: str) -> list[str]:
    """What a stored code may be: its hash under SECRET_KEY or any SECRET_KEY_FALLBACKS
    (codes on paper outlive a key rotation)."""
    return keyed_hashes(_recovery_code_text(code))


class RecoveryCodeSet(TimestampMixin, Device):
    """An account's one-time recovery codes as a django-otp device. django-otp's
    StaticDevice keeps the codes in the clear; here only their keyed hashes are stored
    (RecoveryCode), and a code is spent by deleting its row."""

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="recovery_code_sets",
        help_text="The user that this device belongs to.",
    )

    class Meta(Device.Meta):
        verbose_name = "recovery code set"

    def verify_token(self, token) -> bool:
        """Spend the code: one DELETE of its row, so of two racing uses exactly one wins."""
        spent, _kinds = RecoveryCode.objects.filter(
            code_set=self, code_hash__in=recovery_code_hashes(str(token))
        ).delete()
        if spent:
            self.set_last_used_timestamp(commit=True)
        return bool(spent)


class RecoveryCode(models.Model):
    """One unused recovery code, by its keyed hash only."""

    code_set = models.ForeignKey(RecoveryCodeSet, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["code_set", "code_hash"], name="accounts_recovery_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"A recovery code of {self.code_set.user}"


class SecondFactorFailures(models.Model):
    """Wrong second-factor codes in a row for one account, or from one client address
    (keyed hash, never the address itself): each makes the next try wait longer
    (apps/accounts/second_factor.py). Deleted by a right code."""

    key = models.CharField(max_length=80, unique=True, editable=False)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "second factor failures"

    def __str__(self) -> str:
        codes = "wrong code" if self.failures == 1 else "wrong codes"
        return f"{self.failures} {codes}, the last at {self.last_failure_at:%Y-%m-%d %H:%M} UTC"

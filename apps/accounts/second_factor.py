"""The second factor (django-otp) of the clinic portal: an authenticator app enrolled at
the first sign-in, and one-time recovery codes. Writes only; the views decide when to call
them. The seed is stored encrypted (AuthenticatorDevice, docs/decisions/second-factor-at-rest.md).

An account has at most one confirmed authenticator. Enrolment makes an unconfirmed device
(kept across reloads of the set-up page, so the QR code does not change under the
physio's phone), which the first correct code confirms."""

from base64 import b32encode

from django.conf import settings
from django.db import transaction
from django_otp.models import Device

from .models import (
    TOTP_DIGITS,
    AuthenticatorDevice,
    RecoveryCode,
    RecoveryCodeSet,
    User,
    recovery_code_hash,
    recovery_code_new,
)
from .seeds import seed_reencrypt

TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def has_second_factor(user: User) -> bool:
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()


def totp_enrolment_device(user: User) -> AuthenticatorDevice:
    """The unconfirmed device the set-up page shows, made once."""
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or AuthenticatorDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def totp_secret_shown(device: AuthenticatorDevice) -> str:
    """The seed as an authenticator app takes it typed: base32 in groups of four."""
    secret = b32encode(device.seed()).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def totp_confirm(*, user: User, token: str) -> tuple[AuthenticatorDevice, list[str]] | None:
    """Confirm the enrolment device with a code from the app. Returns the device and a new
    set of recovery codes (shown once), or None when the code is wrong."""
    device = (
        AuthenticatorDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    )
    if device is None or not device.verify_token(token):
        return None
    AuthenticatorDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, recovery_codes_replace(user=user)


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """A fresh set of one-time recovery codes, returned in the clear to be shown once and
    stored only as keyed hashes; the old ones stop working."""
    RecoveryCodeSet.objects.filter(user=user).delete()
    code_set = RecoveryCodeSet.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < settings.PORTAL_RECOVERY_CODES:
        code = recovery_code_new()
        if code not in codes:
            codes.append(code)
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(code_set=code_set, code_hash=recovery_code_hash(code)) for code in codes]
    )
    return codes


def second_factor_verify(*, user: User, token: str) -> Device | None:
    """The confirmed device that accepts this code, or None: six digits are asked of the
    authenticator app, anything else of the recovery codes. The device is locked while it
    checks, so one code is never accepted twice by racing requests."""
    token = "".join(token.split()).lower()
    model: type[AuthenticatorDevice | RecoveryCodeSet] = (
        AuthenticatorDevice if token.isdigit() and len(token) == TOTP_DIGITS else RecoveryCodeSet
    )
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(token):
                return device
    return None


def authenticator_seeds_reencrypt() -> int:
    """Every stored seed under the first key of OTP_SEED_KEYS (a key rotation's middle
    step); returns how many rows were rewritten. Each row is locked while it changes, so a
    sign-in at the same moment reads either form, both of which the keys still open."""
    count = 0
    for pk in AuthenticatorDevice.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            device = AuthenticatorDevice.objects.select_for_update().filter(pk=pk).first()
            if device is not None:
                device.encrypted_seed = seed_reencrypt(device.encrypted_seed)
                device.save(update_fields=["encrypted_seed"])
                count += 1
    return count

"""The physiotherapist's second factor (django-otp): a TOTP device enrolled at first
sign-in, and one-time recovery codes. Writes only; the views decide when to call them.

A physio has at most one confirmed TOTP device. Enrolment makes an unconfirmed device
(kept across reloads of the set-up page, so the QR code does not change under the
physio's phone), which the first correct code confirms."""

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import User

TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed device the set-up page shows, made once."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


@transaction.atomic
def totp_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the enrolment device with a code from the app. Returns the device and a new
    set of recovery codes (shown once), or None when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, recovery_codes_replace(user=user)


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """A fresh set of one-time recovery codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.PORTAL_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def second_factor_verify(*, user: User, token: str) -> Device | None:
    """The confirmed device that accepts this code (a TOTP code or a recovery code), or
    None. Each device throttles its own failures (django-otp)."""
    token = "".join(token.split()).lower()
    for device in devices_for_user(user, confirmed=True):
        wanted = TOTPDevice if token.isdigit() else StaticDevice
        if isinstance(device, wanted):
            verified = verify_token(user, device.persistent_id, token)
            if verified is not None:
                return verified
    return None

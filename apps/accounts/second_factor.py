"""The second factor (django-otp) of the clinic portal: an authenticator app enrolled at
the first sign-in, and one-time recovery codes. Writes only; the views decide when to call
them. The seed is stored encrypted (AuthenticatorDevice, docs/decisions/second-factor-at-rest.md).

Wrong codes are throttled per account and per client address with a delay that doubles
(1, 2, 4... seconds) up to a ceiling, never a lock: a stranger who has the password can
make the real owner wait at most `SECOND_FACTOR_ACCOUNT_MAX_DELAY` seconds after the
stranger's last try, and the right code after the wait works. A code sent during the wait
is refused unchecked and not counted. A right code clears both counters.

An account has at most one confirmed authenticator. Enrolment makes an unconfirmed device
(kept across reloads of the set-up page, so the QR code does not change under the
physio's phone), which the first correct code confirms."""

import math
from base64 import b32encode
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import ngettext
from django_otp.models import Device

from .models import (
    TOTP_DIGITS,
    AuthenticatorDevice,
    RecoveryCode,
    RecoveryCodeSet,
    SecondFactorFailures,
    User,
    recovery_code_hash,
    recovery_code_new,
)
from .seeds import seed_reencrypt
from .single_use import keyed_hash

T = TypeVar("T")

TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


@dataclass(frozen=True)
class Refused:
    """A code not accepted: wrong (`wait_seconds` 0), or not even checked because it came
    too soon after wrong ones (try again in `wait_seconds`)."""

    wait_seconds: int = 0


def refused_message(refused: Refused, wrong: str) -> str:
    """What the code page says: `wrong` for a wrong code, or how long to wait."""
    if refused.wait_seconds:
        return ngettext(
            "Too many wrong codes. Wait %(n)s second, then type the newest code.",
            "Too many wrong codes. Wait %(n)s seconds, then type the newest code.",
            refused.wait_seconds,
        ) % {"n": refused.wait_seconds}
    return wrong


def client_address(request: HttpRequest) -> str:
    """The client's address as the sign-in lockout sees it (django-axes, NUM_PROXIES)."""
    return get_client_ip_address(request) or ""


def _throttle_keys(user: User, address: str) -> dict[str, int]:
    """The counters a try is made against, with each one's longest delay in seconds."""
    return {
        f"account:{user.pk}": settings.SECOND_FACTOR_ACCOUNT_MAX_DELAY,
        f"address:{keyed_hash(f'second_factor_address:{address}')}": (
            settings.SECOND_FACTOR_ADDRESS_MAX_DELAY
        ),
    }


def failure_delay(failures: int, ceiling: int) -> float:
    """The wait after `failures` wrong codes in a row: 1, 2, 4... seconds, at most `ceiling`."""
    return 0.0 if failures <= 0 else float(min(2 ** min(failures - 1, 32), ceiling))


def _wait_seconds(keys: dict[str, int], now: datetime) -> int:
    wait = 0.0
    for row in SecondFactorFailures.objects.filter(key__in=keys):
        until = row.last_failure_at.timestamp() + failure_delay(row.failures, keys[row.key])
        wait = max(wait, until - now.timestamp())
    return math.ceil(wait)


def _failure_count(keys: dict[str, int], now: datetime) -> None:
    for key in keys:
        counted = SecondFactorFailures.objects.filter(key=key).update(
            failures=F("failures") + 1, last_failure_at=now
        )
        if not counted:
            try:
                with transaction.atomic():
                    SecondFactorFailures.objects.create(key=key, failures=1, last_failure_at=now)
            except IntegrityError:  # a racing failure made the row first
                SecondFactorFailures.objects.filter(key=key).update(
                    failures=F("failures") + 1, last_failure_at=now
                )


def _throttled(*, user: User, address: str, attempt: Callable[[], T | None]) -> T | Refused:
    """Run `attempt` (which checks a code) unless the account or the address must still
    wait; count a failure against both, or clear both on success."""
    keys = _throttle_keys(user, address)
    now = timezone.now()
    wait = _wait_seconds(keys, now)
    if wait > 0:
        return Refused(wait_seconds=wait)
    result = attempt()
    if result is None:
        _failure_count(keys, now)
        return Refused()
    SecondFactorFailures.objects.filter(key__in=keys).delete()
    return result


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
def totp_confirm(
    *, user: User, token: str, address: str
) -> tuple[AuthenticatorDevice, list[str]] | Refused:
    """Confirm the enrolment device with a code from the app. Returns the device and a new
    set of recovery codes (shown once), or why not (throttled as every code is)."""

    def attempt() -> tuple[AuthenticatorDevice, list[str]] | None:
        device = (
            AuthenticatorDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .first()
        )
        if device is None or not device.verify_token(token):
            return None
        AuthenticatorDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return device, recovery_codes_replace(user=user)

    return _throttled(user=user, address=address, attempt=attempt)


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


def second_factor_verify(*, user: User, token: str, address: str) -> Device | Refused:
    """The confirmed device that accepts this code, or why none did: six digits are asked
    of the authenticator app, anything else of the recovery codes. `address` is the
    client's (throttled beside the account). The device is locked while it checks, so one
    code is never accepted twice by racing requests."""
    token = "".join(token.split()).lower()
    model: type[AuthenticatorDevice | RecoveryCodeSet] = (
        AuthenticatorDevice if token.isdigit() and len(token) == TOTP_DIGITS else RecoveryCodeSet
    )

    def attempt() -> Device | None:
        with transaction.atomic():
            for device in model.objects.select_for_update().filter(user=user, confirmed=True):
                if device.verify_token(token):
                    return device
        return None

    return _throttled(user=user, address=address, attempt=attempt)


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

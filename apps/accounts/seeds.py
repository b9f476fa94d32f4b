"""TOTP seeds encrypted at rest (docs/decisions/second-factor-at-rest.md).

A seed is the shared secret of an authenticator app: whoever holds it makes valid codes.
The database holds it only as a Fernet token (AES-128-CBC with HMAC-SHA256, from the
`cryptography` package) under the keys in `OTP_SEED_KEYS`, which come from the environment
and never from the database. The list is newest first: the first key encrypts, any of
them decrypts, so a key is rotated by putting a new one in front, running
`manage.py otp_seeds_reencrypt`, then dropping the old one.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> MultiFernet:
    # Built per call: the keys are settings, which tests (and a rotation) may change.
    return MultiFernet([Fernet(key) for key in settings.OTP_SEED_KEYS])


def seed_encrypt(seed: bytes) -> str:
    """The stored form of a seed: a Fernet token under the first key."""
    return _fernet().encrypt(seed).decode()


def seed_decrypt(stored: str) -> bytes:
    """The seed from its stored form. A token no key in OTP_SEED_KEYS opens means the key
    it was made with was dropped too early: a configuration error, never a wrong code."""
    try:
        return _fernet().decrypt(stored.encode())
    except InvalidToken:
        raise ImproperlyConfigured(
            "A TOTP seed is encrypted with a key missing from OTP_SEED_KEYS."
        ) from None


def seed_reencrypt(stored: str) -> str:
    """The same seed under the first key (a rotation); raises like `seed_decrypt`."""
    try:
        return _fernet().rotate(stored.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A TOTP seed is encrypted with a key missing from OTP_SEED_KEYS."
        ) from None

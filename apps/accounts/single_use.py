"""Single-use tokens stored as keyed hashes: the one machinery behind every link that acts
once (verify an e-mail address, reset a password, and later staff invitations).

A token is 32 random bytes (URL-safe base64, 43 characters), handed out once (in an
e-mail's link) and never stored: only `HMAC-SHA256(SECRET_KEY, "<scope>:<token>")` is
(found again under SECRET_KEY_FALLBACKS too, after a key rotation),
as care-team invite codes are (docs/decisions/invite-codes-as-keyed-hashes.md). The scope
in the hashed text (such as "password_reset") keeps a token of one kind from being
accepted as another.

A model that holds such tokens derives from `SingleUseToken` and adds what the token is
for (a user, an e-mail address, a clinic...). `single_use_issue()` makes one;
`single_use_find()` reads the row a token names while it may still be used; and
`single_use_claim()` spends it with one conditional UPDATE, so of two requests racing with
one token exactly one wins.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_BYTES = 32
# Longer input is not a token of ours: refused before it is hashed.
MAX_TOKEN_LENGTH = 128


def keyed_hash(value: str, key: str | None = None) -> str:
    """HMAC-SHA256 of `value` keyed with SECRET_KEY (or `key`), as 64 hex digits. A leaked
    table of these cannot be reversed or replayed without the key."""
    secret = settings.SECRET_KEY if key is None else key
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def secret_keys() -> list[str]:
    """SECRET_KEY, then each of SECRET_KEY_FALLBACKS: the keys a stored hash or a token's
    signature may have been made with (docs/decisions/secret-key-rotation.md)."""
    return [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]


def keyed_hashes(value: str) -> list[str]:
    """`value`'s keyed hash under each of `secret_keys()`: what a lookup of a stored hash
    matches, so a key rotation does not void the codes and links already handed out (new
    ones are stored under SECRET_KEY only)."""
    return list(dict.fromkeys(keyed_hash(value, key) for key in secret_keys()))


def token_hash(scope: str, token: str) -> str:
    return keyed_hash(f"{scope}:{token}")


def token_hashes(scope: str, token: str) -> list[str]:
    """`token_hash` under SECRET_KEY and each fallback key: what a lookup matches."""
    return keyed_hashes(f"{scope}:{token}")


class SingleUseToken(models.Model):
    """What every stored single-use token has: its keyed hash, when it was made, when it
    stops working and when it was used (null while unused)."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and self.expires_at > now


T = TypeVar("T", bound=SingleUseToken)


@dataclass(frozen=True)
class IssuedToken(Generic[T]):
    row: T
    token: str  # the plain token: put it in the link, never store or log it


def single_use_issue(
    model: type[T], *, scope: str, lifetime: timedelta, now: datetime | None = None, **fields: Any
) -> IssuedToken[T]:
    """Store a new token's hash with `fields`; the plain token is only in the result."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = model(token_hash=token_hash(scope, token), created_at=now, expires_at=now + lifetime)
    for name, value in fields.items():
        setattr(row, name, value)
    row.full_clean(validate_unique=False, validate_constraints=False)
    row.save(force_insert=True)
    return IssuedToken(row=row, token=token)


def _well_formed(token: object) -> bool:
    return isinstance(token, str) and 0 < len(token) <= MAX_TOKEN_LENGTH


def single_use_find(
    queryset: models.QuerySet[T], *, scope: str, token: object, now: datetime | None = None
) -> T | None:
    """The row of `queryset` this token names if it is still usable (not used, not
    expired); None for anything else, forged tokens included. Nothing is spent."""
    if not _well_formed(token):
        return None
    assert isinstance(token, str)
    row = queryset.filter(token_hash__in=token_hashes(scope, token)).first()
    if row is None or not row.usable(now or timezone.now()):
        return None
    return row


def single_use_claim(
    queryset: models.QuerySet[T], *, scope: str, token: object, now: datetime | None = None
) -> T | None:
    """Spend the token: the row it names, now marked used, or None when it is unknown,
    used or expired. The claim is one conditional UPDATE (still unused and unexpired), so
    of two racing requests only one gets the row."""
    now = now or timezone.now()
    row = single_use_find(queryset, scope=scope, token=token, now=now)
    if row is None:
        return None
    claimed = (
        type(row)
        ._default_manager.filter(pk=row.pk, used_at__isnull=True, expires_at__gt=now)
        .update(used_at=now)
    )
    if claimed != 1:
        return None
    row.used_at = now
    return row

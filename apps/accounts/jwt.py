"""JWTs that can be revoked all at once (docs/decisions/token-revocation.md).

Every token carries the account's token generation (claim `gen`) at the time it was
issued. Signing out everywhere, changing and resetting the password raise the generation
(apps.accounts.services.user_sign_out_everywhere), and a token of an older generation is
refused: on refresh (401 `token_not_valid`) and on every authenticated request, where the
account's row is read anyway. A token without the claim is of generation 0.

Signing out one device blacklists that refresh token (simplejwt's blacklist app, which
rotation already uses).

Tokens are signed with `SECRET_KEY` as it is now and verified under it or any key of
`SECRET_KEY_FALLBACKS` (docs/decisions/secret-key-rotation.md), so a key rotation does not
sign every app user out: a token made under the old key keeps working until it expires or
the old key is dropped, and a refresh answers with tokens under the new key.
"""

from __future__ import annotations

import functools
from typing import Any

import jwt
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token

from .models import User
from .single_use import secret_keys

GENERATION_CLAIM = "gen"


def generation_of(token: Token) -> int:
    value = token.get(GENERATION_CLAIM, 0)
    return value if isinstance(value, int) else -1  # a forged claim never matches


@functools.cache
def _backend_for(key: str) -> TokenBackend:
    """simplejwt's own backend (its settings: algorithm, leeway, audience...) with `key`."""
    return TokenBackend(
        api_settings.ALGORITHM,
        key,
        api_settings.VERIFYING_KEY,
        api_settings.AUDIENCE,
        api_settings.ISSUER,
        api_settings.JWK_URL,
        api_settings.LEEWAY,
        api_settings.JSON_ENCODER,
    )


class KeyFallbackTokenBackend(TokenBackend):
    """Signs with the current `SECRET_KEY`; verifies under it, then under each key of
    `SECRET_KEY_FALLBACKS`, moving on only when the signature does not match: an expired
    or malformed token is refused as simplejwt refuses it. The keys are read at each call
    (as Django's own signing does), not when the process started."""

    def __init__(self) -> None:
        super().__init__(api_settings.ALGORITHM)

    def encode(self, payload: dict[str, Any]) -> str:
        return _backend_for(settings.SECRET_KEY).encode(payload)

    def decode(self, token: Token | str, verify: bool = True) -> dict[str, Any]:
        *earlier, last = secret_keys()
        for key in earlier:
            try:
                return _backend_for(key).decode(token, verify=verify)  # type: ignore[arg-type]
            except TokenBackendError as error:
                if not isinstance(error.__cause__, jwt.InvalidSignatureError):
                    raise
        return _backend_for(last).decode(token, verify=verify)  # type: ignore[arg-type]

    def get_leeway(self) -> Any:
        return _backend_for(settings.SECRET_KEY).get_leeway()


KEY_FALLBACK_BACKEND = KeyFallbackTokenBackend()


class AccountAccessToken(AccessToken):
    """simplejwt's access token under the current key or a fallback (AUTH_TOKEN_CLASSES)."""

    _token_backend = KEY_FALLBACK_BACKEND


class AccountRefreshToken(RefreshToken):
    """simplejwt's refresh token, stamped with the account's token generation; the access
    tokens made from it copy the claim. Both under the current key or a fallback."""

    _token_backend = KEY_FALLBACK_BACKEND
    access_token_class = AccountAccessToken

    @classmethod
    def for_user(cls, user: User) -> AccountRefreshToken:  # type: ignore[override]
        token = super().for_user(user)
        token[GENERATION_CLAIM] = user.token_generation
        return token  # type: ignore[return-value]


def token_pair_for(user: User) -> dict[str, str]:
    refresh = AccountRefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def check_generation(token: Token, user: User) -> None:
    """Refuse a token issued before the account's last sign-out everywhere."""
    if generation_of(token) != user.token_generation:
        raise TokenError(_("Token has been revoked"))


def refresh_token_sign_out(raw: str) -> None:
    """Blacklist one refresh token (it must still be valid: signature, expiry, not yet
    blacklisted); raises TokenError otherwise."""
    # simplejwt annotates its argument as a Token; it is the encoded token, a str.
    AccountRefreshToken(raw).blacklist()  # type: ignore[arg-type]

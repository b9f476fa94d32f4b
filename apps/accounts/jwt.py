"""JWTs that can be revoked all at once (docs/decisions/token-revocation.md).

Every token carries the account's token generation (claim `gen`) at the time it was
issued. Signing out everywhere, changing and resetting the password raise the generation
(apps.accounts.services.user_sign_out_everywhere), and a token of an older generation is
refused: on refresh (401 `token_not_valid`) and on every authenticated request, where the
account's row is read anyway. A token without the claim is of generation 0.

Signing out one device blacklists that refresh token (simplejwt's blacklist app, which
rotation already uses).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken, Token

from .models import User

GENERATION_CLAIM = "gen"


def generation_of(token: Token) -> int:
    value = token.get(GENERATION_CLAIM, 0)
    return value if isinstance(value, int) else -1  # a forged claim never matches


class AccountRefreshToken(RefreshToken):
    """simplejwt's refresh token, stamped with the account's token generation; the access
    tokens made from it copy the claim."""

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

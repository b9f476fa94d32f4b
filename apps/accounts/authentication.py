"""JWT authentication that never reads the password hash, and refuses tokens revoked by
signing out everywhere or a password change (apps/accounts/jwt.py).

simplejwt's JWTAuthentication loads the whole user row on every request, password hash
included, although nothing after authentication needs it (CHECK_REVOKE_TOKEN is off).
This one reads the same row without the hash, and refuses exactly what simplejwt
refuses: a token whose user is gone (an erased account) or deactivated.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from backend.language import activate_for_user

from .jwt import check_generation
from .models import User
from .selectors import users_without_secrets


class JWTUserAuthentication(JWTAuthentication):
    # simplejwt types the user as a TypeVar bound to its own signature: see get_user.
    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, Token] | None:  # type: ignore[override]
        """As simplejwt's, and the rest of the request speaks the user's language
        (backend/language.py): the first point where an API caller is known."""
        authenticated = super().authenticate(request)
        if authenticated is not None:
            activate_for_user(request._request, authenticated[0])
        return authenticated

    # simplejwt annotates get_user with a TypeVar that appears only in its return type, so
    # no override can match it.
    def get_user(self, validated_token: Token) -> AbstractBaseUser:  # type: ignore[override]
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as error:
            raise InvalidToken(_("Token contained no recognizable user identification")) from error

        # One query by primary key; is_active is checked here, not in the query, so an
        # inactive account keeps its own error code (user_inactive) as with simplejwt.
        try:
            user = users_without_secrets().get(**{api_settings.USER_ID_FIELD: user_id})
        except User.DoesNotExist as error:
            raise AuthenticationFailed(_("User not found"), code="user_not_found") from error
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        # The row is read anyway: a token of an older generation costs nothing to refuse.
        try:
            check_generation(validated_token, user)
        except TokenError as error:
            raise InvalidToken(error.args[0]) from error
        if api_settings.CHECK_REVOKE_TOKEN:  # compares with the hash: read it only then
            return super().get_user(validated_token)
        return user


class JWTUserScheme(SimpleJWTScheme):
    """The schema describes it as simplejwt's bearer JWT (same name: jwtAuth)."""

    target_class = "apps.accounts.authentication.JWTUserAuthentication"

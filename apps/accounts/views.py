from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle, UserRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from apps.accounts.requests import AuthenticatedRequest
from backend.conditional import CONDITIONAL_PARAMETERS, NOT_MODIFIED, etagged
from backend.language import activate_for_user, language_from_header
from backend.rest import EmptyBody, Throttled, error_response, require_empty_body

from . import selectors, services
from .errors import AccountError
from .jwt import refresh_token_sign_out, token_pair_for
from .models import CareTeamLink, User
from .permissions import IsPatient, IsPatientOrPhysio, IsPhysio
from .serializers import (
    CareTeamLinkSerializer,
    InviteCreateSerializer,
    InviteIssuedSerializer,
    JoinSerializer,
    MeSerializer,
    PasswordChangeSerializer,
    PasswordResetAcceptedSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    RegisteredSerializer,
    RegisterSerializer,
    SignOutSerializer,
    TokenPairSerializer,
    VerifyEmailResentSerializer,
    VerifyEmailSerializer,
)
from .single_use import keyed_hash


class _LockedOut(Throttled):
    """429 for a locked-out account and address, its sentence and the wait's (in the
    right plural, backend.rest.Throttled) in the caller's language."""

    default_detail = _(
        "Too many failed logins for this account from this address. Try again later."
    )
    # With a known wait, the wait's sentence says when (not "later", then when again).
    detail_before_wait = _("Too many failed logins for this account from this address.")
    default_code = AccountError.TOO_MANY_FAILED_LOGINS

    def __init__(self, wait: float | None) -> None:
        detail = self.default_detail if wait is None else self.detail_before_wait
        super().__init__(wait, detail=str(detail))


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> JsonResponse:
    """AXES_LOCKOUT_CALLABLE: a locked-out pair answers 429 in the API's envelope."""
    wait = _cool_off_seconds(request)
    return error_response(lambda: _LockedOut(wait=wait), request)


def lockout_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """AXES_USERNAME_CALLABLE: count failures per account whatever the case typed.

    The API sends `email`; the admin's login form sends `username`."""
    credentials = credentials or {}
    email = credentials.get("email") or credentials.get("username")
    return email.strip().lower() if isinstance(email, str) else None


def _cool_off_seconds(request: HttpRequest) -> int | None:
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else None


class RegisterView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(
        request=RegisterSerializer,
        responses={201: RegisteredSerializer},
        summary="Register a patient account: its profile and a token pair",
        description="A verification e-mail goes to the address (sent by the worker after "
        "the account is stored). `language` defaults to the best match of Accept-Language.",
    )
    def post(self, request: Request) -> Response:
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        fields.setdefault("language", language_from_header(request))
        user = services.user_register(**fields)
        body = {**MeSerializer(user).data, **token_pair_for(user)}
        return Response(body, status=status.HTTP_201_CREATED)


class VerifyEmailView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "password_reset"

    @extend_schema(
        request=VerifyEmailSerializer,
        responses={204: None},
        summary="Confirm the e-mail address with the token of the verification link",
        description="A used, expired or unknown token answers 400 `invalid_token` on `token`.",
    )
    def post(self, request: Request) -> Response:
        serializer = VerifyEmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.email_verify(token=serializer.validated_data["token"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class VerifyEmailResendThrottle(UserRateThrottle):
    """Per account: each request sends an e-mail, so this bounds the mail one account can
    make the service send."""

    scope = "verify_email_resend"


VERIFY_EMAIL_RESENT = {
    "detail": "A new link to confirm your e-mail address is on its way. It works once, "
    "within 48 hours."
}
VERIFY_EMAIL_ALREADY = {"detail": "Your e-mail address is already confirmed: nothing was sent."}


class VerifyEmailResendView(APIView):
    throttle_classes = [VerifyEmailResendThrottle]

    @extend_schema(
        request=EmptyBody,
        responses={202: VerifyEmailResentSerializer},
        summary="Send the verification e-mail again",
        description="A new link (valid 48 hours) to the caller's address, sent by the worker "
        "after the answer; earlier links keep working. When the address is already "
        "verified (`me.email_verified`), nothing is sent and `detail` says so. Throttled per "
        "account (429).",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        require_empty_body(request.data)
        sent = services.email_verification_send(user=request.user)
        body = VERIFY_EMAIL_RESENT if sent else VERIFY_EMAIL_ALREADY
        return Response(body, status=status.HTTP_202_ACCEPTED)


class PasswordResetEmailThrottle(SimpleRateThrottle):
    """Per e-mail address asked about, whether or not an account has it (so the limit
    reveals nothing). The key is a keyed hash: the cache holds no address."""

    scope = "password_reset_email"

    def get_cache_key(self, request: Request, view) -> str | None:
        email = request.data.get("email") if isinstance(request.data, dict) else None
        if not isinstance(email, str) or not email.strip():
            return None  # the serializer answers 400
        address = User.objects.normalize_email(email).strip().lower()
        return self.cache_format % {"scope": self.scope, "ident": keyed_hash(f"email:{address}")}


# One body for every accepted reset request, byte for byte: whether an account has the
# address must not show in the answer (nor in its time: the request does the same work).
PASSWORD_RESET_ACCEPTED = {
    "detail": "If an account uses this e-mail address, a link to choose a new password is on "
    "its way. It works once, within 60 minutes."
}


class PasswordResetView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle, PasswordResetEmailThrottle]
    throttle_scope = "password_reset"

    @extend_schema(
        request=PasswordResetSerializer,
        responses={202: PasswordResetAcceptedSerializer},
        summary="Ask for a password-reset e-mail",
        description="The same 202 body, whether or not an account has the address; the "
        "e-mail goes only to an active account's. Throttled per client address and per "
        "e-mail address (429).",
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_request(email=serializer.validated_data["email"])
        return Response(PASSWORD_RESET_ACCEPTED, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "password_reset"

    @extend_schema(
        request=PasswordResetConfirmSerializer,
        responses={204: None},
        summary="Choose a new password with the token of a reset link",
        description="The token works once, within 60 minutes of the request. Every refresh "
        "token, access token and portal session of the account stops working. A used, "
        "expired or unknown token answers 400 `invalid_token` on `token`; a password the "
        "validators refuse leaves the token usable.",
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_confirm(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeThrottle(UserRateThrottle):
    scope = "password_change"


class PasswordChangeView(APIView):
    throttle_classes = [PasswordChangeThrottle]

    @extend_schema(
        request=PasswordChangeSerializer,
        responses={200: TokenPairSerializer},
        summary="Change the password: a new token pair for this device",
        description="Every earlier refresh token, access token and portal session of the "
        "account stops working. A wrong current password answers 400 `wrong_password` on "
        "`current_password`.",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.password_change(user=request.user, **serializer.validated_data)
        return Response(token_pair_for(user))


class SignOutView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token_refresh"

    @extend_schema(
        request=SignOutSerializer,
        responses={204: None},
        summary="Sign this device out: its refresh token stops working",
        description="A refresh token that would not refresh any more (expired, revoked, "
        "already signed out, forged) answers 401 `token_not_valid`.",
    )
    def post(self, request: Request) -> Response:
        serializer = SignOutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            refresh_token_sign_out(serializer.validated_data["refresh"])
        except TokenError as error:
            raise InvalidToken(error.args[0]) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignOutAllView(APIView):
    @extend_schema(
        request=EmptyBody,
        responses={204: OpenApiResponse(description="Signed out everywhere.")},
        summary="Sign out everywhere: every refresh token and portal session ends",
        description="Access tokens issued before stop working too.",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        require_empty_body(request.data)
        services.user_sign_out_everywhere(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    post=extend_schema(
        responses={200: TokenPairSerializer}, summary="Log in: email and password for a token pair"
    )
)
class TokenObtainView(jwt_views.TokenObtainPairView):
    authentication_classes = ()
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def post(self, request: Request, *args, **kwargs) -> Response:
        # A pair locked out by earlier failures is refused before its password is
        # checked; the failure that reaches the limit still answers 401 like the others.
        email = request.data.get("email") if isinstance(request.data, dict) else None
        if isinstance(email, str) and not AxesProxyHandler.is_allowed(request, {"email": email}):
            raise _LockedOut(wait=_cool_off_seconds(request))
        return super().post(request, *args, **kwargs)


@extend_schema_view(
    post=extend_schema(
        responses={200: TokenPairSerializer}, summary="Swap a refresh token for a new pair"
    )
)
class TokenRefreshView(jwt_views.TokenRefreshView):
    authentication_classes = ()
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token_refresh"


@etagged
class MeView(APIView):
    @extend_schema(
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: MeSerializer, **NOT_MODIFIED},
        summary="The caller's account and profile",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(MeSerializer(request.user).data)

    @extend_schema(
        request=MeSerializer, responses={200: MeSerializer}, summary="Change profile fields"
    )
    def patch(self, request: AuthenticatedRequest) -> Response:
        serializer = MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_profile_update(user=request.user, **serializer.validated_data)
        activate_for_user(request._request, user)  # a new language answers in it at once
        return Response(MeSerializer(user).data)

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Erase the caller's patient account and all its data",
    )
    def delete(self, request: AuthenticatedRequest) -> Response:
        if not request.user.is_patient:
            raise exceptions.PermissionDenied(_("Only a patient account can be erased here."))
        require_empty_body(request.data)
        services.user_erase(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CareTeamListView(generics.ListAPIView):
    """The care-team links the caller is part of, paginated like every list of the API."""

    request: AuthenticatedRequest  # the permission classes let no one else in
    permission_classes = [IsPatientOrPhysio]
    serializer_class = CareTeamLinkSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CareTeamLink.objects.none()
        return selectors.care_team_links_for(user=self.request.user).order_by("-created_at")

    @extend_schema(summary="The care-team links the caller is part of")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class CareTeamDetailView(APIView):
    permission_classes = [IsPatientOrPhysio]

    @extend_schema(responses={204: None}, summary="End a care-team link (either side)")
    def delete(self, request: AuthenticatedRequest, link_id) -> Response:
        link = get_object_or_404(selectors.care_team_links_for(user=request.user), pk=link_id)
        services.care_link_end(link=link, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InviteJoinThrottle(UserRateThrottle):
    """Guessing codes is the attack: every join attempt counts, per user.

    The rate lives here rather than in settings.DEFAULT_THROTTLE_RATES so that it travels
    with the view (and a test can lower it)."""

    scope = "invite_join"
    rate = "20/hour"

    def get_rate(self) -> str:
        return self.rate


class InviteEmailThrottle(SimpleRateThrottle):
    """Invites that e-mail the code, per physio: the code goes to any address typed, so
    this bounds the mail one account can make the service send. An invite without an
    address is not counted. The portal's invite form counts under the same key."""

    scope = "invite_email"

    def get_cache_key(self, request: Request, view) -> str | None:
        email = request.data.get("email") if isinstance(request.data, dict) else None
        if not isinstance(email, str) or not email.strip():
            return None  # no e-mail to send (or the serializer answers 400)
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class CareTeamInviteView(APIView):
    permission_classes = [IsPhysio]
    throttle_classes = [InviteEmailThrottle]

    @extend_schema(
        request=InviteCreateSerializer,
        responses={201: InviteIssuedSerializer},
        summary="Make a one-time code (valid 72 hours) for a patient to join the care team",
        description="With `email`, the code and a link into the app are also e-mailed there "
        "(by the worker, after the answer); `emailed_to` says where. Invites with an `email` "
        "are throttled per physio (429); those without are not.",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = InviteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = services.care_invite_create(
            physio=request.user, email=serializer.validated_data.get("email", "")
        )
        body = {
            "code": issued.code,
            "expires_at": issued.invite.expires_at,
            "emailed_to": issued.emailed_to,
        }
        return Response(InviteIssuedSerializer(body).data, status=status.HTTP_201_CREATED)


class CareTeamJoinView(APIView):
    permission_classes = [IsPatient]
    throttle_classes = [InviteJoinThrottle]

    @extend_schema(
        request=JoinSerializer,
        responses={201: CareTeamLinkSerializer},
        summary="Join a physiotherapist's care team with a one-time code",
        description="A code that is not known, has expired or was already used answers 400 "
        'with attr "code" and code "invalid", "expired" or "used". At most 20 attempts an '
        "hour per user (429 beyond).",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = JoinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link = services.care_invite_join(patient=request.user, **serializer.validated_data)
        return Response(CareTeamLinkSerializer(link).data, status=status.HTTP_201_CREATED)

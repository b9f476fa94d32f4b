from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views

from apps.accounts.requests import AuthenticatedRequest
from backend.conditional import CONDITIONAL_PARAMETERS, NOT_MODIFIED, etagged
from backend.rest import error_response, require_empty_body

from . import selectors, services
from .errors import AccountError
from .models import CareTeamLink
from .permissions import IsPatient, IsPatientOrPhysio, IsPhysio
from .serializers import (
    CareTeamLinkSerializer,
    InviteCreateSerializer,
    InviteIssuedSerializer,
    JoinSerializer,
    MeSerializer,
    RegisterSerializer,
    TokenPairSerializer,
)


class _LockedOut(exceptions.Throttled):
    default_detail = "Too many failed logins for this account from this address. Try again later."
    default_code = AccountError.TOO_MANY_FAILED_LOGINS


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> JsonResponse:
    """AXES_LOCKOUT_CALLABLE: a locked-out pair answers 429 in the API's envelope."""
    return error_response(_LockedOut(wait=_cool_off_seconds(request)))


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
        responses={201: MeSerializer},
        summary="Register a patient account",
    )
    def post(self, request: Request) -> Response:
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        return Response(MeSerializer(user).data, status=status.HTTP_201_CREATED)


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
        return Response(MeSerializer(user).data)

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Erase the caller's patient account and all its data",
    )
    def delete(self, request: AuthenticatedRequest) -> Response:
        if not request.user.is_patient:
            raise exceptions.PermissionDenied("Only a patient account can be erased here.")
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


class CareTeamInviteView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(
        request=InviteCreateSerializer,
        responses={201: InviteIssuedSerializer},
        summary="Make a one-time code (valid 72 hours) for a patient to join the care team",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        InviteCreateSerializer(data=request.data).is_valid(raise_exception=True)
        issued = services.care_invite_create(physio=request.user)
        body = {"code": issued.code, "expires_at": issued.invite.expires_at}
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

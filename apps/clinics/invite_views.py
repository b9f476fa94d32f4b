"""Staff invitations over the API: a clinic's admins invite, list and revoke; the invited
person accepts with the token of the e-mail's link (docs/api.md, "Staff invitations")."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from apps.accounts.jwt import token_pair_for
from apps.accounts.permissions import IsPhysio
from apps.accounts.requests import AuthenticatedRequest
from apps.accounts.serializers import MeSerializer
from backend.errors import or_404
from backend.rest import PageNumberPagination, page_of, require_empty_body

from . import selectors, services
from .serializers import (
    ClinicSerializer,
    StaffInviteAcceptedSerializer,
    StaffInviteAcceptSerializer,
    StaffInviteInputSerializer,
    StaffInviteSerializer,
)


class StaffInviteEmailThrottle(SimpleRateThrottle):
    """Each invitation sends an e-mail to any address typed: counted per inviting physio
    under the same key as care-team invites with an address (the API's and the portal's),
    so one account has one budget of e-mails it can make the service send."""

    scope = "invite_email"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.method != "POST" or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class StaffInviteListView(APIView):
    permission_classes = [IsPhysio]
    throttle_classes = [StaffInviteEmailThrottle]

    @extend_schema(
        responses={200: page_of(StaffInviteSerializer)},
        summary="A clinic's staff invitations still waiting for an answer (the clinic's admins)",
    )
    def get(self, request: AuthenticatedRequest, clinic_id) -> Response:
        clinic = or_404(selectors.clinic_for_admin(user=request.user, clinic_id=clinic_id))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            selectors.open_invites_of(clinic=clinic), request, view=self
        )
        return paginator.get_paginated_response(StaffInviteSerializer(page or [], many=True).data)

    @extend_schema(
        request=StaffInviteInputSerializer,
        responses={
            201: StaffInviteSerializer,
            409: OpenApiResponse(description="`already_registered`: the address has an account."),
        },
        summary="Invite a new physiotherapist to the clinic's staff by e-mail (the clinic's admins)",
        description="The e-mail's link carries a single-use `token` valid 7 days. Inviting "
        "an address again revokes its earlier open invitation.",
    )
    def post(self, request: AuthenticatedRequest, clinic_id) -> Response:
        clinic = or_404(selectors.clinic_for_admin(user=request.user, clinic_id=clinic_id))
        serializer = StaffInviteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = services.staff_invite_create(
            clinic=clinic, by=request.user, **serializer.validated_data
        )
        return Response(StaffInviteSerializer(issued.row).data, status=status.HTTP_201_CREATED)


class StaffInviteDetailView(APIView):
    permission_classes = [IsPhysio]

    @extend_schema(
        request=None,
        responses={
            204: None,
            409: OpenApiResponse(description="`invite_accepted`: it was accepted already."),
        },
        summary="Revoke a staff invitation: its link stops working (the clinic's admins)",
    )
    def delete(self, request: AuthenticatedRequest, clinic_id, invite_id) -> Response:
        clinic = or_404(selectors.clinic_for_admin(user=request.user, clinic_id=clinic_id))
        invite = or_404(selectors.staff_invite_of(clinic=clinic, invite_id=invite_id))
        require_empty_body(request.data)
        services.staff_invite_revoke(invite=invite)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StaffInviteAcceptView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    # As the other links' tokens (reset, verification): per client address.
    throttle_scope = "password_reset"

    @extend_schema(
        request=StaffInviteAcceptSerializer,
        responses={
            201: StaffInviteAcceptedSerializer,
            409: OpenApiResponse(description="`already_registered`: the address has an account."),
        },
        summary="Accept a staff invitation: a new physiotherapist account on the clinic's staff",
        description="A used, revoked, expired or unknown token answers 400 `invalid_token` "
        "on `token`; a password the validators refuse leaves the token usable. The answer "
        "is the account with a token pair, as registration's, and the clinic joined.",
    )
    def post(self, request: Request) -> Response:
        serializer = StaffInviteAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        accepted = services.staff_invite_accept(**serializer.validated_data)
        body = {
            **MeSerializer(accepted.user).data,
            **token_pair_for(accepted.user),
            "clinic": ClinicSerializer(accepted.membership).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)

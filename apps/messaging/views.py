from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, pagination, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import views as accounts_views
from apps.accounts.models import CareTeamLink, User
from apps.accounts.permissions import IsPatientOrPhysio
from apps.accounts.requests import AuthenticatedRequest
from apps.accounts.services import patient_access_record

from . import selectors, services
from .safety import PATIENT_NOTICE
from .serializers import (
    CareTeamThreadSerializer,
    MessageInputSerializer,
    MessageSentSerializer,
    MessageSerializer,
    ReadAnswerSerializer,
    ReadInputSerializer,
)
from .throttling import MessagePostThrottle


def notice_for(user: User) -> str | None:
    return PATIENT_NOTICE if user.is_patient else None


# --- Care-team list with unread counts --------------------------------------------------------

LINK_STATUSES = ("active", "ended")


class CareTeamListView(accounts_views.CareTeamListView):
    """accounts' list of the caller's links, with each thread's `unread_count`.

    It lives here because accounts sits below messaging and must not import it: the
    `care-team/` path is routed to this view (apps/messaging/urls.py)."""

    request: AuthenticatedRequest  # the permission classes let no one else in
    serializer_class = CareTeamThreadSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CareTeamLink.objects.none()
        user = self.request.user
        if self._status() == "ended":
            # Only a patient keeps ended threads; a physio reaches none of them.
            links = selectors.threads_for(user=user).filter(ended_at__isnull=False)
        else:
            links = super().get_queryset()
        return selectors.links_with_unread_count(links.order_by("-created_at"), user=user)

    def _status(self) -> str:
        value = self.request.query_params.get("status", "active")
        if value not in LINK_STATUSES:
            raise exceptions.ValidationError(
                {
                    "status": [
                        exceptions.ErrorDetail(
                            gettext("Use active or ended."), code="invalid_choice"
                        )
                    ]
                }
            )
        return value

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=LINK_STATUSES,
                description="active (default): the links in force. ended: a patient's ended "
                "links, whose threads the patient can still read (always empty for a "
                "physiotherapist).",
            )
        ],
        summary="The care-team links the caller is part of, with unread message counts",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


# --- The thread of a link ---------------------------------------------------------------------


class MessageCursorPagination(pagination.CursorPagination):
    """Newest first, with the patient's notice beside the page."""

    ordering = "-created_at"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    notice: str | None = None

    def get_paginated_response(self, data) -> Response:
        response = super().get_paginated_response(data)
        response.data["notice"] = self.notice
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["notice"] = {
            "type": "string",
            "nullable": True,
            "description": "For a patient: messages are not watched around the clock, and "
            "how to get urgent help. Null for a physiotherapist.",
        }
        paginated["required"] = [*paginated.get("required", []), "notice"]
        return paginated


def _thread(request: AuthenticatedRequest, link_id) -> CareTeamLink:
    """The link, if its thread is the caller's; 404 otherwise (an ended link for a physio,
    someone else's link, an unknown id alike)."""
    return get_object_or_404(selectors.threads_for(user=request.user), pk=link_id)


THREAD_404 = OpenApiResponse(
    description="Not a thread of the caller's: unknown, someone else's, or (for a "
    "physiotherapist) a link that has ended."
)


class MessageListView(APIView):
    permission_classes = [IsPatientOrPhysio]
    pagination_class = MessageCursorPagination

    def get_throttles(self):
        request = getattr(self, "request", None)
        if request is not None and request.method == "POST":
            return [MessagePostThrottle()]
        return []

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From `next`/`previous`."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="1 to 200; default 50."),
        ],
        responses={200: MessageSerializer(many=True), 404: THREAD_404},
        summary="The messages of a care-team link, newest first (cursor pagination)",
        description="The link's patient and physiotherapist. After the link ends, the "
        "patient still reads the thread; the physiotherapist gets 404. A "
        "physiotherapist's read is recorded in the audit of patient records.",
    )
    def get(self, request: AuthenticatedRequest, link_id) -> Response:
        link = _thread(request, link_id)
        paginator = self.pagination_class()
        paginator.notice = notice_for(request.user)
        page = paginator.paginate_queryset(selectors.messages_of(link=link), request, view=self)
        response = paginator.get_paginated_response(MessageSerializer(page, many=True).data)
        if request.user.is_physio:
            patient_access_record(physio=request.user, patients=link.patient, what="messages.list")
        return response

    @extend_schema(
        request=MessageInputSerializer,
        responses={
            201: MessageSentSerializer,
            200: OpenApiResponse(
                MessageSentSerializer,
                description="Already stored (same client_id from the same sender): the stored "
                "message, nothing changed.",
            ),
            404: THREAD_404,
            409: OpenApiResponse(
                description='"thread_ended": the link has ended (the patient can still read '
                'the thread). "client_id_used_elsewhere": this client_id was used for a '
                "message in another thread."
            ),
        },
        summary="Send a message in a care-team link's thread",
        description="Plain text, 1 to 4000 characters, stored exactly as sent. The other side "
        "gets an inbox notification and a push that never carries the text. A patient's "
        "message that mentions a red-flag sign (calf swelling or redness, fever, cannot "
        "bear weight, numbness between the legs, a bladder or bowel change) gets an "
        'automatic reply in the thread (`kind` "system", `sender` null) asking them to log '
        'their symptoms now, with `action_route` "app://log". At most 30 new messages a '
        "minute per user (429 beyond); sending a stored client_id again is not counted.",
    )
    def post(self, request: AuthenticatedRequest, link_id) -> Response:
        link = _thread(request, link_id)
        serializer = MessageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sent = services.message_send(link=link, sender=request.user, **serializer.validated_data)
        body = {
            **MessageSerializer(sent.message).data,
            "auto_reply": MessageSerializer(sent.auto_reply).data if sent.auto_reply else None,
            "notice": notice_for(request.user),
        }
        return Response(
            body, status=status.HTTP_201_CREATED if sent.created else status.HTTP_200_OK
        )


class MessageReadView(APIView):
    permission_classes = [IsPatientOrPhysio]

    @extend_schema(
        request=ReadInputSerializer,
        responses={200: ReadAnswerSerializer, 404: THREAD_404},
        summary="Mark a message and every older one addressed to the caller as read",
        description="`up_to` must be a message of this thread (400 naming `up_to` "
        'with code "does_not_exist" otherwise). The patient may do this on an ended link.',
    )
    def post(self, request: AuthenticatedRequest, link_id) -> Response:
        link = _thread(request, link_id)
        serializer = ReadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = services.messages_mark_read(
            link=link, reader=request.user, up_to=serializer.validated_data["up_to"]
        )
        body = {
            "marked": marked,
            "unread_count": selectors.unread_count(link=link, user=request.user),
            "notice": notice_for(request.user),
        }
        return Response(ReadAnswerSerializer(body).data)

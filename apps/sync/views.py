from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsPatient
from apps.accounts.requests import AuthenticatedRequest
from backend.bulk import BULK_MAX_ITEMS

from . import checkpoint as checkpoints
from . import selectors
from .errors import SyncError
from .pull import CheckpointExpired, pull
from .push import push
from .serializers import SyncPullSerializer, SyncPushAnswerSerializer, SyncPushSerializer


class CheckpointGone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = _(
        "This checkpoint is older than the changes the server keeps: pull again without one."
    )
    default_code = SyncError.CHECKPOINT_EXPIRED


def _invalid_checkpoint() -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {
            "checkpoint": [
                exceptions.ErrorDetail(
                    gettext("Not a checkpoint this server gave you: pull again without one."),
                    code=SyncError.INVALID_CHECKPOINT,
                )
            ]
        }
    )


class SyncView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "checkpoint",
                OpenApiTypes.STR,
                description="From the last answer; leave out for everything current.",
            )
        ],
        responses={
            200: SyncPullSerializer,
            410: OpenApiResponse(
                description='"checkpoint_expired": the server no longer keeps the changes '
                "since this checkpoint; pull again without one."
            ),
        },
        summary="What changed for the patient since a checkpoint (offline sync, pull)",
        description="Pages: while `has_more` is true, call again with the new checkpoint. "
        "Without a checkpoint: everything current. A change committed late by a transaction "
        "that began early is still delivered. 400 `invalid_checkpoint` for a checkpoint "
        "that cannot be read.",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        since = None
        if "checkpoint" in request.query_params:
            try:
                since = checkpoints.decode(
                    request.query_params["checkpoint"], patient_id=request.user.id
                )
            except checkpoints.CheckpointInvalid:
                raise _invalid_checkpoint() from None
        try:
            page = pull(patient=request.user, since=since)
        except CheckpointExpired:
            raise CheckpointGone from None
        return Response(
            {
                "checkpoint": checkpoints.encode(page.checkpoint, patient_id=request.user.id),
                "has_more": page.has_more,
                "changes": page.changes,
                "deleted": page.deleted,
            }
        )

    @extend_schema(
        request=SyncPushSerializer,
        responses={
            200: SyncPushAnswerSerializer,
            413: OpenApiResponse(description=f"More than {BULK_MAX_ITEMS} items in all."),
        },
        summary="Store what the phone wrote offline (offline sync, push)",
        description=f"Lists of symptom logs, exercise logs, care sessions, outcome responses "
        f"and messages (each naming its `care_team_link`), {BULK_MAX_ITEMS} items in all at "
        "most; a list left out is empty. Each item is idempotent by `client_id` and answered "
        "as the bulk endpoints answer (`created`, `existing`, or `invalid` with its errors): "
        "valid items are stored even when others are refused. A key not listed is 400 "
        "`unknown_field`, a value not an array 400 `not_a_list`.",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        # Read before any write: what this push stores comes after it in the log.
        head = selectors.change_log_read(patient_id=request.user.pk, after=(0, 0), limit=0)
        results = push(patient=request.user, data=request.data)
        return Response(
            {
                "results": results,
                "checkpoint": checkpoints.encode(
                    checkpoints.Checkpoint(position=head.complete_through),
                    patient_id=request.user.id,
                ),
            }
        )

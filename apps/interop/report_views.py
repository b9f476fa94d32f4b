"""`GET episodes/{id}/report/`: an episode's discharge or progress report, as JSON or as a
PDF with charts (docs/api.md, "Episode report").

The report itself is apps.episode_lifecycle's: `episode_for` (the episode the caller may
read, else None: a 404 here) and `episode_report` (the report frozen at discharge, or the
progress report as of now). This module only negotiates the format and audits a physiotherapist's read.
urls.py includes it only where apps.episode_lifecycle is installed.
"""

from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_standardized_errors.openapi import AutoSchema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Role
from apps.accounts.permissions import IsPatientOrPhysio
from apps.accounts.requests import AuthenticatedRequest
from apps.accounts.services import patient_access_record
from apps.episode_lifecycle.report import episode_report
from apps.episode_lifecycle.selectors import episode_for
from backend.errors import or_404

from .renderers import ReportPdfRenderer

AUDIT_WHAT = "episodes.report"

_NUMBER = {"type": "number", "nullable": True}
_DATE = {"type": "string", "format": "date"}
_RESPONDER = {
    "type": "string",
    "enum": ["improved", "no_change", "worsened"],
    "nullable": True,
}
_USER = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "email": {"type": "string"},
        "display_name": {
            "type": "string",
            "description": "The display name, or the e-mail when unset (reports frozen at "
            "a discharge before display names existed lack it).",
        },
    },
    "required": ["id", "email"],
}


def _object(properties: dict, **extra) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties), **extra}


REPORT_SCHEMA = _object(
    {
        "episode": _object(
            {
                "id": {"type": "string", "format": "uuid"},
                "title": {"type": "string"},
                "condition": _object(
                    {"slug": {"type": "string"}, "name": {"type": "string"}}, nullable=True
                ),
                "started_on": _DATE,
                "ended_on": {**_DATE, "nullable": True},
                "status": {"type": "string", "enum": ["active", "discharged"]},
                "patient": _USER,
                "physio": _USER,
                "clinic": {
                    **_object(
                        {"id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}}
                    ),
                    "description": "The clinic that owns the episode.",
                },
            }
        ),
        "generated_at": {"type": "string", "format": "date-time"},
        "final": {
            "type": "boolean",
            "description": "True once the episode is discharged: the report is frozen.",
        },
        "pain": _object(
            {
                "first_7_days_mean": _NUMBER,
                "last_7_days_mean": _NUMBER,
                "change": _NUMBER,
                "mcid": {"type": "number"},
                "responder": _RESPONDER,
                "series": {
                    "type": "array",
                    "items": _object(
                        {"date": _DATE, "mean": {"type": "number"}, "red_flag": {"type": "boolean"}}
                    ),
                },
            }
        ),
        "outcomes": {
            "type": "array",
            "items": _object(
                {
                    "instrument": {"type": "string"},
                    "title": {"type": "string"},
                    "baseline": _NUMBER,
                    "latest": _NUMBER,
                    "change": _NUMBER,
                    "mcid": {"type": "number"},
                    "higher_is_better": {"type": "boolean"},
                    "responder": _RESPONDER,
                    "score_min": {"type": "number"},
                    "score_max": {"type": "number"},
                    "series": {
                        "type": "array",
                        "items": _object(
                            {
                                "completed_at": {"type": "string", "format": "date-time"},
                                "score": {"type": "number"},
                            }
                        ),
                    },
                }
            ),
        },
        "goals": {
            "type": "array",
            "items": _object(
                {
                    "description": {"type": "string"},
                    "instrument": {"type": "string"},
                    "instrument_name": {
                        "type": "string",
                        "description": "The instrument's title (absent from reports frozen "
                        "before it existed).",
                    },
                    "target": {"type": "number"},
                    "due_on": _DATE,
                    "status": {
                        "type": "string",
                        "enum": ["met", "progressing", "off_track", "not_met"],
                    },
                    "latest": _NUMBER,
                }
            ),
        },
        "adherence": {
            "type": "array",
            "items": _object(
                {
                    "week_start": _DATE,
                    "done": {"type": "integer"},
                    "prescribed": {"type": "integer"},
                    "rate": {**_NUMBER, "description": "done / prescribed, 0–1"},
                }
            ),
        },
        "adherence_7d": {
            **_object(
                {
                    "from": _DATE,
                    "to": _DATE,
                    "done": {"type": "integer"},
                    "prescribed": {"type": "integer"},
                    "rate": {**_NUMBER, "description": "done / prescribed, 0–1"},
                }
            ),
            "description": "The seven days ending on the report's last day (the caseload's "
            "`adherence_7d` for an active episode). Absent from reports frozen before it "
            "existed.",
        },
        "alerts": {
            "type": "array",
            "items": _object({"kind": {"type": "string"}, "count": {"type": "integer"}}),
        },
        "note": {"type": "string"},
        "disclaimer": {"type": "string"},
    }
)


# Reports frozen at discharge before the 7-day figure existed do not carry it.
REPORT_SCHEMA["required"].remove("adherence_7d")
REPORT_SCHEMA["properties"]["goals"]["items"]["required"].remove("instrument_name")


class JsonErrorsSchema(AutoSchema):
    """The schema says what finalize_response does: errors are JSON, even when a PDF was
    asked for (else every error would be documented as application/pdf too)."""

    def _get_response_for_code(
        self, serializer, status_code, media_types=None, direction="response"
    ):
        if str(status_code)[0] in "45":
            media_types = [JSONRenderer.media_type]
        return super()._get_response_for_code(serializer, status_code, media_types, direction)


class EpisodeReportView(APIView):
    permission_classes = [IsPatientOrPhysio]
    renderer_classes = [JSONRenderer, ReportPdfRenderer]
    schema = JsonErrorsSchema()

    @extend_schema(
        operation_id="episodes_report_retrieve",
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=["json", "pdf"],
                description="`pdf` is the same as `Accept: application/pdf`.",
            )
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                REPORT_SCHEMA, description="The report (default)."
            ),
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The report as a PDF with charts, as an attachment.",
            ),
        },
        summary="An episode's discharge or progress report, as JSON or PDF",
    )
    def get(self, request: AuthenticatedRequest, episode_id) -> Response:
        episode = or_404(episode_for(user=request.user, episode_id=episode_id))
        report = episode_report(episode)  # frozen at discharge; else as of now
        if request.user.role == Role.PHYSIO:
            patient_access_record(
                physio=request.user, patients=[report["episode"]["patient"]["id"]], what=AUDIT_WHAT
            )
        response = Response(report)
        if isinstance(request.accepted_renderer, ReportPdfRenderer):
            # The episode's id only: a file name shows in download lists and mail.
            response["Content-Disposition"] = (
                f'attachment; filename="episode-{episode_id}-report.pdf"'
            )
        response["Cache-Control"] = "no-store"
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and isinstance(
            getattr(response, "accepted_renderer", None), ReportPdfRenderer
        ):
            # Errors in the API's JSON envelope, whatever format was asked for.
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        patch_vary_headers(response, ["Accept"])
        return response

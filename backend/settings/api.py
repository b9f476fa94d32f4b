"""The REST API: DRF's defaults, the error envelope, request size, the OpenAPI schema."""

from .auth import NUM_PROXIES
from .environment import env

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.JWTUserAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["backend.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "backend.rest.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        # docs/api.md: a whole clinic may share one address, so these allow at least 60/min.
        "login": env("THROTTLE_LOGIN", default="120/min"),
        "token_refresh": env("THROTTLE_TOKEN_REFRESH", default="120/min"),
        "register": env("THROTTLE_REGISTER", default="120/min"),
        # Password reset: per client address, and per e-mail address asked about (the
        # same limit whether or not it has an account). Also applies to the confirm step.
        "password_reset": env("THROTTLE_PASSWORD_RESET", default="30/hour"),
        "password_reset_email": env("THROTTLE_PASSWORD_RESET_EMAIL", default="5/hour"),
        # Changing the password checks the current one: per user, against guessing it
        # with a stolen access token.
        "password_change": env("THROTTLE_PASSWORD_CHANGE", default="10/hour"),
        # Requests that make the service send an e-mail, per account: the verification
        # e-mail again, and care-team invites with an `email` (the API's and the portal's).
        "verify_email_resend": env("THROTTLE_VERIFY_EMAIL_RESEND", default="5/hour"),
        "invite_email": env("THROTTLE_INVITE_EMAIL", default="30/hour"),
    },
    "NUM_PROXIES": NUM_PROXIES,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # docs/api.md: every time of day is "HH:MM" (input also takes seconds, as before).
    "TIME_FORMAT": "%H:%M",
}

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "backend.rest.ExceptionHandler",
    "EXCEPTION_FORMATTER_CLASS": "backend.rest.ErrorFormatter",
}
# The largest legal request is an offline sync of 500 logs whose notes are 1,000
# characters each, which JSON-escaped can reach about 7 MB. Larger bodies are a 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SPECTACULAR_SETTINGS = {
    "TITLE": "Knee & calf self-care API",
    "SERVERS": [{"url": "http://localhost:8000", "description": "A local run (scripts/run.sh)"}],
    "LICENSE": {"name": "Proprietary"},
    "DESCRIPTION": (
        "Self-care and rehabilitation backend for knee pain, calf pain and knee pain "
        "referred from the lower back. Education and triage only: it never diagnoses."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SideEnum": "apps.content.vocabulary.Side",
        "RoleEnum": "apps.accounts.models.Role",
        "StaffRoleEnum": "apps.clinics.models.StaffRole",
        "AlertKindEnum": "apps.alerts.models.AlertKind",
        "AlertStatusEnum": "apps.alerts.models.AlertStatus",
        "AlertCodeEnum": "apps.alerts.codes.ALERT_CODE_CHOICES",
        # Alerts' and symptom logs' (the export's `triage_level`) levels: one enum.
        "LevelEnum": "apps.symptoms.vocabulary.Level",
        "EpisodeStatusEnum": "apps.episodes.models.EpisodeStatus",
        "CareKindEnum": "apps.care.models.CareKind",
        "ReminderKindEnum": "apps.notifications.models.ReminderKind",
        "ReminderStatusEnum": "apps.notifications.models.ReminderStatus",
        "NotificationKindEnum": "apps.notifications.models.NotificationKind",
        "MessageKindEnum": "apps.messaging.models.MessageKind",
        "PlanStatusEnum": "apps.plans.models.PlanStatus",
        "OutcomeScheduleStatusEnum": "apps.outcomes.models.ScheduleStatus",
        # Offline sync's per-item status, shared by symptom logs and outcome responses.
        "BulkItemResultStatusEnum": "backend.bulk.ItemStatus.values",
        "ContentStatusEnum": "apps.content.models.Status",
        "ConditionKindEnum": "apps.content.models.ConditionKind",
        "StepKindEnum": "apps.content.models.StepKind",
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "backend.schema.postprocess",  # what every operation can answer (its docstring)
    ],
}

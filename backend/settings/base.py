"""Settings shared by every environment, read from the environment (django-environ).

`local.py` (the default), `test.py` and `production.py` build on this module. Only
`local.py` and `test.py` supply defaults for secrets; production fails at start
without them.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"  # local state: SQLite file, embedded broker, beat schedule

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

# --- General -------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
# SECRET_KEY: set by local.py, test.py (defaults) and production.py (required).
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_CODE = "en"
USE_I18N = True
ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Apps ----------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served locally, not from a CDN
    "drf_standardized_errors",
    "axes",
    "adminsortable2",
    "simple_history",
]
# In the order of the layers, bottom first (docs/architecture.md; import-linter checks it).
LOCAL_APPS = [
    "apps.content",
    "apps.accounts",
    "apps.notifications",
    "apps.episodes",
    "apps.symptoms",
    "apps.care",
    "apps.outcomes",
    "apps.messaging",
    "apps.plans",
    "apps.alerts",
    "apps.review",
    "apps.guidance",
    "apps.interop",
    "apps.clinic",
    "apps.sync",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # who made each content change
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the lockout flag set during authentication (admin login).
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------
# SQLite by default so that a fresh clone runs with nothing installed; PostgreSQL when
# DATABASE_URL says so. Web, worker and beat share the SQLite file, hence WAL and
# IMMEDIATE transactions (writers queue instead of failing with "database is locked").
# A PostgreSQL that does not answer must not hold a process forever: connecting gives up
# after DATABASE_CONNECT_TIMEOUT seconds (libpq's minimum is 2).
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=2)


def postgres_options() -> dict:
    # plan_cache_mode: the foreign-key checks' cached plans are made again each time from
    # the table's current size, so a plan made while a table was empty (a seq scan) never
    # outlives its data (docs/decisions/empty-table-planning.md).
    return {
        "connect_timeout": DATABASE_CONNECT_TIMEOUT,
        "options": "-c plan_cache_mode=force_custom_plan",
    }


DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).update(postgres_options())

# --- Redis, cache ----------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")


def redis_cache(url: str) -> dict:
    """The cache on Redis, failing open: with Redis down, a cache error costs throttling
    and the worsening check's debounce (the nightly sweep catches up), never a patient's
    request. Short timeouts so an unreachable Redis does not stall requests either."""
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "rehab",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }


DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True  # logged with the key (ids only), never values
if REDIS_URL:
    CACHES = redis_cache(REDIS_URL)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication ------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Counts failed logins per (account, address) and refuses the pair once locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# docs/api.md: after 10 failed logins in 15 minutes for one (account, address) pair → 429.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "apps.accounts.views.lockout_response"
AXES_USERNAME_CALLABLE = "apps.accounts.views.lockout_username"
AXES_VERBOSE = False
# Number of trusted reverse proxies in front of the web process (X-Forwarded-For).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
AXES_IPWARE_PROXY_COUNT = NUM_PROXIES or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if NUM_PROXIES else ["REMOTE_ADDR"]
)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=30)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,  # the user_logged_in signal sent on token login does it
    "AUTH_HEADER_TYPES": ("Bearer",),
    "TOKEN_OBTAIN_SERIALIZER": "apps.accounts.serializers.StrictTokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "apps.accounts.serializers.StrictTokenRefreshSerializer",
}

# --- REST framework ------------------------------------------------------------------
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
    },
    "NUM_PROXIES": NUM_PROXIES,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
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
        "AlertKindEnum": "apps.alerts.models.AlertKind",
        "AlertStatusEnum": "apps.alerts.models.AlertStatus",
        "CareKindEnum": "apps.care.models.CareKind",
        "ReminderKindEnum": "apps.notifications.models.ReminderKind",
        "ReminderStatusEnum": "apps.notifications.models.ReminderStatus",
        "NotificationKindEnum": "apps.notifications.models.NotificationKind",
        "MessageKindEnum": "apps.messaging.models.MessageKind",
        "PlanStatusEnum": "apps.plans.models.PlanStatus",
        "OutcomeScheduleStatusEnum": "apps.outcomes.models.ScheduleStatus",
        # Offline sync's per-item status, shared by symptom logs and outcome responses.
        "BulkItemResultStatusEnum": ["created", "existing", "invalid"],
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

# --- Celery --------------------------------------------------------------------------
# Redis when REDIS_URL is set; otherwise kombu's filesystem transport, which needs no
# server: web, worker and beat on one machine exchange messages through VAR_DIR/broker.
CELERY_BROKER_DIR = Path(env("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
# Bounded waits on Redis as broker and result backend: a Redis that accepts connections
# and never answers (stopped, swapping, a dead peer behind NAT) must fail a publish in
# seconds, not hang it. The worker's BRPOP is guarded by kombu's own health check.
REDIS_CONNECT_TIMEOUT = 2
REDIS_SOCKET_TIMEOUT = 5
REDIS_BROKER_TRANSPORT_OPTIONS = {
    # Longer than any task may run, so an acks_late task is not handed out twice.
    "visibility_timeout": 3600,
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
else:
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_RESULT_BACKEND = f"file://{CELERY_BROKER_DIR / 'results'}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"apps.notifications.tasks.*": {"queue": "notifications"}}
# Declared, so a plain `celery -A backend worker` (docs/api.md) consumes both; a deployment may
# still run one worker per queue with --queues.
CELERY_TASK_QUEUES = (Queue("default"), Queue("notifications"))
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request must not hang when the broker is down: publishing gives up quickly and the
# periodic sweeps pick up whatever was not enqueued (docs/architecture.md, Flows).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# backend/queue.py: how long a request waits for its tasks to reach the broker. With a
# healthy broker that is a millisecond or two; a broker slower than this is left to the
# hand-off thread and the sweeps, and the response goes out.
TASK_HAND_OFF_WAIT = env.float("TASK_HAND_OFF_WAIT", default=0.2)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The one place where periodic work is declared.
REMINDER_DISPATCH_INTERVAL = env.float("REMINDER_DISPATCH_INTERVAL", default=60.0)
PUSH_SWEEP_INTERVAL = env.float("PUSH_SWEEP_INTERVAL", default=60.0)
CELERY_BEAT_SCHEDULE = {
    "dispatch-due-reminders": {
        "task": "apps.notifications.tasks.dispatch_due_reminders",
        "schedule": REMINDER_DISPATCH_INTERVAL,
    },
    "sweep-undelivered-pushes": {
        "task": "apps.notifications.tasks.sweep_undelivered",
        "schedule": PUSH_SWEEP_INTERVAL,
    },
    "plan-reminders-ahead": {
        "task": "apps.notifications.tasks.plan_reminders_ahead",
        "schedule": crontab(minute=15),
    },
    "sweep-worsening": {
        "task": "apps.alerts.tasks.sweep_worsening",
        "schedule": crontab(hour=2, minute=0),
    },
    "sweep-missed-exercises": {
        "task": "apps.alerts.tasks.sweep_missed_exercises",
        "schedule": crontab(hour=3, minute=0),
    },
    "prune-sync-change-log": {
        "task": "apps.sync.tasks.prune_change_log",
        "schedule": crontab(hour=4, minute=0),
    },
}
# Offline sync: how long the change log keeps a change. An app that has not pulled for
# longer gets 410 checkpoint_expired and pulls everything again (docs/api.md).
SYNC_CHANGE_RETENTION_DAYS = env.int("SYNC_CHANGE_RETENTION_DAYS", default=90)

# --- Push notifications --------------------------------------------------------------------
# One backend per platform: "console" (default: logs ids only), "fcm" (FCM HTTP v1 for
# iOS and Android) or "webpush" (Web Push with VAPID for browsers).
PUSH_BACKENDS = {
    "android": env("PUSH_ANDROID_BACKEND", default="console"),
    "ios": env("PUSH_IOS_BACKEND", default="console"),
    "web": env("PUSH_WEB_BACKEND", default="console"),
}
FCM_PROJECT_ID = env("FCM_PROJECT_ID", default="")
FCM_SERVICE_ACCOUNT_FILE = env("FCM_SERVICE_ACCOUNT_FILE", default="")
FCM_ENDPOINT = env("FCM_ENDPOINT", default="https://fcm.googleapis.com/v1/projects")
WEBPUSH_VAPID_PRIVATE_KEY = env("WEBPUSH_VAPID_PRIVATE_KEY", default="")
WEBPUSH_VAPID_SUBJECT = env("WEBPUSH_VAPID_SUBJECT", default="mailto:ops@example.org")
# Web Push endpoints must be https, except in tests with a local stand-in provider.
WEBPUSH_ALLOW_HTTP_ENDPOINTS = env.bool("WEBPUSH_ALLOW_HTTP_ENDPOINTS", default=False)
# The server posts to whatever endpoint a subscription names, so only the browsers' push
# services are accepted (a host or any of its subdomains); anything else could make the
# server call into its own network.
WEBPUSH_ALLOWED_HOSTS = env.list(
    "WEBPUSH_ALLOWED_HOSTS",
    default=[
        "fcm.googleapis.com",  # Chrome, Edge, Opera, Samsung Internet
        "push.services.mozilla.com",  # Firefox
        "push.apple.com",  # Safari
        "notify.windows.com",  # legacy Edge
    ],
)
PUSH_TIMEOUT_SECONDS = 10

# --- Static files --------------------------------------------------------------------
# Local runs (runserver with DEBUG off included) serve static files straight from the
# apps' folders through WhiteNoise: no collectstatic needed. Production serves the
# collected, hashed and compressed copies (production.py).
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Security --------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- Logging -------------------------------------------------------------------------
# Log lines carry ids, paths and codes, never request bodies: no health data in logs.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
    },
}

# --- Clinic portal (/clinic/, apps.clinic.portal) ---------------------------------------------
# The physiotherapists' web app: server-rendered pages with htmx, signed in with a session,
# a password (same accounts and axes lockouts as the API) and a second factor (TOTP from
# django-otp, with static recovery codes). See docs/decisions/portal-second-factor.md.
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",  # also ships htmx's JavaScript, served from our own origin
    "csp",
]
# After authentication: OTPMiddleware tells whether this session passed its second factor
# (request.user.is_verified()); HtmxMiddleware sets request.htmx for partial updates.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "django_htmx.middleware.HtmxMiddleware",
)
# Early, so that every response (errors included) carries the policy.
MIDDLEWARE.insert(1, "csp.middleware.CSPMiddleware")

# Sessions (the portal's and the admin's) end after this long without a request: every
# request moves the expiry forward. The API's JWT requests carry no session and write none.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "clinic:sign-in"

# The second factor: TOTP apps show this issuer; recovery codes are one-time static tokens.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Knee & calf clinic")
OTP_TOTP_THROTTLE_FACTOR = 1  # each failed code doubles the wait before the next try
PORTAL_RECOVERY_CODES = 10

# Content Security Policy (django-csp 4): scripts, styles, images and requests from our own
# origin only; no inline scripts or styles and no eval (htmx is configured for that in the
# portal's base template). The admin and the Swagger UI ship inline scripts and styles, so
# they keep their own defaults; X_FRAME_OPTIONS = "DENY" above covers framing everywhere.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/api/docs/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

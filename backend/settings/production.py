"""Production settings (docker-compose.yml): every secret comes from the environment.

Missing SECRET_KEY, OTP_SEED_KEYS, DATABASE_URL, REDIS_URL or ALLOWED_HOSTS stops the process at start
instead of running with a silent default.
"""

from .background import REDIS_BROKER_TRANSPORT_OPTIONS
from .base import *  # noqa: F403
from .cache import redis_cache
from .database import postgres_settings
from .environment import env
from .media import MEDIA_STORAGE, media_storage
from .portal import otp_seed_keys

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
# Fernet keys that encrypt TOTP seeds at rest, newest first (second-factor-at-rest.md).
OTP_SEED_KEYS = otp_seed_keys(env.list("OTP_SEED_KEYS", default=[]))
# Plus loopback, where the container's own health probe connects from.
ALLOWED_HOSTS = [*env.list("ALLOWED_HOSTS"), "localhost", "127.0.0.1"]
DATABASES = {"default": env.db("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"] = postgres_settings(env("DATABASE_URL"))
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
REDIS_URL = env("REDIS_URL")
CACHES = redis_cache(REDIS_URL)
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS

# --- Static files: collected at build time (Dockerfile), hashed and compressed ----------
STORAGES = {
    "default": media_storage(MEDIA_STORAGE),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False

# --- HTTPS behind a TLS-terminating proxy -------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The orchestrator's health probes speak plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "same-origin"

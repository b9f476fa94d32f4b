"""Settings for a developer's machine: the default of manage.py and the Celery app.

Runs with nothing configured (SQLite, the embedded broker); DEBUG stays off unless
DEBUG=true is set.
"""

from .base import *  # noqa: F403
from .environment import env
from .portal import otp_seed_key_derived, otp_seed_keys

SECRET_KEY = env("SECRET_KEY", default="local-only-insecure-key-do-not-use-in-production")
# Encrypts TOTP seeds at rest; derived from SECRET_KEY unless set (production requires it).
OTP_SEED_KEYS = otp_seed_keys(env.list("OTP_SEED_KEYS", default=[otp_seed_key_derived(SECRET_KEY)]))
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

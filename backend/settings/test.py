"""Settings for the test suite (pytest-django).

The database and broker follow DATABASE_URL and REDIS_URL like everywhere else, so CI
runs the same suite against SQLite with the embedded broker and against PostgreSQL with
Redis.
"""

from pathlib import Path

from .background import CELERY_BROKER_TRANSPORT_OPTIONS
from .base import *  # noqa: F403
from .cache import REDIS_URL
from .database import DATABASES
from .environment import BASE_DIR, env
from .portal import otp_seed_key_derived, otp_seed_keys

SECRET_KEY = env("SECRET_KEY", default="test-only-insecure-key-long-enough-for-hs256-signing")
# Encrypts TOTP seeds at rest; derived from SECRET_KEY unless set (production requires it).
OTP_SEED_KEYS = otp_seed_keys(env.list("OTP_SEED_KEYS", default=[otp_seed_key_derived(SECRET_KEY)]))
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
DEBUG = False

# Hashing real passwords makes the suite slow for nothing it tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A file, not SQLite's in-memory default, so that a real Celery worker started by an
# integration test opens the same test database as the test itself.
# TEST_SQLITE_PATH lets two test runs on one machine keep apart.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": env("TEST_SQLITE_PATH", default=str(BASE_DIR / "var" / "test-db.sqlite3"))
    }

if not REDIS_URL:
    # The tests' own embedded broker, apart from a running local service's.
    _broker_dir = Path(env("CELERY_BROKER_DIR", default=str(BASE_DIR / "var" / "test-broker")))
    CELERY_BROKER_DIR = _broker_dir
    CELERY_RESULT_BACKEND = f"file://{_broker_dir / 'results'}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
    }

CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "test-celerybeat-schedule")

# Static files come from the app folders (as for local runs, core.py).
WHITENOISE_AUTOREFRESH = True

# Uploaded media of the tests, apart from a local run's.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "test-media")))

"""Settings for a developer's machine: the default of manage.py and the Celery app.

Runs with nothing configured (SQLite, the embedded broker); DEBUG stays off unless
DEBUG=true is set.
"""

from .base import *  # noqa: F403
from .environment import env

SECRET_KEY = env("SECRET_KEY", default="local-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

"""Moved to tests/factories/ (one module per app); kept so older imports still work."""

from tests.factories.accounts import *  # noqa: F403

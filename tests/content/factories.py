"""Moved to tests/factories/ (one module per app); kept so older imports still work."""

from tests.factories.content import *  # noqa: F403

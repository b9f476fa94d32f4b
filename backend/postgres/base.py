"""Django's PostgreSQL backend, with a limit on every wait for the server's answer.

psycopg waits for each answer in `Connection.wait()`, as long as it takes by default; a
server that is frozen (or a connection whose peer vanished before keepalives notice) then
holds the request until gunicorn kills the worker. Here every wait on an open connection
gives up after `wait_timeout` seconds (`health_check_timeout` for the "SELECT 1" that
CONN_HEALTH_CHECKS runs on a kept connection), the connection is closed, since the
protocol is left mid-way, and Django sees an OperationalError, which the API answers as a
503 (`backend.rest.ExceptionHandler`).
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from django.db.backends.postgresql import base

logger = logging.getLogger(__name__)

CLIENT_OPTIONS = ("wait_timeout", "health_check_timeout")


class ServerDidNotAnswer(psycopg.OperationalError):
    """No answer from PostgreSQL within the wait limit; the connection has been closed."""


class BoundedConnection(psycopg.Connection):
    """A psycopg connection whose waits end after `wait_timeout` seconds."""

    wait_timeout: float | None = None

    def wait(self, gen, interval: float = 0.1, timeout: float | None = None):
        limit = self.wait_timeout if timeout is None else timeout
        try:
            return super().wait(gen, interval=interval, timeout=limit)
        except psycopg.errors._WaitTimeout:
            # The query may still be running or the server may be gone: the protocol is
            # mid-way, so nothing more can be sent on this connection. Cancelling would
            # need the server to answer too.
            logger.warning("database did not answer within %.1fs: connection closed", limit)
            self.pgconn.finish()
            raise ServerDidNotAnswer(f"the database did not answer within {limit:.1f} s") from None


class _Psycopg:
    """The psycopg module as Django's backend sees it, connecting with BoundedConnection."""

    connect = BoundedConnection.connect

    def __getattr__(self, name: str) -> Any:
        return getattr(psycopg, name)


class DatabaseWrapper(base.DatabaseWrapper):
    # A stand-in for the psycopg module; the stubs type this attribute as a module.
    Database = _Psycopg()  # type: ignore[assignment]

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        for name in CLIENT_OPTIONS:
            params.pop(name, None)
        return params

    def get_new_connection(self, conn_params: dict[str, Any]) -> BoundedConnection:
        connection = super().get_new_connection(conn_params)
        connection.wait_timeout = self.settings_dict["OPTIONS"].get("wait_timeout")
        return connection

    def is_usable(self) -> bool:
        """Django's health check, with its own, shorter wait: a kept connection that does
        not answer is dropped quickly and a new one tried."""
        if self.connection is None:
            return False
        limit = self.settings_dict["OPTIONS"].get("health_check_timeout")
        previous = self.connection.wait_timeout
        self.connection.wait_timeout = limit or previous
        try:
            return super().is_usable()
        finally:
            self.connection.wait_timeout = previous

"""Time limits on every PostgreSQL connection, chosen by the kind of process.

A PostgreSQL that stops answering (a frozen server, a dead host, a cut network) must not
hold a request: the web answers 503 within a few seconds and goes on serving. Background
work runs longer statements, so the worker and beat get longer limits; management
commands (migrate) get none on statements. docs/decisions/database-timeouts.md.

Four layers, because each catches what the others cannot:
- `statement_timeout` and `idle_in_transaction_session_timeout`: the server ends a query
  that runs too long or a transaction left open, while it still works.
- `wait_seconds`: the client gives up on an answer that does not come (a server that is
  frozen acknowledges nothing at the application level, yet its kernel keeps the
  connection open, so no socket option notices). The connection is then closed.
- `tcp_user_timeout` and keepalives: the kernel drops a connection whose peer stopped
  acknowledging (a host that is gone), including idle pooled ones.
- `connect_timeout`: a connection attempt gives up (libpq's minimum is 2 seconds).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROLES = ("web", "worker", "beat", "command")


@dataclass(frozen=True)
class Timeouts:
    connect_seconds: int
    statement_seconds: float  # 0: no limit
    idle_in_transaction_seconds: float  # 0: no limit
    wait_seconds: float | None  # None: wait as long as the server takes
    health_check_seconds: float  # CONN_HEALTH_CHECKS' "SELECT 1" on a kept connection
    tcp_user_timeout_seconds: float
    keepalives_idle_seconds: int = 10
    keepalives_interval_seconds: int = 2
    keepalives_count: int = 3


# web: a request on a kept connection to a frozen server ends within about 3 s (the 1.5 s
# health check, then a 2 s connect that fails) and one that freezes mid-request within 4 s;
# both are a 503. No request of the API runs a statement near 3 s (the heaviest, a 500-log
# sync or a PDF report, take well under a second).
# worker: the sweeps over every patient run statements of seconds; a task's soft time
# limit is 4 minutes, so a wait of 90 s still leaves it time to record the failure.
# beat: reads nothing but its schedule file; bounded like the worker all the same.
# command: migrations build indexes for as long as they take; an operator is watching.
DEFAULTS: dict[str, Timeouts] = {
    "web": Timeouts(
        connect_seconds=2,
        statement_seconds=3,
        idle_in_transaction_seconds=10,
        wait_seconds=4,
        health_check_seconds=1.5,
        tcp_user_timeout_seconds=5,
    ),
    "worker": Timeouts(
        connect_seconds=2,
        statement_seconds=60,
        idle_in_transaction_seconds=120,
        wait_seconds=90,
        health_check_seconds=5,
        tcp_user_timeout_seconds=30,
    ),
    "beat": Timeouts(
        connect_seconds=2,
        statement_seconds=30,
        idle_in_transaction_seconds=60,
        wait_seconds=45,
        health_check_seconds=5,
        tcp_user_timeout_seconds=30,
    ),
    "command": Timeouts(
        connect_seconds=2,
        statement_seconds=0,
        idle_in_transaction_seconds=0,
        wait_seconds=None,
        health_check_seconds=5,
        tcp_user_timeout_seconds=60,
    ),
}


def process_role(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """ "web", "worker", "beat" or "command": PROCESS_ROLE when set, otherwise read from
    the command line (gunicorn or runserver: web; celery worker; celery beat; anything
    else, such as migrate, a shell or the test suite: command)."""
    argv = list(sys.argv if argv is None else argv)
    environ = os.environ if environ is None else environ
    explicit = environ.get("PROCESS_ROLE", "").strip().lower()
    if explicit:
        if explicit not in ROLES:
            raise ValueError(f"PROCESS_ROLE must be one of {', '.join(ROLES)}, not {explicit!r}")
        return explicit
    program = Path(argv[0]).parent.name if argv and argv[0].endswith("__main__.py") else ""
    program = program or (Path(argv[0]).name if argv else "")
    words = argv[1:]
    if program.startswith("gunicorn") or program.startswith("uwsgi"):
        return "web"
    if program.startswith("celery"):
        if "beat" in words:
            return "beat"
        if "worker" in words:
            return "worker"
        return "command"  # celery inspect, purge, shell
    if "runserver" in words:
        return "web"
    return "command"


def timeouts_for(role: str, environ: Mapping[str, str] | None = None) -> Timeouts:
    """The role's defaults, with any of DATABASE_CONNECT_TIMEOUT, DATABASE_STATEMENT_TIMEOUT,
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT and DATABASE_WAIT_TIMEOUT (seconds) from the
    environment of this process (docker-compose sets each service's own)."""
    environ = os.environ if environ is None else environ
    chosen = DEFAULTS[role]
    overrides: dict[str, Any] = {}
    if value := environ.get("DATABASE_CONNECT_TIMEOUT"):
        overrides["connect_seconds"] = max(2, int(value))  # libpq rounds anything less up
    if value := environ.get("DATABASE_STATEMENT_TIMEOUT"):
        overrides["statement_seconds"] = float(value)
    if value := environ.get("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT"):
        overrides["idle_in_transaction_seconds"] = float(value)
    if value := environ.get("DATABASE_WAIT_TIMEOUT"):
        overrides["wait_seconds"] = float(value) or None
    return replace(chosen, **overrides)


def libpq_options(timeouts: Timeouts, *, server_settings: Sequence[str] = ()) -> dict:
    """OPTIONS for the database settings: libpq's connection parameters, the server
    settings sent at connection start, and the client-side waits (`wait_timeout`,
    `health_check_timeout`) that `backend.postgres.base` takes out before connecting."""
    settings = [
        *server_settings,
        f"statement_timeout={int(timeouts.statement_seconds * 1000)}",
        f"idle_in_transaction_session_timeout={int(timeouts.idle_in_transaction_seconds * 1000)}",
    ]
    return {
        "connect_timeout": timeouts.connect_seconds,
        "options": " ".join(f"-c {setting}" for setting in settings),
        "keepalives": 1,
        "keepalives_idle": timeouts.keepalives_idle_seconds,
        "keepalives_interval": timeouts.keepalives_interval_seconds,
        "keepalives_count": timeouts.keepalives_count,
        "tcp_user_timeout": int(timeouts.tcp_user_timeout_seconds * 1000),
        "wait_timeout": timeouts.wait_seconds,
        "health_check_timeout": timeouts.health_check_seconds,
    }

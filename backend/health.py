"""Liveness and readiness probes for orchestrators and the run command."""

import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import wraps

import redis
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from rest_framework.exceptions import MethodNotAllowed

from backend.celery import app as celery_app
from backend.rest import error_response

logger = logging.getLogger(__name__)


def probe(view: Callable[[HttpRequest], JsonResponse]) -> Callable[[HttpRequest], JsonResponse]:
    """GET or HEAD, never cached; any other method is a 405 in the API's envelope."""

    @wraps(view)
    def wrapped(request: HttpRequest) -> JsonResponse:
        if request.method not in ("GET", "HEAD"):
            response = error_response(lambda: MethodNotAllowed(request.method or ""), request)
            response["Allow"] = "GET, HEAD"
            return response
        return view(request)

    return never_cache(wrapped)


@probe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive; says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


def _database_ok() -> None:
    """A fresh connection (the request's own may be the one that hangs), opened with the
    connect timeout of the settings, and a statement timeout for the probe's query."""
    wrapper = connections.create_connection("default")
    try:
        with wrapper.cursor() as cursor:
            if wrapper.vendor == "postgresql":
                cursor.execute(f"SET statement_timeout = {int(PROBE_STATEMENT_TIMEOUT_MS)}")
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        wrapper.close()


def _broker_ok() -> None:
    url = celery_app.conf.broker_url or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        # A PING with socket timeouts: kombu's connection check has none for a Redis that
        # accepts connections and never answers.
        client = redis.Redis.from_url(
            url, socket_connect_timeout=PROBE_TIMEOUT, socket_timeout=PROBE_TIMEOUT
        )
        try:
            client.ping()
        finally:
            client.close()
        return
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT)


CHECKS: dict[str, Callable[[], None]] = {"database": _database_ok, "broker": _broker_ok}
PROBE_TIMEOUT = 1.5  # seconds for all checks together; orchestrators wait about 2 to 5
PROBE_STATEMENT_TIMEOUT_MS = 1000
_executor: tuple[int, ThreadPoolExecutor] | None = None


def _checks_executor() -> ThreadPoolExecutor:
    """Threads of this process (made again after a fork): the checks run side by side, and
    one that hangs is abandoned at the deadline instead of holding the probe."""
    global _executor
    if _executor is None or _executor[0] != os.getpid():
        _executor = (os.getpid(), ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz"))
    return _executor[1]


def _run_checks() -> dict[str, bool]:
    executor = _checks_executor()
    deadline = time.monotonic() + PROBE_TIMEOUT
    futures = {name: executor.submit(check) for name, check in CHECKS.items()}
    results = {}
    for name, future in futures.items():
        try:
            future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            logger.warning("readiness: %s did not answer within %.1fs", name, PROBE_TIMEOUT)
            results[name] = False
        except Exception:
            logger.warning("readiness: %s unreachable", name, exc_info=True)
            results[name] = False
        else:
            results[name] = True
    return results


@probe
def readyz(request: HttpRequest) -> JsonResponse:
    """Database and broker answer → 200; either down or silent → 503 naming which, in
    under two seconds whatever hangs."""
    checks = _run_checks()
    ready = all(checks.values())
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": {name: "ok" if ok else "down" for name, ok in checks.items()},
    }
    return JsonResponse(body, status=200 if ready else 503)

"""Liveness and readiness probes for orchestrators and the run command."""

import logging
from collections.abc import Callable
from functools import wraps

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
            response = error_response(MethodNotAllowed(request.method))
            response["Allow"] = "GET, HEAD"
            return response
        return view(request)

    return never_cache(wrapped)


@probe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive; says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.warning("readiness: database unreachable", exc_info=True)
        return False
    return True


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.warning("readiness: broker unreachable", exc_info=True)
        return False
    return True


@probe
def readyz(request: HttpRequest) -> JsonResponse:
    """Database and broker reachable → 200; either down → 503 naming which."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    ready = all(checks.values())
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": {name: "ok" if ok else "down" for name, ok in checks.items()},
    }
    return JsonResponse(body, status=200 if ready else 503)

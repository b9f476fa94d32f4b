"""gunicorn's configuration (it reads ./gunicorn.conf.py by itself; the compose file and
CI name it with -c). Limits on what a client may send before Django runs, and the API's
error envelope for the answers gunicorn gives itself (docs/decisions/errors-before-django.md).
"""

import gc
import json
import os

import gunicorn.util

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# A request that runs longer than this is killed with its worker; every request path has
# its own bounds well under it (database and broker timeouts, the 0.2 s task hand-off).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle a worker now and then, a bound on whatever memory a worker keeps (a worker
# measured after a 500-log sync and 100 more requests held 9% over its start:
# tests/integration/test_worker_memory.py); the jitter keeps workers from restarting
# together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 500
# Load the application once in the master: a recycled worker is forked ready in
# milliseconds instead of importing Django again while requests queue up.
preload_app = True


def pre_fork(server, worker):
    """Before each worker is forked from the master, which has imported the application:
    hide what is alive now (Django, the apps, their modules) from the garbage collector.
    A worker's full collections then walk only what its requests made, not the whole
    framework: measured on a 500-log sync, a full collection inside a request cost about
    100 ms without this and 30 ms with it (docs/decisions/gc-freeze.md). The frozen pages
    are also left unwritten, so the workers keep sharing them with the master."""
    gc.collect()
    gc.freeze()


# What a client may send before the application sees anything. Every URL of the API fits
# in 2 KB; beyond 4 KB of request line the answer is a 414 in the envelope.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
accesslog = "-"

# --- The envelope for gunicorn's own error answers ------------------------------------------
# gunicorn answers a malformed request line (400), a request line over the limit (414),
# bad or too many headers (400, 431) and a crash outside the application (500) with a
# small HTML page written by gunicorn.util.write_error. The API promises JSON in one
# envelope for every error, so that function is replaced by one that writes the envelope.
# The codes follow HTTP's reason phrases; the detail never echoes what the client sent.

ERROR_CODES = {
    400: ("bad_request", "The request is not valid HTTP."),
    403: ("permission_denied", "The request was refused."),
    414: ("uri_too_long", "The request line is too long."),
    417: ("expectation_failed", "The Expect header is not supported."),
    431: ("headers_too_large", "The request headers are too large or too many."),
    501: ("not_implemented", "This transfer coding is not supported."),
}


def envelope_error(status_int: int, reason: str) -> bytes:
    if status_int >= 500 and status_int != 501:
        body = {
            "type": "server_error",
            "errors": [{"code": "error", "detail": "A server error occurred.", "attr": None}],
        }
    else:
        code, detail = ERROR_CODES.get(status_int, ("bad_request", reason))
        body = {"type": "client_error", "errors": [{"code": code, "detail": detail, "attr": None}]}
    return json.dumps(body).encode()


def write_error(sock, status_int, reason, mesg):  # same signature as gunicorn's
    body = envelope_error(int(status_int), str(reason))
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    gunicorn.util.write_nonblock(sock, head.encode("latin-1") + body)


gunicorn.util.write_error = write_error

"""Errors answered before Django runs (gunicorn's own) and by the parser, through a real
gunicorn with gunicorn.conf.py and the production settings: all in the envelope."""

import contextlib
import json
import shutil
import socket
import threading

import pytest
from port_for import get_port

from tests.workers import (
    ManagedProcess,
    RedisServer,
    database_url_for_workers,
    gunicorn_argv,
    production_environment,
    wait_for_http,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def web(django_db_setup, tmp_path_factory):
    """One server for the module: these requests store nothing."""
    folder = tmp_path_factory.mktemp("live-errors")
    redis = RedisServer(
        executable=shutil.which("redis-server"),
        databases=16,
        redis_timeout=30,
        loglevel="warning",
        host="127.0.0.1",
        port=get_port(None),
        datadir=folder,
        startup_timeout=10,
    )
    redis.start()
    port = get_port(None)
    env = production_environment(database_url=database_url_for_workers(), redis=redis.url)
    process = ManagedProcess(gunicorn_argv(port), env, folder / "web.log")
    try:
        process.start("Booting worker")
        wait_for_http(f"http://127.0.0.1:{port}/healthz")
        yield port
    finally:
        process.stop()
        redis.stop()


def raw(port: int, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (no client library would send these) and read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if headers.get("transfer-encoding") == "chunked":
        body = dechunk(body)
    return status, headers, body


def dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size, _, data = data.partition(b"\r\n")
        length = int(size, 16)
        if length == 0:
            break
        out, data = out + data[:length], data[length + 2 :]
    return out


def request(method: str, target: str, headers: list[str] = (), body: bytes = b"") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", *headers]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def assert_envelope(answer, status: int, code: str) -> None:
    got_status, headers, body = answer
    assert got_status == status, body
    assert headers["content-type"].startswith("application/json"), headers
    parsed = json.loads(body)
    assert set(parsed) == {"type", "errors"}
    assert parsed["errors"][0]["code"] == code
    assert set(parsed["errors"][0]) == {"code", "detail", "attr"}


JSON = "Content-Type: application/json"

CASES = {
    # gunicorn, before Django
    "request line over 4 KB": (request("GET", "/api/v1/" + "a" * 5000), 414, "uri_too_long"),
    "not HTTP at all": (b"HELLO THERE\r\n\r\n", 400, "bad_request"),
    "a lowercase method": (request("get", "/healthz"), 400, "bad_request"),
    "a bad HTTP version": (b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", 400, "bad_request"),
    "a header name with a space": (
        request("GET", "/healthz", ["Bad Header: x"]),
        400,
        "bad_request",
    ),
    "too many headers": (
        request("GET", "/healthz", [f"X-H{n}: v" for n in range(60)]),
        431,
        "headers_too_large",
    ),
    "a header over 8 KB": (
        request("GET", "/healthz", ["X-Big: " + "v" * 9000]),
        431,
        "headers_too_large",
    ),
    # Django and the parser
    "a body that is not UTF-8": (
        request("POST", "/api/v1/auth/token/", [JSON], b'{"email": "\xff"}'),
        400,
        "parse_error",
    ),
    "JSON nested 950 deep": (
        request("POST", "/api/v1/auth/token/", [JSON], b"[" * 950 + b"]" * 950),
        400,
        "parse_error",
    ),
    "a path that is not UTF-8": (request("GET", "/api/v1/%ff%fe/"), 404, "not_found"),
    "an unknown host": (
        b"GET /healthz HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
        400,
        "parse_error",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_every_error_before_the_views_is_in_the_envelope(web, case):
    data, status, code = CASES[case]

    assert_envelope(raw(web, data), status, code)


def test_the_gunicorn_envelope_never_echoes_what_the_client_sent(web):
    _, _, body = raw(web, b"<script>alert(1)</script>\r\n\r\n")

    assert b"script" not in body


def chunked(body: bytes, size: int = 1024 * 1024) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


def raw_while_sending(port: int, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send a large request from a thread and read the answer meanwhile: a server that
    refuses the body answers before it has read it all, and may close on the rest."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:

        def send() -> None:
            with contextlib.suppress(OSError):  # the server closed on the unread rest
                sock.sendall(data)

        sender = threading.Thread(target=send)
        sender.start()
        received = b""
        while b"\r\n\r\n" not in received:
            received += sock.recv(65536)
        head, _, body = received.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        if headers.get("transfer-encoding") == "chunked":
            while not body.endswith(b"0\r\n\r\n"):
                body += sock.recv(65536)
            body = dechunk(body)
        while len(body) < int(headers.get("content-length", len(body))):
            body += sock.recv(65536)
        with contextlib.suppress(OSError):  # already reset by the server
            sock.shutdown(socket.SHUT_RDWR)
        sender.join()
    return int(lines[0].split()[1]), headers, body


def chunked_request(target: str, body: bytes) -> bytes:
    head = [f"POST {target} HTTP/1.1", "Host: 127.0.0.1", JSON, "Transfer-Encoding: chunked"]
    return ("\r\n".join([*head, "Connection: close"]) + "\r\n\r\n").encode() + chunked(body)


def test_a_chunked_body_over_the_limit_is_a_413_in_the_envelope(web):
    body = b'{"email": "' + b"a" * (11 * 1024 * 1024) + b'"}'

    assert_envelope(
        raw_while_sending(web, chunked_request("/api/v1/auth/token/", body)), 413, "too_large"
    )


def test_a_chunked_body_within_the_limit_is_read_not_taken_as_empty(web):
    """Read as empty, this body would be a 400 naming the missing fields; read, it is a
    sign-in with an unknown address (401)."""
    body = json.dumps({"email": "nobody@example.org", "password": "not-the-password"}).encode()

    status, _, answer = raw(web, chunked_request("/api/v1/auth/token/", body))

    assert status == 401, answer

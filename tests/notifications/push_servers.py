"""Local stand-ins for the push providers, so the backends run over real HTTP.

`ProviderStandIn` is a ThreadingHTTPServer on 127.0.0.1 (a free port) that records every
request and answers from a script: `server.answer(503, {...})` queues one response for the
next request outside `/token`; with nothing queued it answers `default`. `/token` plays
Google's OAuth token endpoint for the service account.

Test modules wrap `running_provider()`, `fcm_stand_in()` and `webpush_stand_in()` in
fixtures of their own.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from py_vapid import Vapid01

from apps.notifications import push
from apps.notifications.devices import device_token_hash
from apps.notifications.models import Device, Notification, PushDelivery

ACCESS_TOKEN = "test-token"
PROJECT = "rehab-test"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    # When the request arrived (time.time()), to check how long a retry waited.
    at: float = field(default_factory=time.time)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # Set to hold the response until the test releases it (the request is recorded first).
    hold: threading.Event | None = None
    delay: float = 0.0


class ProviderStandIn:
    def __init__(self, default: Answer | None = None) -> None:
        self.default = default or Answer(200, {})
        self.token_answer = Answer(
            200, {"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"}
        )
        self.requests: list[Recorded] = []
        self.received = threading.Event()
        self._script: deque[Answer] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ProviderStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, status: int, body: Any = None, **kwargs: Any) -> Answer:
        scripted = Answer(status, body, **kwargs)
        with self._lock:
            self._script.append(scripted)
        return scripted

    def sent(self, path_prefix: str = "/") -> list[Recorded]:
        """Requests other than token requests, whose path starts with `path_prefix`."""
        with self._lock:
            return [
                r for r in self.requests if r.path != "/token" and r.path.startswith(path_prefix)
            ]

    def token_requests(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path == "/token"]

    def _next(self, path: str) -> Answer:
        with self._lock:
            if path == "/token":
                return self.token_answer
            return self._script.popleft() if self._script else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                recorded = Recorded(
                    method="POST",
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
                with stand_in._lock:
                    stand_in.requests.append(recorded)
                if self.path != "/token":
                    stand_in.received.set()
                answer = stand_in._next(self.path)
                if answer.hold is not None:
                    answer.hold.wait(timeout=30)
                if answer.delay:
                    time.sleep(answer.delay)
                if isinstance(answer.body, bytes):
                    payload = answer.body
                elif answer.body is None:
                    payload = b""
                else:
                    payload = json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    if answer.body is not None and not isinstance(answer.body, bytes):
                        self.send_header("Content-Type", "application/json")
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def fcm_error(code: int, status: str, error_code: str | None = None, **extra: Any) -> dict:
    """An FCM HTTP v1 error body (google.rpc.Status with an FcmError detail)."""
    details: list[dict] = []
    if error_code:
        details.append(
            {
                "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                "errorCode": error_code,
            }
        )
    details.extend(extra.pop("details", []))
    return {
        "error": {
            "code": code,
            "message": extra.pop("message", status),
            "status": status,
            "details": details,
        }
    }


def make_delivery(
    user, *, platform: str = "android", token: str | None = None, **notification: Any
) -> PushDelivery:
    """A device, a notification and its pending delivery, as the outbox writes them."""
    token = token or "fcm-token-1"
    device = Device.objects.create(
        user=user,
        platform=platform,
        token=token,
        token_hash=device_token_hash(token),
    )
    note = Notification.objects.create(
        user=user,
        kind=notification.pop("kind", "reminder"),
        title=notification.pop("title", "Time for your exercises"),
        body=notification.pop("body", "Your knee plan: 3 exercises today."),
        data=notification.pop("data", {"reminder_id": "r-1"}),
        **notification,  # the alert behind an alert's notification
    )
    return PushDelivery.objects.create(notification=note, device=device)


@contextmanager
def running_provider() -> Iterator[ProviderStandIn]:
    server = ProviderStandIn().start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class FCMSetup:
    server: ProviderStandIn
    service_account_file: Path
    public_key_pem: bytes


@contextmanager
def fcm_stand_in(provider: ProviderStandIn, tmp_path: Path, settings) -> Iterator[FCMSetup]:
    """A service account whose token_uri is the stand-in, and FCM settings pointing at it
    (`settings` is pytest-django's fixture, which restores them)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    account = tmp_path / "service-account.json"
    account.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": PROJECT,
                "private_key_id": "test-key-1",
                "private_key": private_pem,
                "client_email": f"push@{PROJECT}.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": f"{provider.url}/token",
            }
        )
    )
    provider.default = Answer(200, {"name": f"projects/{PROJECT}/messages/0:1"})
    settings.PUSH_BACKENDS = {"android": "fcm", "ios": "fcm", "web": "console"}
    settings.FCM_SERVICE_ACCOUNT_FILE = str(account)
    settings.FCM_PROJECT_ID = PROJECT
    settings.FCM_ENDPOINT = f"{provider.url}/v1/projects"
    settings.PUSH_TIMEOUT_SECONDS = 5
    push._fcm_session.cache_clear()
    try:
        yield FCMSetup(
            provider,
            account,
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
        )
    finally:
        push._fcm_session.cache_clear()


@dataclass
class WebPushSetup:
    server: ProviderStandIn
    vapid: Vapid01
    browser_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    subscription: dict

    @property
    def token(self) -> str:
        return json.dumps(self.subscription)


def browser_subscription(endpoint: str) -> tuple[ec.EllipticCurvePrivateKey, bytes, dict]:
    """What a browser's PushManager.subscribe() makes: an ECDH P-256 key pair and a
    16-byte auth secret, base64url without padding."""
    key = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return (
        key,
        auth,
        {"endpoint": endpoint, "keys": {"p256dh": b64url(public), "auth": b64url(auth)}},
    )


def vapid_raw_private(vapid: Vapid01) -> str:
    return b64url(vapid.private_key.private_numbers().private_value.to_bytes(32, "big"))


def webpush_stand_in(provider: ProviderStandIn, settings) -> WebPushSetup:
    """A VAPID key, a browser subscription whose endpoint is the stand-in, and settings."""
    vapid = Vapid01()
    vapid.generate_keys()
    key, auth, subscription = browser_subscription(f"{provider.url}/push/abc")
    provider.default = Answer(201)
    settings.PUSH_BACKENDS = {"android": "console", "ios": "console", "web": "webpush"}
    settings.WEBPUSH_VAPID_PRIVATE_KEY = vapid.private_pem().decode()
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:ops@example.org"
    settings.WEBPUSH_ALLOW_HTTP_ENDPOINTS = True
    settings.WEBPUSH_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.PUSH_TIMEOUT_SECONDS = 5
    return WebPushSetup(provider, vapid, key, auth, subscription)


def fcm_worker_environment(setup: FCMSetup) -> dict[str, str]:
    """What a Celery worker subprocess needs to send FCM to the stand-in."""
    return {
        "PUSH_ANDROID_BACKEND": "fcm",
        "PUSH_IOS_BACKEND": "fcm",
        "FCM_SERVICE_ACCOUNT_FILE": str(setup.service_account_file),
        "FCM_PROJECT_ID": PROJECT,
        "FCM_ENDPOINT": f"{setup.server.url}/v1/projects",
    }


def webpush_worker_environment(setup: WebPushSetup) -> dict[str, str]:
    """What a Celery worker subprocess needs to send Web Push to the stand-in."""
    return {
        "PUSH_WEB_BACKEND": "webpush",
        "WEBPUSH_VAPID_PRIVATE_KEY": setup.vapid.private_pem().decode(),
        "WEBPUSH_VAPID_SUBJECT": "mailto:ops@example.org",
        "WEBPUSH_ALLOW_HTTP_ENDPOINTS": "true",
        "WEBPUSH_ALLOWED_HOSTS": "127.0.0.1",
    }

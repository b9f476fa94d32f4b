"""Push providers behind one interface: `backend_for(platform).send(device, message)`.

A backend either returns the provider's HTTP status or raises a `PushError` saying what
to do next (Healthchecks' split of delivery errors):

- `TransientPushError`: try again later (timeouts, connection errors, HTTP 429 and 5xx, and
  our own credentials refused: fixing the configuration makes the retry succeed).
- `PermanentPushError`: this token or subscription is dead; the device is disabled.
- `PushError` itself: the provider rejected this message (a malformed payload); retrying
  will not help, but the device is fine.

Error texts are built here from status codes and the providers' error enums only: a
provider's free text or a URL can carry the token, and logs and the attempt table must
not hold tokens or health data.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import time
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import google.auth.exceptions
import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.http import parse_http_date_safe
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from .models import Device

logger = logging.getLogger(__name__)

# How long a browser's push service keeps a message for a browser that is offline. The
# library's default, 0, drops it unless the browser is connected at that very moment.
WEBPUSH_TTL_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class PushMessage:
    """What one delivery sends; the fields after `data` are `payloads.PushOptions`'."""

    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)
    urgent: bool = False
    collapse_key: str = ""
    tag: str = ""
    idempotency_key: str = ""


class PushError(Exception):
    """The provider refused this message; retrying will not help."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class TransientPushError(PushError):
    """Try again later; `retry_after` is how many seconds the provider asked us to wait
    (its Retry-After header), or None."""

    def __init__(
        self, message: str, *, status_code: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after


class PermanentPushError(PushError):
    """The token or subscription is dead: the device must be disabled."""


class PushBackend(Protocol):
    name: str

    def send(self, device: Device, message: PushMessage) -> int | None: ...


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header (RFC 9110, 10.2.3) as seconds from now: delay-seconds or an
    HTTP-date. None when absent or unreadable; a date in the past is 0."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        when = parse_http_date_safe(value)
        return None if when is None else max(when - time.time(), 0.0)
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def _network_error(provider: str, exc: Exception) -> TransientPushError:
    # The class name only: requests puts the URL in its messages, and a Web Push URL is
    # the subscription itself.
    return TransientPushError(f"{provider}: {type(exc).__name__}")


# --- Console --------------------------------------------------------------------------------


class ConsoleBackend:
    """Development and tests: logs that a push would go out, and to which device only."""

    name = "console"

    def send(self, device: Device, message: PushMessage) -> int | None:
        logger.info("push (console backend) to %s device %s", device.platform, device.id)
        return None


# --- Firebase Cloud Messaging (HTTP v1) -----------------------------------------------------

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"


@functools.lru_cache(maxsize=4)
def _fcm_session(service_account_file: str) -> AuthorizedSession:
    """One authorised session per process and service account: it holds the parsed key and
    an access token (valid an hour), which are slow to make.

    google-auth (Google's own client library, which firebase-admin builds on) fetches the
    token from the account's `token_uri` and, on a 401, fetches a new one and sends once
    more (max_refresh_attempts=1), never more. The session retries nothing else and never
    sleeps on Retry-After: one send is one request to FCM (two with an expired token), and
    the task owns retries and backoff. docs/decisions/push-client.md says why not
    firebase-admin or pyfcm.
    """
    try:
        credentials = service_account.Credentials.from_service_account_file(
            service_account_file, scopes=[FCM_SCOPE]
        )
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"FCM_SERVICE_ACCOUNT_FILE is not a usable service account ({type(exc).__name__})"
        ) from exc
    return AuthorizedSession(credentials, max_refresh_attempts=1)


def fcm_request_body(device: Device, message: PushMessage) -> dict[str, Any]:
    """An FCM HTTP v1 `messages:send` body: a notification to one registration token.

    Android: priority HIGH for a red flag (delivered at once, waking the phone), NORMAL
    otherwise; a collapse key per kind (FCM keeps only the latest of a kind for a phone
    that is offline) except for a red flag, which collapses with nothing; the
    notification's id as the tray tag, so a resent push replaces the first. APNs (through
    FCM): `apns-priority` 10 or 5, `apns-collapse-id` (the same keys: a resent push
    replaces the first on the screen) and `apns-id`, the delivery row's id, the same on
    every try of the row."""
    body: dict[str, Any] = {
        "token": device.token,
        "notification": {"title": message.title, "body": message.body},
    }
    if message.data:
        body["data"] = dict(message.data)
    android: dict[str, Any] = {"priority": "HIGH" if message.urgent else "NORMAL"}
    if message.collapse_key and not message.urgent:
        android["collapse_key"] = message.collapse_key
    if message.tag:
        android["notification"] = {"tag": message.tag}
    headers = {"apns-priority": "10" if message.urgent else "5"}
    if message.collapse_key:
        headers["apns-collapse-id"] = message.collapse_key
    if message.idempotency_key:
        headers["apns-id"] = message.idempotency_key
    body["android"] = android
    body["apns"] = {"headers": headers}
    return {"message": body}


def webpush_headers(message: PushMessage) -> dict[str, str]:
    """RFC 8030: `Urgency` high for a red flag, normal otherwise; `Topic` (at most 32
    characters of base64url) replaces a message of the same topic still waiting at the
    push service: the kind, or a red flag's own id so that none replaces another."""
    headers = {"Urgency": "high" if message.urgent else "normal"}
    topic = message.tag.replace("-", "") if message.urgent else message.collapse_key
    if topic:
        headers["Topic"] = topic[:32]
    return headers


def _fcm_error(response: requests.Response) -> tuple[str, str, bool]:
    """(status, errorCode, is about the registration token) from FCM's error body."""
    try:
        error = response.json().get("error", {})
        details = error.get("details", []) or []
    except (ValueError, AttributeError):
        return "", "", False
    if not isinstance(error, dict):
        return "", "", False
    status = str(error.get("status", ""))
    code = ""
    about_token = "registration token" in str(error.get("message", "")).lower()
    for detail in details if isinstance(details, list) else []:
        if not isinstance(detail, dict):
            continue
        if detail.get("@type", "").endswith("google.firebase.fcm.v1.FcmError"):
            code = str(detail.get("errorCode", ""))
        for violation in detail.get("fieldViolations", []) or []:
            if isinstance(violation, dict) and violation.get("field") == "message.token":
                about_token = True
    return status, code, about_token


class FCMBackend:
    """iOS and Android through FCM HTTP v1 (APNs is reached through FCM)."""

    name = "fcm"

    def send(self, device: Device, message: PushMessage) -> int | None:
        if not settings.FCM_SERVICE_ACCOUNT_FILE or not os.path.isfile(
            settings.FCM_SERVICE_ACCOUNT_FILE
        ):
            raise ImproperlyConfigured("FCM_SERVICE_ACCOUNT_FILE must name a service-account file")
        session = _fcm_session(settings.FCM_SERVICE_ACCOUNT_FILE)
        # The setting wins over the project named in the service account, so
        # FCM_PROJECT_ID means what it says.
        project_id = settings.FCM_PROJECT_ID or session.credentials.project_id
        if not project_id:
            raise ImproperlyConfigured("FCM_PROJECT_ID is not set and the account names none")
        url = f"{settings.FCM_ENDPOINT.rstrip('/')}/{project_id}/messages:send"
        try:
            response = session.post(
                url,
                json=fcm_request_body(device, message),
                timeout=settings.PUSH_TIMEOUT_SECONDS,
            )
        except google.auth.exceptions.RefreshError as exc:
            # The token endpoint refused our service account: configuration, not device.
            raise TransientPushError(f"fcm: access token refused ({type(exc).__name__})") from exc
        except (google.auth.exceptions.TransportError, requests.RequestException) as exc:
            raise _network_error("fcm", exc) from exc
        return self._check(response)

    @staticmethod
    def _check(response: requests.Response) -> int:
        """The status code of a sent message, or the PushError its refusal means."""
        status_code = response.status_code
        if 200 <= status_code < 300:
            return status_code
        status, code, about_token = _fcm_error(response)
        if status_code == 404:
            if code == "UNREGISTERED":
                raise PermanentPushError("fcm: UNREGISTERED", status_code=status_code)
            # A 404 without FCM's UNREGISTERED is a wrong URL or project: disabling every
            # device for a configuration mistake would be far worse than retrying.
            raise TransientPushError(
                f"fcm: not found ({status or 'no FCM error'})", status_code=status_code
            )
        if status_code == 400:
            if about_token:
                raise PermanentPushError(
                    "fcm: INVALID_ARGUMENT (registration token)", status_code=status_code
                )
            raise PushError(
                f"fcm: message rejected ({code or status or 'bad request'})",
                status_code=status_code,
            )
        if status_code == 403:
            if code == "SENDER_ID_MISMATCH":
                # The token belongs to another Firebase project: it never works for us.
                raise PermanentPushError("fcm: SENDER_ID_MISMATCH", status_code=status_code)
            raise TransientPushError(
                f"fcm: forbidden ({code or status or 'no FCM error'})", status_code=status_code
            )
        if status_code == 401:
            # Our credentials (or the APNs key uploaded to Firebase): configuration.
            raise TransientPushError(
                f"fcm: authentication failed ({code or status or 'no FCM error'})",
                status_code=status_code,
            )
        # 429 QUOTA_EXCEEDED, 500 INTERNAL, 503 UNAVAILABLE and anything unforeseen.
        raise TransientPushError(
            f"fcm: unavailable ({code or status or status_code})",
            status_code=status_code,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )


# --- Web Push (RFC 8030, VAPID RFC 8292, aes128gcm RFC 8291) --------------------------------


@functools.lru_cache(maxsize=4)
def _vapid_key(private_key: str) -> Vapid:
    """The VAPID signing key from the setting: a PEM, a path to a PEM or DER file, or
    the base64url raw (32 bytes) or DER key that pywebpush takes as a string."""
    if not private_key:
        raise ImproperlyConfigured("WEBPUSH_VAPID_PRIVATE_KEY is not set")
    try:
        if "-----BEGIN" in private_key:
            return Vapid.from_pem(private_key.encode())
        if os.path.isfile(private_key):
            return Vapid.from_file(private_key_file=private_key)
        return Vapid.from_string(private_key=private_key)
    except Exception as exc:
        raise ImproperlyConfigured(
            f"WEBPUSH_VAPID_PRIVATE_KEY is not a usable key ({type(exc).__name__})"
        ) from exc


def webpush_endpoint_allowed(endpoint: Any) -> bool:
    """https only (RFC 8030; plain http for a local stand-in provider in tests), on a host
    of settings.WEBPUSH_ALLOWED_HOSTS or one of its subdomains."""
    if not isinstance(endpoint, str):
        return False
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    schemes = {"https", "http"} if settings.WEBPUSH_ALLOW_HTTP_ENDPOINTS else {"https"}
    if parts.scheme not in schemes or not host or parts.username or parts.password:
        return False
    allowed = (entry.strip(".").lower() for entry in settings.WEBPUSH_ALLOWED_HOSTS)
    return any(host == entry or host.endswith(f".{entry}") for entry in allowed if entry)


class WebPushBackend:
    """Browsers: the device token is the PushSubscription's JSON."""

    name = "webpush"

    def send(self, device: Device, message: PushMessage) -> int | None:
        vapid = _vapid_key(settings.WEBPUSH_VAPID_PRIVATE_KEY)
        try:
            subscription = json.loads(device.token)
        except ValueError as exc:
            raise PermanentPushError("webpush: subscription is not JSON") from exc
        if not isinstance(subscription, dict) or not webpush_endpoint_allowed(
            subscription.get("endpoint")
        ):
            raise PermanentPushError("webpush: subscription has no usable endpoint")
        payload = json.dumps({"title": message.title, "body": message.body, "data": message.data})
        try:
            response = webpush(
                subscription_info=subscription,
                data=payload,
                vapid_private_key=vapid,
                # A new dict each time: pywebpush writes `aud` and `exp` into it.
                vapid_claims={"sub": settings.WEBPUSH_VAPID_SUBJECT},
                timeout=settings.PUSH_TIMEOUT_SECONDS,
                ttl=WEBPUSH_TTL_SECONDS,
                headers=webpush_headers(message),
            )
        except WebPushException as exc:
            raise self._classify(exc) from exc
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        ) as exc:
            raise PermanentPushError(f"webpush: bad endpoint ({type(exc).__name__})") from exc
        except requests.RequestException as exc:
            raise _network_error("webpush", exc) from exc
        except (ValueError, TypeError) as exc:
            # Undecodable or off-curve keys in the subscription: it can never be encrypted to.
            raise PermanentPushError(
                f"webpush: bad subscription keys ({type(exc).__name__})"
            ) from exc
        return response.status_code

    @staticmethod
    def _classify(exc: WebPushException) -> PushError:
        status_code = exc.status_code
        if status_code is None:
            # Raised before any request: the subscription lacks keys or has bad ones.
            return PermanentPushError("webpush: bad subscription")
        if status_code in (404, 410):
            return PermanentPushError(
                f"webpush: subscription gone (HTTP {status_code})", status_code=status_code
            )
        if status_code == 429 or status_code >= 500:
            return TransientPushError(
                f"webpush: unavailable (HTTP {status_code})",
                status_code=status_code,
                retry_after=retry_after_seconds(exc.retry_after),
            )
        if status_code in (401, 403):
            # Our VAPID key or claims refused: configuration, so retry rather than
            # disable every browser after a key mistake.
            return TransientPushError(
                f"webpush: VAPID refused (HTTP {status_code})", status_code=status_code
            )
        return PushError(f"webpush: message rejected (HTTP {status_code})", status_code=status_code)


# --- Selection ------------------------------------------------------------------------------

BACKENDS: dict[str, type] = {
    ConsoleBackend.name: ConsoleBackend,
    FCMBackend.name: FCMBackend,
    WebPushBackend.name: WebPushBackend,
}


def backend_for(platform: str) -> PushBackend:
    """The backend settings.PUSH_BACKENDS names for a platform, read at call time."""
    name = settings.PUSH_BACKENDS.get(platform)
    if name not in BACKENDS:
        raise ImproperlyConfigured(
            f"PUSH_BACKENDS[{platform!r}] is {name!r}; expected one of {sorted(BACKENDS)}"
        )
    return BACKENDS[name]()

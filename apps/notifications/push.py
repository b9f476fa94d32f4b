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
import os
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import google.auth.exceptions
import google.auth.transport.requests
import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid
from pyfcm import FCMNotification
from pyfcm.errors import (
    AuthenticationError,
    FCMError,
    FCMNotRegisteredError,
    FCMSenderIdMismatchError,
    FCMServerError,
    InvalidDataError,
)
from pywebpush import WebPushException, webpush
from requests.adapters import HTTPAdapter

from .models import Device

logger = logging.getLogger(__name__)

# How long a browser's push service keeps a message for a browser that is offline. The
# library's default, 0, drops it unless the browser is connected at that very moment.
WEBPUSH_TTL_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class PushMessage:
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)


class PushError(Exception):
    """The provider refused this message; retrying will not help."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class TransientPushError(PushError):
    """Try again later."""

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


def _retry_after(headers: Any) -> float | None:
    """Retry-After in seconds; the HTTP-date form is ignored (the task's backoff applies)."""
    value = (headers or {}).get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


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


class _FCMClient(FCMNotification):
    """pyfcm's client, made safe to run inside a worker.

    pyfcm as shipped (2.1) would, in a Celery task: sleep for as long as a Retry-After
    header says and then retry without limit; retry forever while the server answers
    "access token expired"; retry 502/503 inside urllib3 with growing sleeps; and wrap a
    network error on the OAuth token endpoint as InvalidDataError, the same error as a
    rejected message. Retries belong to the task (with backoff), so here one call is one
    HTTP request to FCM (two if the access token expired early).
    """

    def __init__(self, *, service_account_file: str, project_id: str, endpoint: str) -> None:
        # HTTPAdapter() retries nothing: the task's backoff does.
        super().__init__(
            service_account_file=service_account_file, project_id=project_id, adapter=HTTPAdapter()
        )
        self.FCM_END_POINT_BASE = endpoint.rstrip("/")
        self._configured_project_id = project_id

    @property
    def fcm_end_point(self) -> str:
        # pyfcm prefers the project named in the service account; the setting wins here,
        # so FCM_PROJECT_ID means what it says.
        if self._configured_project_id:
            return f"{self.FCM_END_POINT_BASE}/{self._configured_project_id}/messages:send"
        return super().fcm_end_point

    def _get_access_token(self) -> str:
        if self.credentials is None:
            self._initialize_credentials()
        timeout = getattr(self.thread_local, "timeout", None)
        request = google.auth.transport.requests.Request()
        # google-auth's own errors propagate: TransportError (network) and RefreshError
        # (credentials refused) mean different things from a rejected message.
        self.credentials.refresh(functools.partial(request, timeout=timeout))
        return self.credentials.token

    def send_request(self, payload=None, timeout=None) -> requests.Response:
        self.thread_local.timeout = timeout
        response = self.requests_session.post(self.fcm_end_point, data=payload, timeout=timeout)
        if self._is_access_token_expired(response):
            self.thread_local.token_expiry = 0
            response = self.requests_session.post(self.fcm_end_point, data=payload, timeout=timeout)
        return response


@functools.lru_cache(maxsize=4)
def _fcm_client(service_account_file: str, project_id: str, endpoint: str) -> _FCMClient:
    """One client per process and configuration: it holds the parsed credentials and an
    access token (valid an hour), which are slow to make."""
    return _FCMClient(
        service_account_file=service_account_file, project_id=project_id, endpoint=endpoint
    )


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
        client = _fcm_client(
            settings.FCM_SERVICE_ACCOUNT_FILE, settings.FCM_PROJECT_ID, settings.FCM_ENDPOINT
        )
        payload = client.parse_payload(
            fcm_token=device.token,
            notification_title=message.title,
            notification_body=message.body,
            data_payload=dict(message.data),
        )
        try:
            response = client.send_request(payload, timeout=settings.PUSH_TIMEOUT_SECONDS)
        except google.auth.exceptions.RefreshError as exc:
            # The token endpoint refused our service account: configuration, not device.
            raise TransientPushError(f"fcm: access token refused ({type(exc).__name__})") from exc
        except (google.auth.exceptions.TransportError, requests.RequestException) as exc:
            raise _network_error("fcm", exc) from exc
        return self._check(client, response)

    def _check(self, client: _FCMClient, response: requests.Response) -> int:
        status_code = response.status_code
        try:
            client.parse_response(response)
        except FCMNotRegisteredError as exc:
            status, code, _ = _fcm_error(response)
            if code == "UNREGISTERED":
                raise PermanentPushError("fcm: UNREGISTERED", status_code=status_code) from exc
            # A 404 without FCM's UNREGISTERED is a wrong URL or project: disabling every
            # device for a configuration mistake would be far worse than retrying.
            raise TransientPushError(
                f"fcm: not found ({status or 'no FCM error'})", status_code=status_code
            ) from exc
        except InvalidDataError as exc:
            status, code, about_token = _fcm_error(response)
            if about_token:
                raise PermanentPushError(
                    "fcm: INVALID_ARGUMENT (registration token)", status_code=status_code
                ) from exc
            raise PushError(
                f"fcm: message rejected ({code or status or 'bad request'})",
                status_code=status_code,
            ) from exc
        except FCMSenderIdMismatchError as exc:
            status, code, _ = _fcm_error(response)
            if code == "SENDER_ID_MISMATCH":
                # The token belongs to another Firebase project: it never works for us.
                raise PermanentPushError(
                    "fcm: SENDER_ID_MISMATCH", status_code=status_code
                ) from exc
            raise TransientPushError(
                f"fcm: forbidden ({code or status or 'no FCM error'})", status_code=status_code
            ) from exc
        except AuthenticationError as exc:
            # Our credentials (or the APNs key uploaded to Firebase): configuration.
            status, code, _ = _fcm_error(response)
            raise TransientPushError(
                f"fcm: authentication failed ({code or status or 'no FCM error'})",
                status_code=status_code,
            ) from exc
        except FCMServerError as exc:
            status, code, _ = _fcm_error(response)
            raise TransientPushError(
                f"fcm: unavailable ({code or status or status_code})",
                status_code=status_code,
                retry_after=_retry_after(response.headers),
            ) from exc
        except FCMError as exc:
            raise PushError(f"fcm: {type(exc).__name__}", status_code=status_code) from exc
        return status_code


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
        return response.status_code  # type: ignore[union-attr]

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
                retry_after=_retry_after(getattr(exc.response, "headers", None)),
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

"""The FCM and Web Push backends over real HTTP, against local provider stand-ins
(tests/notifications/push_servers.py), through the delivery service the task calls."""

import base64
import json
import socket
import time
from datetime import UTC, datetime
from email.utils import formatdate
from urllib.parse import parse_qs

import google.auth.jwt
import http_ece
import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02

from apps.notifications import push
from apps.notifications.delivery import MAX_ATTEMPTS, push_deliver
from apps.notifications.models import AttemptOutcome, DeliveryStatus
from apps.notifications.push import PermanentPushError, TransientPushError
from tests.notifications.push_servers import (
    ACCESS_TOKEN,
    PROJECT,
    b64url,
    browser_subscription,
    fcm_error,
    fcm_stand_in,
    make_delivery,
    running_provider,
    vapid_raw_private,
    webpush_stand_in,
)

SEND_PATH = f"/v1/projects/{PROJECT}/messages:send"


@pytest.fixture
def provider():
    with running_provider() as server:
        yield server


@pytest.fixture
def fcm(provider, tmp_path, settings):
    with fcm_stand_in(provider, tmp_path, settings) as setup:
        yield setup


@pytest.fixture
def webpush_keys(provider, settings):
    return webpush_stand_in(provider, settings)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def state(delivery):
    delivery.refresh_from_db()
    delivery.device.refresh_from_db()
    return delivery


def only_attempt(delivery):
    attempts = list(delivery.attempt_log.all())
    assert len(attempts) == 1
    return attempts[0]


# --- FCM -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_fcm_sends_the_message_with_the_service_accounts_access_token(fcm, patient):
    delivery = make_delivery(
        patient, token="fcm-token-1", data={"reminder_id": "r-1", "reminder_kind": "exercise"}
    )

    assert push_deliver(delivery_id=delivery.id) == "sent"

    [sent] = fcm.server.sent()
    assert sent.path == SEND_PATH
    assert sent.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    notification_id = str(delivery.notification_id)
    assert sent.json() == {
        "message": {
            "token": "fcm-token-1",
            "notification": {
                "title": "Time for your exercises",
                "body": "Your knee plan: 3 exercises today.",
            },
            "data": {
                "reminder_id": "r-1",
                "reminder_kind": "exercise",
                "notification_id": notification_id,
                "kind": "reminder",
                "route": "app://today",
            },
            "android": {
                "priority": "NORMAL",
                "collapse_key": "reminder",
                "notification": {"tag": notification_id},
            },
            "apns": {
                "headers": {
                    "apns-priority": "5",
                    "apns-collapse-id": "reminder",
                    "apns-id": str(delivery.id),
                }
            },
        },
    }
    # The access token came from the service account's own signed assertion.
    [token_request] = fcm.server.token_requests()
    form = parse_qs(token_request.body.decode())
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    claims = google.auth.jwt.decode(
        form["assertion"][0],
        certs=fcm.public_key_pem,
        # google-auth always names Google's endpoint as the audience, whatever token_uri is.
        audience="https://oauth2.googleapis.com/token",
    )
    assert claims["iss"] == f"push@{PROJECT}.iam.gserviceaccount.com"
    assert "firebase.messaging" in claims["scope"]

    delivery = state(delivery)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.sent_at is not None
    assert delivery.attempts == 1
    attempt = only_attempt(delivery)
    assert (attempt.backend, attempt.outcome, attempt.status_code) == ("fcm", "sent", 200)


@pytest.mark.django_db
def test_fcm_client_and_access_token_are_reused_across_sends(fcm, patient):
    first = make_delivery(patient, token="fcm-token-1")
    second = make_delivery(patient, platform="ios", token="fcm-token-2")

    assert push_deliver(delivery_id=first.id) == push_deliver(delivery_id=second.id) == "sent"

    assert len(fcm.server.sent(SEND_PATH)) == 2
    assert len(fcm.server.token_requests()) == 1


@pytest.mark.django_db
def test_fcm_unregistered_token_disables_the_device(fcm, patient):
    delivery = make_delivery(patient)
    fcm.server.answer(404, fcm_error(404, "NOT_FOUND", "UNREGISTERED"))

    assert push_deliver(delivery_id=delivery.id) == "failed"

    delivery = state(delivery)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.device.active is False
    assert delivery.device.disabled_at is not None
    assert delivery.device.disabled_reason == "fcm: UNREGISTERED"
    attempt = only_attempt(delivery)
    assert (attempt.outcome, attempt.status_code) == (AttemptOutcome.PERMANENT_ERROR, 404)


@pytest.mark.django_db
def test_fcm_invalid_registration_token_disables_the_device(fcm, patient):
    delivery = make_delivery(patient, token="not-a-token")
    fcm.server.answer(
        400,
        fcm_error(
            400,
            "INVALID_ARGUMENT",
            "INVALID_ARGUMENT",
            message="The registration token is not a valid FCM registration token",
            details=[
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": "message.token", "description": "Invalid"}],
                }
            ],
        ),
    )

    assert push_deliver(delivery_id=delivery.id) == "failed"

    delivery = state(delivery)
    assert delivery.device.active is False
    assert only_attempt(delivery).outcome == AttemptOutcome.PERMANENT_ERROR


@pytest.mark.django_db
def test_fcm_rejected_payload_fails_the_delivery_but_keeps_the_device(fcm, patient):
    delivery = make_delivery(patient)
    fcm.server.answer(
        400, fcm_error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", message="Invalid data payload")
    )

    assert push_deliver(delivery_id=delivery.id) == "failed"

    delivery = state(delivery)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.device.active is True
    attempt = only_attempt(delivery)
    assert (attempt.outcome, attempt.status_code) == (AttemptOutcome.REJECTED, 400)


@pytest.mark.django_db
def test_fcm_404_without_unregistered_is_retried_not_a_dead_device(fcm, patient):
    # A wrong FCM_ENDPOINT or project would otherwise disable every device.
    delivery = make_delivery(patient)
    fcm.server.answer(404, b"<html>not found</html>")

    with pytest.raises(TransientPushError):
        push_deliver(delivery_id=delivery.id)

    delivery = state(delivery)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.device.active is True


@pytest.mark.django_db
def test_fcm_unavailable_is_transient_and_the_delivery_pending_again(fcm, patient):
    delivery = make_delivery(patient)
    fcm.server.answer(503, fcm_error(503, "UNAVAILABLE", "UNAVAILABLE"))

    with pytest.raises(TransientPushError) as raised:
        push_deliver(delivery_id=delivery.id)

    assert raised.value.status_code == 503
    assert len(fcm.server.sent()) == 1  # no retry hidden inside the library
    delivery = state(delivery)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.device.active is True
    attempt = only_attempt(delivery)
    assert (attempt.outcome, attempt.status_code) == (AttemptOutcome.TRANSIENT_ERROR, 503)
    assert attempt.error == "fcm: unavailable (UNAVAILABLE)"


@pytest.mark.django_db
def test_fcm_gives_up_after_max_attempts(fcm, patient):
    delivery = make_delivery(patient)
    fcm.server.default = fcm.server.default.__class__(503, fcm_error(503, "UNAVAILABLE"))

    for _ in range(MAX_ATTEMPTS - 1):
        with pytest.raises(TransientPushError):
            push_deliver(delivery_id=delivery.id)
    assert push_deliver(delivery_id=delivery.id) == "failed"
    assert push_deliver(delivery_id=delivery.id) == "skipped"

    delivery = state(delivery)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert len(fcm.server.sent()) == MAX_ATTEMPTS
    assert [a.outcome for a in delivery.attempt_log.all()] == [
        AttemptOutcome.TRANSIENT_ERROR
    ] * MAX_ATTEMPTS
    assert delivery.device.active is True


@pytest.mark.django_db
def test_fcm_retry_after_is_reported_not_slept_on(fcm, patient):
    # The worker must not sleep on it (pyfcm did, then retried unbounded): the task waits.
    delivery = make_delivery(patient)
    fcm.server.answer(
        429, fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"), headers={"Retry-After": "30"}
    )

    started = time.monotonic()
    with pytest.raises(TransientPushError) as raised:
        push_deliver(delivery_id=delivery.id)

    assert time.monotonic() - started < 5
    assert raised.value.retry_after == 30
    assert len(fcm.server.sent()) == 1


@pytest.mark.django_db
def test_fcm_retry_after_as_an_http_date_is_reported_in_seconds(fcm, patient):
    delivery = make_delivery(patient)
    asked = formatdate(time.time() + 45, usegmt=True)
    fcm.server.answer(503, fcm_error(503, "UNAVAILABLE"), headers={"Retry-After": asked})

    with pytest.raises(TransientPushError) as raised:
        push_deliver(delivery_id=delivery.id)

    assert 43 <= raised.value.retry_after <= 45


@pytest.mark.django_db
def test_fcm_sender_id_mismatch_disables_the_device(fcm, patient):
    # The token was made for another Firebase project: it will never work for ours.
    delivery = make_delivery(patient)
    fcm.server.answer(403, fcm_error(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH"))

    assert push_deliver(delivery_id=delivery.id) == "failed"

    delivery = state(delivery)
    assert delivery.device.active is False
    assert delivery.device.disabled_reason == "fcm: SENDER_ID_MISMATCH"
    assert only_attempt(delivery).outcome == AttemptOutcome.PERMANENT_ERROR


@pytest.mark.django_db
def test_fcm_forbidden_without_a_mismatch_is_retried_and_keeps_the_device(fcm, patient):
    # Our service account lacks the permission: configuration, not this device.
    delivery = make_delivery(patient)
    fcm.server.answer(403, fcm_error(403, "PERMISSION_DENIED"))

    with pytest.raises(TransientPushError):
        push_deliver(delivery_id=delivery.id)

    delivery = state(delivery)
    assert delivery.device.active is True
    assert only_attempt(delivery).error == "fcm: forbidden (PERMISSION_DENIED)"


@pytest.mark.django_db
def test_fcm_refused_apns_credentials_are_retried_and_keep_the_device(fcm, patient):
    delivery = make_delivery(patient, platform="ios")
    refused = fcm_error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR")
    fcm.server.answer(401, refused)
    fcm.server.answer(401, refused)

    with pytest.raises(TransientPushError):
        push_deliver(delivery_id=delivery.id)

    assert len(fcm.server.sent()) == 2
    delivery = state(delivery)
    assert delivery.device.active is True
    assert only_attempt(delivery).error == "fcm: authentication failed (THIRD_PARTY_AUTH_ERROR)"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setting", "project"), [("", PROJECT), ("rehab-other", "rehab-other")], ids=["unset", "set"]
)
def test_fcm_project_is_the_setting_else_the_service_accounts(
    fcm, patient, settings, setting, project
):
    settings.FCM_PROJECT_ID = setting
    delivery = make_delivery(patient)

    assert push_deliver(delivery_id=delivery.id) == "sent"

    [sent] = fcm.server.sent()
    assert sent.path == f"/v1/projects/{project}/messages:send"


@pytest.mark.django_db
def test_fcm_unreadable_service_account_gives_the_delivery_back(fcm, patient):
    fcm.service_account_file.write_text("{not json")
    delivery = make_delivery(patient)

    with pytest.raises(push.ImproperlyConfigured):
        push_deliver(delivery_id=delivery.id)

    assert fcm.server.requests == []
    delivery = state(delivery)
    assert (delivery.status, delivery.device.active) == (DeliveryStatus.PENDING, True)
    assert only_attempt(delivery).error == "error: ImproperlyConfigured"


@pytest.mark.django_db
def test_fcm_expired_access_token_is_fetched_again_once(fcm, patient):
    delivery = make_delivery(patient)
    expired = fcm_error(401, "UNAUTHENTICATED", details=[{"reason": "ACCESS_TOKEN_EXPIRED"}])
    fcm.server.answer(401, expired)
    fcm.server.answer(401, expired)

    with pytest.raises(TransientPushError) as raised:
        push_deliver(delivery_id=delivery.id)

    assert raised.value.status_code == 401
    assert len(fcm.server.sent()) == 2  # once more with a new token, not forever
    assert len(fcm.server.token_requests()) == 2
    assert state(delivery).device.active is True


@pytest.mark.django_db
def test_fcm_refused_service_account_is_transient(fcm, patient):
    delivery = make_delivery(patient)
    fcm.server.token_answer = fcm.server.token_answer.__class__(
        400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
    )

    with pytest.raises(TransientPushError):
        push_deliver(delivery_id=delivery.id)

    assert fcm.server.sent() == []
    delivery = state(delivery)
    assert delivery.device.active is True
    assert only_attempt(delivery).error == "fcm: access token refused (RefreshError)"


@pytest.mark.django_db
def test_fcm_unreachable_is_transient(fcm, patient, settings):
    settings.FCM_ENDPOINT = f"{closed_port_url()}/v1/projects"
    delivery = make_delivery(patient)

    with pytest.raises(TransientPushError):
        push_deliver(delivery_id=delivery.id)

    assert only_attempt(state(delivery)).error == "fcm: ConnectionError"


@pytest.mark.django_db
def test_fcm_timeout_is_transient(fcm, patient, settings):
    settings.PUSH_TIMEOUT_SECONDS = 0.3
    delivery = make_delivery(patient)
    fcm.server.answer(200, {"name": "late"}, delay=1.5)

    with pytest.raises(TransientPushError):
        push_deliver(delivery_id=delivery.id)

    assert state(delivery).status == DeliveryStatus.PENDING


# --- Web Push ------------------------------------------------------------------------------


def vapid_claims(authorization: str) -> dict:
    token = authorization.split(" ", 1)[1].split(",")[0].removeprefix("t=")
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.mark.django_db
@pytest.mark.parametrize("key_format", ["pem", "raw"])
def test_webpush_sends_an_encrypted_message_signed_with_vapid(
    webpush_keys, patient, settings, key_format
):
    if key_format == "raw":
        settings.WEBPUSH_VAPID_PRIVATE_KEY = vapid_raw_private(webpush_keys.vapid)
    delivery = make_delivery(patient, platform="web", token=webpush_keys.token)

    assert push_deliver(delivery_id=delivery.id) == "sent"

    [sent] = webpush_keys.server.sent()
    assert sent.path == "/push/abc"
    assert sent.headers["content-encoding"] == "aes128gcm"
    assert int(sent.headers["ttl"]) == push.WEBPUSH_TTL_SECONDS
    authorization = sent.headers["authorization"]
    assert authorization.startswith("vapid t=")
    assert Vapid02.verify(authorization)
    public = webpush_keys.vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert authorization.endswith(f",k={b64url(public)}")
    claims = vapid_claims(authorization)
    assert claims["aud"] == webpush_keys.server.url
    assert claims["sub"] == "mailto:ops@example.org"
    plaintext = http_ece.decrypt(
        sent.body,
        private_key=webpush_keys.browser_key,
        auth_secret=webpush_keys.auth_secret,
        version="aes128gcm",
    )
    assert json.loads(plaintext) == {
        "title": "Time for your exercises",
        "body": "Your knee plan: 3 exercises today.",
        "data": {
            "reminder_id": "r-1",
            "notification_id": str(delivery.notification_id),
            "kind": "reminder",
            "route": f"app://notifications/{delivery.notification_id}",
        },
    }
    assert (sent.headers["urgency"], sent.headers["topic"]) == ("normal", "reminder")
    delivery = state(delivery)
    assert delivery.status == DeliveryStatus.SENT
    attempt = only_attempt(delivery)
    assert (attempt.backend, attempt.outcome, attempt.status_code) == ("webpush", "sent", 201)


@pytest.mark.django_db
@pytest.mark.parametrize("status_code", [404, 410])
def test_webpush_expired_subscription_disables_the_device(webpush_keys, patient, status_code):
    delivery = make_delivery(patient, platform="web", token=webpush_keys.token)
    webpush_keys.server.answer(status_code, b"gone")

    assert push_deliver(delivery_id=delivery.id) == "failed"

    delivery = state(delivery)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.device.active is False
    assert delivery.device.disabled_reason == f"webpush: subscription gone (HTTP {status_code})"
    attempt = only_attempt(delivery)
    assert (attempt.outcome, attempt.status_code) == (AttemptOutcome.PERMANENT_ERROR, status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("status_code", [429, 500, 503])
def test_webpush_unavailable_is_transient(webpush_keys, patient, status_code):
    delivery = make_delivery(patient, platform="web", token=webpush_keys.token)
    webpush_keys.server.answer(status_code, b"later", headers={"Retry-After": "12"})

    with pytest.raises(TransientPushError) as raised:
        push_deliver(delivery_id=delivery.id)

    assert raised.value.status_code == status_code
    assert raised.value.retry_after == 12
    delivery = state(delivery)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.device.active is True
    attempt = only_attempt(delivery)
    assert (attempt.outcome, attempt.status_code) == (AttemptOutcome.TRANSIENT_ERROR, status_code)
    # The endpoint URL is the subscription: it stays out of the error text.
    assert "/push/abc" not in attempt.error


@pytest.mark.django_db
def test_webpush_retry_after_as_an_http_date_is_reported_in_seconds(webpush_keys, patient):
    delivery = make_delivery(patient, platform="web", token=webpush_keys.token)
    asked = formatdate(time.time() + 90, usegmt=True)
    webpush_keys.server.answer(429, b"slow down", headers={"Retry-After": asked})

    with pytest.raises(TransientPushError) as raised:
        push_deliver(delivery_id=delivery.id)

    assert 88 <= raised.value.retry_after <= 90


@pytest.mark.django_db
def test_webpush_gives_up_after_max_attempts(webpush_keys, patient):
    delivery = make_delivery(patient, platform="web", token=webpush_keys.token)
    delivery.__class__.objects.filter(pk=delivery.pk).update(attempts=MAX_ATTEMPTS - 1)
    webpush_keys.server.answer(503)

    assert push_deliver(delivery_id=delivery.id) == "failed"

    delivery = state(delivery)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert only_attempt(delivery).outcome == AttemptOutcome.TRANSIENT_ERROR


@pytest.mark.django_db
def test_webpush_refused_vapid_is_retried_and_keeps_the_device(webpush_keys, patient):
    delivery = make_delivery(patient, platform="web", token=webpush_keys.token)
    webpush_keys.server.answer(403, b"bad jwt")

    with pytest.raises(TransientPushError):
        push_deliver(delivery_id=delivery.id)

    assert state(delivery).device.active is True


@pytest.mark.django_db
def test_webpush_rejected_message_fails_but_keeps_the_device(webpush_keys, patient):
    delivery = make_delivery(patient, platform="web", token=webpush_keys.token)
    webpush_keys.server.answer(413, b"too big")

    assert push_deliver(delivery_id=delivery.id) == "failed"

    delivery = state(delivery)
    assert delivery.device.active is True
    attempt = only_attempt(delivery)
    assert (attempt.outcome, attempt.status_code) == (AttemptOutcome.REJECTED, 413)


@pytest.mark.django_db
def test_webpush_unreachable_is_transient(webpush_keys, patient):
    _, _, subscription = browser_subscription(f"{closed_port_url()}/push/abc")
    delivery = make_delivery(patient, platform="web", token=json.dumps(subscription))

    with pytest.raises(TransientPushError):
        push_deliver(delivery_id=delivery.id)

    assert only_attempt(state(delivery)).error == "webpush: ConnectionError"


@pytest.mark.django_db
def test_webpush_http_endpoint_is_refused_unless_allowed(webpush_keys, patient, settings):
    settings.WEBPUSH_ALLOW_HTTP_ENDPOINTS = False
    delivery = make_delivery(patient, platform="web", token=webpush_keys.token)

    assert push_deliver(delivery_id=delivery.id) == "failed"

    assert webpush_keys.server.sent() == []
    assert state(delivery).device.active is False


@pytest.mark.django_db
def test_webpush_subscription_with_broken_keys_is_permanent(webpush_keys, patient):
    subscription = dict(
        webpush_keys.subscription, keys={"p256dh": b64url(b"\x04" + b"x" * 64), "auth": "AAAA"}
    )
    delivery = make_delivery(patient, platform="web", token=json.dumps(subscription))

    assert push_deliver(delivery_id=delivery.id) == "failed"

    assert webpush_keys.server.sent() == []
    assert state(delivery).device.active is False


def test_backend_for_reads_the_setting_at_call_time(settings):
    settings.PUSH_BACKENDS = {"android": "fcm", "ios": "console", "web": "webpush"}
    assert push.backend_for("android").name == "fcm"
    assert push.backend_for("ios").name == "console"
    assert push.backend_for("web").name == "webpush"

    settings.PUSH_BACKENDS = {"android": "carrier-pigeon"}
    with pytest.raises(push.ImproperlyConfigured):
        push.backend_for("android")
    with pytest.raises(push.ImproperlyConfigured):
        push.backend_for("web")


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("30", 30),
        ("0", 0),
        ("2.5", 2.5),
        ("-5", 0),
        ("", None),
        ("soon", None),
        ("nan", None),
        ("inf", None),
        ("Mon, 02 Mar 2026 09:31:00 GMT", 60),  # IMF-fixdate, the form RFC 9110 prefers
        ("Monday, 02-Mar-26 09:32:00 GMT", 120),  # obsolete RFC 850 form
        ("Mon Mar  2 09:30:30 2026", 30),  # obsolete asctime form
        ("Mon, 02 Mar 2026 09:00:00 GMT", 0),  # already past
    ],
)
def test_retry_after_is_seconds_from_now_in_either_form(header, seconds):
    with time_machine.travel(datetime(2026, 3, 2, 9, 30, tzinfo=UTC), tick=False):
        assert push.retry_after_seconds(header) == seconds


def test_permanent_and_transient_errors_are_push_errors():
    assert issubclass(PermanentPushError, push.PushError)
    assert issubclass(TransientPushError, push.PushError)
    assert PermanentPushError("x", status_code=410).status_code == 410

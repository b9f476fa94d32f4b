"""Push registration (writes): a device is an FCM registration token (iOS, Android) or a
Web Push subscription (web). The token is never echoed back, and never logged."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend import safejson

from .errors import DeviceError
from .models import DeliveryStatus, Device, PushDelivery
from .push import webpush_endpoint_allowed

TOKEN_MAX_LENGTH = 4096


def device_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def device_register(*, user, platform: str, token: str) -> tuple[Device, bool]:
    """Register a push token; (device, created). The same token again is the same device:
    re-activated, and moved to the caller (a phone changes hands, or another account logs
    in on it)."""
    device, created = Device.objects.select_for_update().get_or_create(
        platform=platform,
        token_hash=device_token_hash(token),
        defaults={"user": user, "token": token},
    )
    if created:
        return device, True
    if device.user_id != user.pk:
        # What is still queued for the previous holder must not reach the new one.
        PushDelivery.objects.filter(device=device, status=DeliveryStatus.PENDING).exclude(
            notification__user=user
        ).update(
            status=DeliveryStatus.FAILED,
            last_error="device moved to another user",
            updated_at=timezone.now(),
        )
    device.user = user
    device.active = True
    device.disabled_at = None
    device.disabled_reason = ""
    device.save(update_fields=["user", "active", "disabled_at", "disabled_reason", "last_seen_at"])
    return device, False


def _b64url(value: Any) -> bytes | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def web_subscription(token: str) -> str:
    """The Web Push subscription (PushSubscription.toJSON()) in one canonical spelling, so
    the same subscription sent twice hashes the same; ValidationError when unusable."""
    try:
        subscription = safejson.loads(token)  # depth-limited: a deep token is a 400, not a 500
    except ValueError:
        raise ValidationError(
            _("A web token is the push subscription's JSON."), code=DeviceError.INVALID_SUBSCRIPTION
        ) from None
    if not isinstance(subscription, dict):
        raise ValidationError(
            _("A web token is the push subscription's JSON."), code=DeviceError.INVALID_SUBSCRIPTION
        )
    endpoint = subscription.get("endpoint")
    if not webpush_endpoint_allowed(endpoint):
        raise ValidationError(
            _("The subscription's endpoint must be an https URL of a browser push service."),
            code=DeviceError.INVALID_ENDPOINT,
        )
    keys = subscription.get("keys")
    keys = keys if isinstance(keys, dict) else {}
    p256dh, auth = _b64url(keys.get("p256dh")), _b64url(keys.get("auth"))
    # RFC 8291: an uncompressed P-256 point and a 16-byte secret.
    if p256dh is None or len(p256dh) != 65 or p256dh[0] != 4 or auth is None or len(auth) != 16:
        raise ValidationError(
            _(
                "The subscription needs keys.p256dh (a P-256 public key) and keys.auth "
                "(16 bytes), base64url-encoded."
            ),
            code=DeviceError.INVALID_KEYS,
        )
    return json.dumps(
        {"endpoint": endpoint, "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]}},
        sort_keys=True,
        separators=(",", ":"),
    )

"""Push registration: `POST devices/`, `GET devices/`, `DELETE devices/{id}/` (API.md).

The service and selector live here with the views while the module is small; the token is
never echoed back, and never logged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from backend import parsers
from backend.rest import StrictCharField, StrictChoiceField, StrictSerializer

from .models import DeliveryStatus, Device, Platform, PushDelivery
from .push import webpush_endpoint_allowed

TOKEN_MAX_LENGTH = 4096


# --- Selector and service -------------------------------------------------------------------


def devices_for(*, user) -> QuerySet[Device]:
    return Device.objects.filter(user=user).order_by("-created_at")


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


# --- Serializers ----------------------------------------------------------------------------


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
        subscription = parsers.loads(token)  # depth-limited: a deep token is a 400, not a 500
    except ValueError:
        raise serializers.ValidationError(
            "A web token is the push subscription's JSON.", code="invalid_subscription"
        ) from None
    if not isinstance(subscription, dict):
        raise serializers.ValidationError(
            "A web token is the push subscription's JSON.", code="invalid_subscription"
        )
    endpoint = subscription.get("endpoint")
    if not webpush_endpoint_allowed(endpoint):
        raise serializers.ValidationError(
            "The subscription's endpoint must be an https URL of a browser push service.",
            code="invalid_endpoint",
        )
    keys = subscription.get("keys")
    keys = keys if isinstance(keys, dict) else {}
    p256dh, auth = _b64url(keys.get("p256dh")), _b64url(keys.get("auth"))
    # RFC 8291: an uncompressed P-256 point and a 16-byte secret.
    if p256dh is None or len(p256dh) != 65 or p256dh[0] != 4 or auth is None or len(auth) != 16:
        raise serializers.ValidationError(
            "The subscription needs keys.p256dh (a P-256 public key) and keys.auth "
            "(16 bytes), base64url-encoded.",
            code="invalid_keys",
        )
    return json.dumps(
        {"endpoint": endpoint, "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]}},
        sort_keys=True,
        separators=(",", ":"),
    )


class DeviceRegisterSerializer(StrictSerializer):
    platform = StrictChoiceField(choices=Platform.choices)
    token = StrictCharField(
        max_length=TOKEN_MAX_LENGTH,
        help_text=(
            "The FCM registration token (ios, android), or the Web Push subscription's "
            "JSON (web): {endpoint, keys: {p256dh, auth}}."
        ),
    )

    def validate(self, attrs: dict) -> dict:
        if attrs["platform"] == Platform.WEB:
            try:
                attrs["token"] = web_subscription(attrs["token"])
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({"token": exc.detail}) from None
        return attrs


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "platform", "created_at", "active"]
        read_only_fields = fields


# --- Views ----------------------------------------------------------------------------------


class DeviceListCreateView(generics.ListCreateAPIView):
    """The caller's push destinations; registering one again is harmless."""

    permission_classes = [IsAuthenticated]
    serializer_class = DeviceSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Device.objects.none()
        return devices_for(user=self.request.user)

    @extend_schema(summary="The caller's push devices")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=DeviceRegisterSerializer,
        responses={201: DeviceSerializer, 200: DeviceSerializer},
        summary="Register a device for push (200 when the token was already registered)",
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = DeviceRegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device, created = device_register(user=request.user, **serializer.validated_data)
        return Response(
            DeviceSerializer(device).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class DeviceDetailView(generics.DestroyAPIView):
    """Unregister (on logout): the token is forgotten."""

    permission_classes = [IsAuthenticated]
    lookup_url_kwarg = "device_id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Device.objects.none()
        return devices_for(user=self.request.user)

    @extend_schema(responses={204: None}, summary="Unregister a push device")
    def delete(self, request: Request, *args, **kwargs) -> Response:
        return super().delete(request, *args, **kwargs)

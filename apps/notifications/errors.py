"""Error codes the notifications app answers with (clients may rely on them; docs/api.md)."""

from enum import StrEnum


class DeviceError(StrEnum):
    INVALID_SUBSCRIPTION = "invalid_subscription"  # 400 on `token`: not a push subscription
    INVALID_ENDPOINT = "invalid_endpoint"  # 400 on `token`: not a browser push service
    INVALID_KEYS = "invalid_keys"  # 400 on `token`: p256dh / auth missing or malformed

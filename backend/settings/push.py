"""Push notifications: one backend per platform and each provider's settings."""

from .environment import env

# One backend per platform: "console" (default: logs ids only), "fcm" (FCM HTTP v1 for
# iOS and Android) or "webpush" (Web Push with VAPID for browsers).
PUSH_BACKENDS = {
    "android": env("PUSH_ANDROID_BACKEND", default="console"),
    "ios": env("PUSH_IOS_BACKEND", default="console"),
    "web": env("PUSH_WEB_BACKEND", default="console"),
}
FCM_PROJECT_ID = env("FCM_PROJECT_ID", default="")
FCM_SERVICE_ACCOUNT_FILE = env("FCM_SERVICE_ACCOUNT_FILE", default="")
FCM_ENDPOINT = env("FCM_ENDPOINT", default="https://fcm.googleapis.com/v1/projects")
WEBPUSH_VAPID_PRIVATE_KEY = env("WEBPUSH_VAPID_PRIVATE_KEY", default="")
WEBPUSH_VAPID_SUBJECT = env("WEBPUSH_VAPID_SUBJECT", default="mailto:ops@example.org")
# Web Push endpoints must be https, except in tests with a local stand-in provider.
WEBPUSH_ALLOW_HTTP_ENDPOINTS = env.bool("WEBPUSH_ALLOW_HTTP_ENDPOINTS", default=False)
# The server posts to whatever endpoint a subscription names, so only the browsers' push
# services are accepted (a host or any of its subdomains); anything else could make the
# server call into its own network.
WEBPUSH_ALLOWED_HOSTS = env.list(
    "WEBPUSH_ALLOWED_HOSTS",
    default=[
        "fcm.googleapis.com",  # Chrome, Edge, Opera, Samsung Internet
        "push.services.mozilla.com",  # Firefox
        "push.apple.com",  # Safari
        "notify.windows.com",  # legacy Edge
    ],
)
PUSH_TIMEOUT_SECONDS = 10

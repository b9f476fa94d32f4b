"""The clinic portal (/clinic/, apps.clinic.portal): its apps and middleware on top of
`core.py`'s, sessions, the second factor and the Content Security Policy."""

import base64
import hashlib
from typing import Any

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from .core import INSTALLED_APPS as _CORE_APPS
from .core import MIDDLEWARE as _CORE_MIDDLEWARE
from .environment import env

# The physiotherapists' web app: server-rendered pages with htmx, signed in with a session,
# a password (same accounts and axes lockouts as the API) and a second factor (TOTP from
# django-otp, with static recovery codes). See docs/decisions/portal-second-factor.md.
INSTALLED_APPS = [
    *_CORE_APPS,
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",  # also ships htmx's JavaScript, served from our own origin
    "csp",
]
# After authentication: OTPMiddleware tells whether this session passed its second factor
# (request.user.is_verified()); HtmxMiddleware sets request.htmx for partial updates.
MIDDLEWARE = list(_CORE_MIDDLEWARE)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "django_htmx.middleware.HtmxMiddleware",
)
# Early, so that every response (errors included) carries the policy.
MIDDLEWARE.insert(1, "csp.middleware.CSPMiddleware")

# Sessions (the portal's and the admin's) end after this long without a request: every
# request moves the expiry forward. The API's JWT requests carry no session and write none.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "clinic:sign-in"

# The second factor: TOTP apps show this issuer; recovery codes are one-time static tokens.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Knee & calf clinic")
# Wrong codes (portal and admin alike) make the next try wait 1, 2, 4... seconds, per
# account up to this ceiling and per client address up to that one: a delay, never a lock
# (docs/decisions/second-factor-at-rest.md).
SECOND_FACTOR_ACCOUNT_MAX_DELAY = env.int("SECOND_FACTOR_ACCOUNT_MAX_DELAY", default=300)
SECOND_FACTOR_ADDRESS_MAX_DELAY = env.int("SECOND_FACTOR_ADDRESS_MAX_DELAY", default=3600)
PORTAL_RECOVERY_CODES = 10


def otp_seed_keys(keys: list[str]) -> list[str]:
    """OTP_SEED_KEYS as given, checked: the Fernet keys (32 random bytes, URL-safe base64)
    that encrypt TOTP seeds at rest, newest first. The first encrypts, any decrypts
    (docs/decisions/second-factor-at-rest.md). A missing or malformed key stops the process
    at start; the message never shows a key."""
    if not keys:
        raise ImproperlyConfigured("Set OTP_SEED_KEYS: TOTP seeds cannot be encrypted without it.")
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"OTP_SEED_KEYS: key {number} is not a Fernet key (32 bytes, URL-safe base64)."
            ) from None
    return keys


def otp_seed_key_derived(secret_key: str) -> str:
    """local.py's and test.py's default OTP_SEED_KEYS entry, derived from their SECRET_KEY
    so that a developer sets nothing; production has no default."""
    digest = hashlib.sha256(f"otp-seed-key:{secret_key}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


# Content Security Policy (django-csp 4): scripts, styles, images and requests from our own
# origin only; no inline scripts or styles and no eval (htmx is configured for that in the
# portal's base template). The admin and the Swagger UI ship inline scripts and styles, so
# they keep their own defaults; X_FRAME_OPTIONS = "DENY" (security.py) covers framing everywhere.
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/api/docs/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Exercise pictures from an S3 store or CDN on another origin (docs/decisions/media-storage.md).
if env("CSP_MEDIA_ORIGIN", default=""):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(env("CSP_MEDIA_ORIGIN"))

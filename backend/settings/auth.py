"""Signing in: authentication backends, password rules, failed-login lockouts (django-axes),
the JWTs of the API, and how many proxies stand in front (for the client's address)."""

from datetime import timedelta

from .environment import env

AUTHENTICATION_BACKENDS = [
    # Counts failed logins per (account, address) and refuses the pair once locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Permissions that follow the role (a physio writes exercises of their own).
    "apps.accounts.permissions_by_role.RolePermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# docs/api.md: after 10 failed logins in 15 minutes for one (account, address) pair → 429.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "apps.accounts.views.lockout_response"
AXES_USERNAME_CALLABLE = "apps.accounts.views.lockout_username"
AXES_VERBOSE = False
# Number of trusted reverse proxies in front of the web process (X-Forwarded-For).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
AXES_IPWARE_PROXY_COUNT = NUM_PROXIES or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if NUM_PROXIES else ["REMOTE_ADDR"]
)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=30)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,  # the user_logged_in signal sent on token login does it
    "AUTH_HEADER_TYPES": ("Bearer",),
    # Verified under SECRET_KEY or a key of SECRET_KEY_FALLBACKS (apps/accounts/jwt.py).
    "AUTH_TOKEN_CLASSES": ("apps.accounts.jwt.AccountAccessToken",),
    "TOKEN_OBTAIN_SERIALIZER": "apps.accounts.serializers.StrictTokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "apps.accounts.serializers.StrictTokenRefreshSerializer",
}

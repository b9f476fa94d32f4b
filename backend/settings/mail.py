"""Outgoing e-mail (apps.accounts.mail) and the links e-mails carry."""

from .environment import env

# EMAIL_URL is django-environ's e-mail URL: smtp://host:port, smtp+tls://user:pass@host:587,
# smtp+ssl://..., consolemail:// (the default: printed by the worker, nothing to set up).
# Mail is sent by the worker after the request's commit, never inside a request; a mail
# server that is down or hung delays it (retries with backoff) and fails nothing
# (docs/decisions/email-delivery.md).
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
# Every wait on the mail server is bounded: a server that accepts and never answers costs
# the worker this many seconds per attempt, then the task retries later.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Knee & calf care <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Retries of one e-mail: EMAIL_RETRY_DELAY seconds doubling up to 10 minutes, jittered,
# EMAIL_MAX_RETRIES times (about 1 h 40 min of outage with the defaults), then given up
# with a log line (ids only).
EMAIL_RETRY_DELAY = env.float("EMAIL_RETRY_DELAY", default=5.0)
EMAIL_MAX_RETRIES = env.int("EMAIL_MAX_RETRIES", default=15)
# Links in e-mails: the phone app's (universal/app links) and the clinic portal's.
APP_LINK_BASE = env("APP_LINK_BASE", default="http://localhost:8000/app").rstrip("/")
PORTAL_LINK_BASE = env("PORTAL_LINK_BASE", default="http://localhost:8000/clinic").rstrip("/")

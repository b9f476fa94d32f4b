"""Celery tasks of accounts: sending e-mail, and the password-reset e-mail that the request
only asks for (so that a known and an unknown address cost the request the same)."""

from __future__ import annotations

import logging
import random
import smtplib

from django.conf import settings
from django.utils import timezone

from backend.celery import app

from .mail import Email, email_deliver
from .services import password_reset_email_send

logger = logging.getLogger(__name__)

RETRY_MAX_SECONDS = 600


def retry_countdown(retries: int) -> float:
    """EMAIL_RETRY_DELAY doubling with each failure up to 10 minutes, then ±25% jitter so
    that mail held back by one outage does not return all at once."""
    delay = min(settings.EMAIL_RETRY_DELAY * 2**retries, RETRY_MAX_SECONDS)
    return delay * random.uniform(0.75, 1.25)  # noqa: S311 - spreading retries, not security


def is_permanent(error: Exception) -> bool:
    """A 5xx answer about this message or its recipients will not change by retrying; a
    connection refused, a timeout, a dropped line or a 4xx answer may."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPAuthenticationError)
    return False


@app.task(bind=True, acks_late=True, max_retries=None)
def send_email(self, payload: dict) -> str:
    """Send one rendered e-mail (apps.accounts.mail.Email). Logs carry the kind and the
    task id, never the address or the text."""
    email = Email.from_payload(payload)
    expiry = email.expiry
    if expiry is not None and expiry <= timezone.now():
        logger.warning("e-mail %s dropped: its link expired before it could be sent", email.kind)
        return "expired"
    try:
        email_deliver(email)
    except Exception as error:
        reason = type(error).__name__
        if is_permanent(error):
            logger.warning(
                "e-mail %s refused by the mail server (%s); not retried", email.kind, reason
            )
            return "refused"
        if self.request.retries >= settings.EMAIL_MAX_RETRIES:
            logger.error(
                "e-mail %s given up after %d tries (%s)",
                email.kind,
                self.request.retries + 1,
                reason,
            )
            return "given_up"
        countdown = retry_countdown(self.request.retries)
        logger.info("e-mail %s not sent (%s); retrying in %.0f s", email.kind, reason, countdown)
        raise self.retry(exc=error, countdown=countdown) from error
    return "sent"


@app.task(acks_late=True)
def send_password_reset(email: str, via: str) -> str:
    """A reset e-mail to `email` if an active account has it; nothing otherwise. `via` is
    where the link leads: "app" or "portal"."""
    return "sent" if password_reset_email_send(email=email, via=via) else "no_account"

"""Outgoing e-mail: the one way any app sends mail (docs/decisions/email-delivery.md).

1. `email_render()` renders a message from three templates (`<name>_subject.txt`,
   `<name>.txt`, `<name>.html`) under the recipient's language
   (`translation.override`), so every text goes through gettext and the catalogues decide.
2. `email_send_on_commit()` hands the rendered message to the worker once the caller's
   transaction commits (backend.queue): the request never talks to the mail server.
3. The worker's `apps.accounts.tasks.send_email` calls `email_deliver()` through Django's
   mail framework (EMAIL_URL), with a timeout on every wait, and retries with backoff when
   the server is down, hung or answers a temporary error.

E-mails never carry health data: who invited whom, a link and a code at most. Links into
the phone app start with APP_LINK_BASE (`app_link()`), into the clinic portal with
PORTAL_LINK_BASE (`portal_link()`); a token travels as the query parameter `token`.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.dateparse import parse_datetime

from backend.queue import enqueue_on_commit

logger = logging.getLogger(__name__)

SEND_TASK = "apps.accounts.tasks.send_email"


@dataclass(frozen=True)
class Email:
    """A rendered message, as the worker receives it (JSON: plain values only)."""

    kind: str  # the template's name, for log lines (never the address or the text)
    to: str
    subject: str
    text: str
    html: str
    language: str
    # A message whose link has stopped working by the time the server takes it is not
    # sent at all (a reset link after a long outage): the person asks again.
    expires_at: str | None = None

    def payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Email:
        return cls(**payload)

    @property
    def expiry(self) -> datetime | None:
        return parse_datetime(self.expires_at) if self.expires_at else None


def app_link(path: str, **query: str) -> str:
    """A link into the phone app: APP_LINK_BASE/path?query."""
    return _link(settings.APP_LINK_BASE, path, query)


def portal_link(path: str, **query: str) -> str:
    """A link into the clinic portal: PORTAL_LINK_BASE/path?query."""
    return _link(settings.PORTAL_LINK_BASE, path, query)


def _link(base: str, path: str, query: dict[str, str]) -> str:
    url = f"{base.rstrip('/')}/{path.lstrip('/')}"
    return f"{url}?{urlencode(query)}" if query else url


def email_render(
    template: str,
    *,
    to: str,
    language: str,
    context: dict[str, Any],
    expires_at: datetime | None = None,
    folder: str = "accounts/email",
) -> Email:
    """Render `<folder>/<template>` in `language` (the recipient's). Another app keeps its
    e-mails' templates (and so their texts, in its own catalogue) in its own folder."""
    with translation.override(language):
        context = {**context, "language": translation.get_language()}
        subject = render_to_string(f"{folder}/{template}_subject.txt", context)
        text = render_to_string(f"{folder}/{template}.txt", context)
        html = render_to_string(f"{folder}/{template}.html", context)
        rendered_in = translation.get_language()
    return Email(
        kind=template,
        to=to,
        # One line: a header cannot hold line breaks.
        subject=" ".join(subject.split()),
        text=text.strip() + "\n",
        html=html,
        language=rendered_in,
        expires_at=expires_at.isoformat() if expires_at else None,
    )


def email_send_on_commit(email: Email) -> None:
    """Queue the message for the worker once the current transaction commits. Never waits
    on the mail server; a broker that is down loses the message with a log line (the
    person asks again: every e-mail here answers something they can repeat)."""
    enqueue_on_commit(SEND_TASK, email.payload())


def email_deliver(email: Email) -> None:
    """Send now through the configured backend; raises what the backend raises (the task
    sorts temporary from permanent failures)."""
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers={"Content-Language": email.language, "Auto-Submitted": "auto-generated"},
        connection=get_connection(timeout=settings.EMAIL_TIMEOUT),
    )
    message.attach_alternative(email.html, "text/html")
    message.send(fail_silently=False)

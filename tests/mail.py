"""A real SMTP server on loopback (aiosmtpd) and the mail tasks this run's broker holds
(a pytest plugin).

`smtp_server` receives what the application sends, as a mail server would; `mail` points
Django's SMTP backend at it and runs the e-mail tasks waiting on the broker in this
process (`mail.deliver()`), so a test reads what arrived (`mail.received`). The worker
itself is exercised with real `celery worker` processes in tests/accounts/test_mail_outage.py.
"""

from __future__ import annotations

import email
import email.policy
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from port_for import get_port

from tests.workers import purge_suite_queues

MAIL_TASKS = ("apps.accounts.tasks.send_email", "apps.accounts.tasks.send_password_reset")
LINK = re.compile(r"https?://[^\s<>\"]+")


@dataclass
class Received:
    """One message as the server received it."""

    envelope_to: list[str]
    message: EmailMessage

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def language(self) -> str:
        return str(self.message["Content-Language"])

    def part(self, content_type: str) -> str:
        found = self.message.get_body(preferencelist=(content_type.split("/")[1],))
        assert found is not None, content_type
        assert found.get_content_type() == content_type
        return found.get_content()

    @property
    def text(self) -> str:
        return self.part("text/plain")

    @property
    def html(self) -> str:
        return self.part("text/html")

    def links(self) -> list[str]:
        return LINK.findall(self.text)

    def token(self) -> str:
        """The `token` query parameter of the message's link (its plain-text part)."""
        from urllib.parse import parse_qs, urlsplit

        tokens = {
            value
            for link in self.links()
            for value in parse_qs(urlsplit(link).query).get("token", [])
        }
        assert len(tokens) == 1, self.links()
        return tokens.pop()


class _Collector:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.received.append(Received(list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    collector: _Collector = field(default_factory=_Collector)
    controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self.collector.received

    def start(self) -> SmtpServer:
        self.controller = Controller(self.collector, hostname=self.host, port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        with self.collector.arrived:
            arrived = self.collector.arrived.wait_for(
                lambda: len(self.received) >= count, timeout=timeout
            )
        assert arrived, f"{len(self.received)} of {count} e-mails arrived within {timeout}s"
        return self.received


@pytest.fixture
def smtp_port() -> int:
    return get_port(None)


@pytest.fixture
def smtp_server(smtp_port) -> Iterator[SmtpServer]:
    """An SMTP server on loopback, started; it keeps what it receives."""
    server = SmtpServer("127.0.0.1", smtp_port).start()
    yield server
    server.stop()


def queued_mail_tasks() -> list[tuple[str, list, dict]]:
    """Take the e-mail tasks waiting on this run's default queue (others are dropped)."""
    from backend.celery import app

    found = []
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue("default")
        try:
            while True:
                try:
                    message = queue.get(block=False)
                except queue.Empty:
                    break
                name = message.headers["task"]
                if name in MAIL_TASKS:
                    args, kwargs, _embed = message.payload
                    found.append((name, args, kwargs))
                message.ack()
        finally:
            queue.close()
    return found


@dataclass
class Mail:
    server: SmtpServer

    @property
    def received(self) -> list[Received]:
        return self.server.received

    def deliver(self) -> list[Received]:
        """Run every e-mail task the broker holds, in this process, as the worker would
        (tasks those tasks queue too), and return what the server has received."""
        from backend.celery import app
        from backend.queue import hand_off

        app.loader.import_default_modules()  # the apps' tasks modules, as a worker does
        for _round in range(5):
            hand_off.drain(timeout=15)
            tasks = queued_mail_tasks()
            if not tasks:
                break
            for name, args, kwargs in tasks:
                result = app.tasks[name].apply(args=args, kwargs=kwargs)
                result.get(propagate=True)
        return self.received

    def to(self, address: str) -> list[Received]:
        return [message for message in self.received if address in message.envelope_to]


@pytest.fixture
def mail(transactional_db, smtp_server, settings) -> Mail:
    """Django's SMTP backend pointed at `smtp_server`; the broker's queue emptied first.
    Needs committed transactions (e-mails are queued after commit): transactional_db."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_TIMEOUT = 5
    purge_suite_queues()
    return Mail(smtp_server)

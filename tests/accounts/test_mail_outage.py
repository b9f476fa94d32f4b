"""A mail server that hangs (accepts TCP and never answers) or refuses connections: the
API answers as fast as with a healthy one, and a real worker sends the mail once the
server is back."""

import statistics
import time

import pytest
from rest_framework.test import APIClient

from tests.conftest import client_for
from tests.factories import PatientFactory, PhysioFactory
from tests.mail import SmtpServer
from tests.workers import HungServer

pytestmark = pytest.mark.integration

ROUNDS = 3
# The bound the API must keep whatever the mail server does (docs/api.md, Accounts).
SLOWER_AT_MOST = 0.2


def timed(call) -> float:
    started = time.monotonic()
    response = call()
    elapsed = time.monotonic() - started
    assert response.status_code in {201, 202}, response.content
    return elapsed


def mail_causing_calls(physio, tag: str) -> dict[str, float]:
    """Median answer time of each endpoint that sends mail, over ROUNDS calls; every call
    e-mails an address of its own (`tag` keeps rounds apart)."""
    invite = client_for(physio)
    times: dict[str, list[float]] = {"register": [], "password-reset": [], "invite": []}
    for n in range(ROUNDS):
        PatientFactory(email=f"reset-{tag}-{n}@example.org")
        times["register"].append(
            timed(
                lambda n=n: APIClient().post(
                    "/api/v1/auth/register/",
                    {
                        "email": f"new-{tag}-{n}@example.org",
                        "password": "knee-rehab-Journey-7",
                        "timezone": "UTC",
                    },
                    format="json",
                )
            )
        )
        times["password-reset"].append(
            timed(
                lambda n=n: APIClient().post(
                    "/api/v1/auth/password-reset/",
                    {"email": f"reset-{tag}-{n}@example.org"},
                    format="json",
                )
            )
        )
        times["invite"].append(
            timed(
                lambda n=n: invite.post(
                    "/api/v1/care-team/invites/",
                    {"email": f"invited-{tag}-{n}@example.org"},
                    format="json",
                )
            )
        )
    return {name: statistics.median(values) for name, values in times.items()}


def addresses(tag: str) -> set[str]:
    return {
        f"{kind}-{tag}-{n}@example.org"
        for kind in ("new", "reset", "invited")
        for n in range(ROUNDS)
    }


@pytest.fixture
def worker_mailing_to(start_worker, settings):
    """A real worker whose EMAIL_URL is smtp://127.0.0.1:<port>, with short timeouts and
    retries; this process's own mail settings point at the same port (the request must
    not use them either)."""

    def start(port: int):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        return start_worker(
            extra_env={
                "EMAIL_URL": f"smtp://127.0.0.1:{port}",
                "EMAIL_TIMEOUT": "1",
                "EMAIL_RETRY_DELAY": "1",
            }
        )

    return start


@pytest.mark.parametrize("outage", ["hung", "refusing"])
def test_a_mail_server_outage_slows_no_answer_and_the_mail_goes_out_once_it_is_back(
    worker_mailing_to, smtp_port, outage
):
    physio = PhysioFactory(email="physio@example.org")
    hung = None
    if outage == "hung":
        hung = HungServer()
        port = hung.port
    else:
        port = smtp_port  # nothing listens there yet: connections are refused
    worker = worker_mailing_to(port)

    during = mail_causing_calls(physio, "down")
    time.sleep(3)  # the worker has tried (and failed) by now
    assert "retrying in" in worker.log
    if hung is not None:
        hung.close()
    server = SmtpServer("127.0.0.1", port).start()
    try:
        after = mail_causing_calls(physio, "up")

        received = server.wait_for(len(addresses("down") | addresses("up")), timeout=120)
        arrived = {to for message in received for to in message.envelope_to}
        assert addresses("down") <= arrived  # held back by the outage, then delivered
        assert addresses("up") <= arrived
        # Each at most once per address (a retry does not send twice).
        assert len(received) == len(arrived)
    finally:
        server.stop()
    for endpoint, seconds in during.items():
        assert seconds - after[endpoint] < SLOWER_AT_MOST, (endpoint, during, after)

"""Faults injected into real processes: gunicorn with gunicorn.conf.py and the production
settings, a Celery worker and beat, a Redis of the test's own and PostgreSQL.

- Redis hung (SIGSTOP: the port stays open, nothing answers) while a patient logs a red
  flag: 201 with the triage within a second, and the physiotherapist's push is delivered
  within two minutes of Redis answering again, by the worker and beat.
- PostgreSQL unreachable, then back: 503s in the envelope meanwhile, /healthz stays up,
  and web and worker carry on afterwards without a restart.
"""

import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from port_for import get_port
from rest_framework_simplejwt.tokens import AccessToken

from apps.accounts.services import care_link_create
from apps.alerts.models import Alert
from apps.notifications.models import Device, PushDelivery
from apps.symptoms.models import SymptomLog
from tests.bodies import symptom_log_body as log_body
from tests.workers import (
    ManagedProcess,
    TcpProxy,
    beat_argv,
    database_url_for_workers,
    gunicorn_argv,
    pause,
    production_environment,
    resume,
    wait_for_http,
    wait_until,
    worker_argv,
)

pytestmark = pytest.mark.integration


def call(base: str, method: str, path: str, body=None, token: str | None = None, timeout=30):
    """(status, parsed body, seconds taken) of one request to the live server."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)  # noqa: S310
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return status, json.loads(raw) if raw else None, time.monotonic() - started


def token_for(user) -> str:
    """An access token the server accepts: it runs with this test's SECRET_KEY."""
    return str(AccessToken.for_user(user))


class Stack:
    """web (gunicorn), worker and beat on one environment; stopped at the end."""

    def __init__(self, env: dict[str, str], folder) -> None:
        self.port = get_port(None)
        self.base = f"http://127.0.0.1:{self.port}"
        self.web = ManagedProcess(gunicorn_argv(self.port), env, folder / "web.log")
        self.worker = ManagedProcess(worker_argv(), env, folder / "worker.log")
        self.beat = ManagedProcess(beat_argv(folder / "beat-schedule"), env, folder / "beat.log")

    def start(self, beat: bool = True) -> "Stack":
        self.web.start("Booting worker")
        self.worker.start("ready.")
        if beat:
            self.beat.start("beat: Starting...")
        wait_for_http(f"{self.base}/healthz")
        return self

    def stop(self) -> None:
        for process in (self.beat, self.worker, self.web):
            process.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.log_path.name}\n{p.log[-4000:]}" for p in (self.web, self.worker))


@pytest.fixture
def linked_physio_with_a_device(patient, physio):
    care_link_create(physio=physio, patient=patient)
    return Device.objects.create(
        user=physio, platform="android", token="fcm-token", token_hash="f" * 64
    )


def test_with_redis_hung_an_urgent_log_answers_in_a_second_and_the_push_follows_recovery(
    transactional_db, redis_server, patient, linked_physio_with_a_device, tmp_path
):
    redis_server.start()
    env = production_environment(
        database_url=database_url_for_workers(),
        redis=redis_server.url,
        SECRET_KEY=settings.SECRET_KEY,
        PUSH_SWEEP_INTERVAL="5",  # beat's minute sweep, every 5 s to keep the test short
    )
    stack = Stack(env, tmp_path).start()
    try:
        tokens = {"access": token_for(patient)}
        assert call(stack.base, "GET", "/readyz")[0] == 200

        pause(redis_server.process)  # hung: the port accepts, nothing answers
        hung_at = time.monotonic()
        try:
            status, body, took = call(
                stack.base,
                "POST",
                "/api/v1/symptom-logs/",
                log_body(locations=["calf"], redness=True, warmth=True),
                tokens["access"],
            )
            readyz_status, readyz, readyz_took = call(stack.base, "GET", "/readyz")
            # Hung longer than the broker's socket timeout, so the hand-off gives up and
            # the delivery is left to the sweep.
            time.sleep(max(0.0, 8 - (time.monotonic() - hung_at)))
        finally:
            resume(redis_server.process)
        recovered_at = time.monotonic()

        assert status == 201, body
        assert body["triage"]["level"] == "urgent"
        assert took < 1.0, f"the urgent log took {took:.2f}s with Redis hung"
        assert readyz_status == 503
        assert readyz["checks"]["broker"] == "down"
        assert readyz_took < 2.0

        alert = Alert.objects.get(patient=patient, level="urgent")
        delivery = PushDelivery.objects.get(notification__alert=alert)
        wait_until(
            lambda: PushDelivery.objects.filter(pk=delivery.pk, status="sent").exists(),
            timeout=120,
            interval=0.5,
            what="the physio's push after Redis came back",
        )
        delivered_after = time.monotonic() - recovered_at
        print(
            f"\nurgent log with Redis hung: {took:.3f}s; /readyz: {readyz_took:.3f}s; "
            f"push delivered {delivered_after:.1f}s after Redis came back"
        )
        assert delivered_after < 120
        assert delivery.attempt_log.filter(outcome="sent").count() == 1
    except Exception:
        print(stack.logs())
        raise
    finally:
        stack.stop()


def test_with_the_database_cut_off_and_back_web_and_worker_carry_on_without_a_restart(
    transactional_db, redis_server, patient, linked_physio_with_a_device, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("cuts a PostgreSQL connection; the SQLite run has no database server")
    settings_dict = connection.settings_dict
    proxy = TcpProxy(settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    proxy.start()
    redis_server.start()
    database_url = database_url_for_workers().replace(
        f":{settings_dict['PORT'] or 5432}/", f":{proxy.port}/"
    )
    assert str(proxy.port) in database_url
    env = production_environment(
        database_url=database_url, redis=redis_server.url, SECRET_KEY=settings.SECRET_KEY
    )
    stack = Stack(env, tmp_path).start(beat=False)
    try:
        token = token_for(patient)
        assert call(stack.base, "POST", "/api/v1/symptom-logs/", log_body(), token)[0] == 201
        pids = (stack.web.process.pid, stack.worker.process.pid)

        proxy.cut()
        ready_status, ready, ready_took = call(stack.base, "GET", "/readyz")
        assert ready_status == 503
        assert ready["checks"] == {"database": "down", "broker": "ok"}
        assert ready_took < 2.0
        assert call(stack.base, "GET", "/healthz")[0] == 200
        status, body, took = call(stack.base, "POST", "/api/v1/symptom-logs/", log_body(), token)
        assert status == 503, body
        assert body["errors"][0]["code"] == "service_unavailable"
        assert took < 5.0

        proxy.restore()
        wait_until(lambda: call(stack.base, "GET", "/readyz")[0] == 200, timeout=30, what="readyz")
        status, body, _ = call(
            stack.base,
            "POST",
            "/api/v1/symptom-logs/",
            log_body(locations=["calf"], redness=True, warmth=True),
            token,
        )
        assert status == 201, body
        # The worker, which lost its connections too, delivers the physio's push.
        delivery = PushDelivery.objects.get(notification__alert__patient=patient)
        wait_until(
            lambda: PushDelivery.objects.filter(pk=delivery.pk, status="sent").exists(),
            timeout=60,
            interval=0.5,
            what="the worker to deliver after the database came back",
        )
        assert (stack.web.process.pid, stack.worker.process.pid) == pids
        assert stack.web.process.poll() is None
        assert stack.worker.process.poll() is None
    except Exception:
        print(stack.logs())
        raise
    finally:
        stack.stop()
        proxy.cut()


def test_with_the_database_frozen_a_kept_connection_answers_503_within_5s_and_others_are_served(
    transactional_db, redis_server, patient, tmp_path
):
    """A PostgreSQL that stops answering without closing anything (frozen; here a proxy
    that stops forwarding): a request on a kept connection (CONN_MAX_AGE) gets a 503 in
    the envelope within 5 s instead of hanging until gunicorn kills its worker, /readyz
    says so within 2 s, and the other worker serves meanwhile."""
    if connection.vendor != "postgresql":
        pytest.skip("freezes a PostgreSQL connection; the SQLite run has no database server")
    settings_dict = connection.settings_dict
    proxy = TcpProxy(settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    proxy.start()
    redis_server.start()
    database_url = database_url_for_workers().replace(
        f":{settings_dict['PORT'] or 5432}/", f":{proxy.port}/"
    )
    env = production_environment(
        database_url=database_url,
        redis=redis_server.url,
        SECRET_KEY=settings.SECRET_KEY,
        CONN_MAX_AGE="600",
    )
    port = get_port(None)
    base = f"http://127.0.0.1:{port}"
    web = ManagedProcess(gunicorn_argv(port, workers=2), env, tmp_path / "web.log")
    web.start("Booting worker")
    try:
        wait_for_http(f"{base}/healthz")
        token = token_for(patient)
        for _ in range(6):
            assert call(base, "GET", "/api/v1/me/", token=token)[0] == 200
        # Kept: six requests on two workers made at most one connection each.
        assert proxy.accepted <= 2

        proxy.freeze()
        frozen: dict = {}
        writer = threading.Thread(
            target=lambda: frozen.update(
                answer=call(base, "POST", "/api/v1/symptom-logs/", log_body(), token, timeout=20)
            )
        )
        writer.start()
        time.sleep(0.3)
        health_status, _, _ = call(base, "GET", "/healthz", timeout=20)
        served_meanwhile = writer.is_alive()
        writer.join(timeout=20)
        ready_status, ready, ready_took = call(base, "GET", "/readyz", timeout=20)
        after = [call(base, "GET", "/api/v1/me/", token=token, timeout=20) for _ in range(3)]

        status, body, took = frozen["answer"]
        assert status == 503, body
        assert body["errors"][0]["code"] == "service_unavailable"
        assert took <= 5.0, f"the request on a frozen database took {took:.2f}s"
        assert health_status == 200
        assert served_meanwhile, "/healthz waited for the frozen request to end"
        assert ready_status == 503
        assert ready["checks"]["database"] == "down"
        assert ready_took <= 2.0, f"/readyz took {ready_took:.2f}s"
        for later_status, later_body, later_took in after:
            assert later_status == 503, later_body
            assert later_took <= 5.0, f"a later request took {later_took:.2f}s"
        print(
            f"\nfrozen database: 503 in {took:.2f}s on a kept connection, "
            f"/readyz in {ready_took:.2f}s, later requests "
            + ", ".join(f"{t:.2f}s" for _, _, t in after)
        )

        proxy.thaw()
        wait_until(lambda: call(base, "GET", "/readyz")[0] == 200, timeout=30, what="readyz")
        assert call(base, "GET", "/api/v1/me/", token=token)[0] == 200
        assert web.process.poll() is None
        assert not SymptomLog.objects.filter(patient=patient).exists()
    except Exception:
        print(web.log[-6000:])
        raise
    finally:
        proxy.thaw()
        web.stop()
        proxy.cut()

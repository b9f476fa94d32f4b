"""Real Celery worker processes for integration tests (a pytest plugin).

A worker is `celery -A backend worker` in a subprocess, pointed at the same test
database and broker as the test, so a task runs exactly as it does in production.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from port_for import get_port
from pytest_redis.executor import RedisExecutor

ROOT = Path(__file__).resolve().parent.parent
QUEUES = ("default", "notifications")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(available: bool, what: str) -> None:
    """Skip on a developer's machine that lacks a service; fail in CI, where it must run."""
    if available:
        return
    if in_ci():
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} is not available on this machine")


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def redis_reachable(url: str | None = None) -> bool:
    try:
        redis.Redis.from_url(url or redis_url(), socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


def database_url_for_workers() -> str:
    """The URL of the database this test runs against (pytest-django's test database)."""
    conf = connection.settings_dict
    if conf["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{conf['NAME']}"
    user = quote(conf.get("USER") or "", safe="")
    password = quote(conf.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = conf.get("HOST") or "localhost"
    port = f":{conf['PORT']}" if conf.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{conf['NAME']}"


class ManagedProcess:
    """A subprocess (worker, beat, gunicorn) with its own log file and process group."""

    def __init__(self, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, ready_text: str, timeout: float = 60) -> ManagedProcess:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group, so kill() takes the children too
            )
        self.wait_for_log(ready_text, timeout=timeout)
        return self

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log:
                return
            if self.process and self.process.poll() is not None:
                raise RuntimeError(f"{self.argv[:4]} exited early:\n{self.log}")
            time.sleep(0.1)
        raise TimeoutError(f"{self.argv[:4]} never logged {text!r}:\n{self.log}")

    def stop(self, timeout: float = 20) -> None:
        """Warm shutdown, as an orchestrator does; kill if it does not stop."""
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the process and its children: a crash, with no chance to clean up."""
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def worker_argv(
    concurrency: int = 1, hostname: str | None = None, app: str = "backend"
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        app,
        "worker",
        "--loglevel",
        "INFO",
        # No --queues: API.md's plain command must consume every queue by itself.
        "--concurrency",
        str(concurrency),
        "--hostname",
        hostname or f"test-{uuid.uuid4().hex[:8]}@%h",
        "--without-mingle",
        "--without-gossip",
    ]


def worker_environment(*, broker: str, broker_dir: Path | None = None) -> dict[str, str]:
    """Environment of a worker that shares this test's database.

    broker: "suite" (whatever this run uses), "embedded" (filesystem transport in
    broker_dir) or "redis".
    """
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "backend.settings.test"}
    env["DATABASE_URL"] = database_url_for_workers()
    env["PYTHONUNBUFFERED"] = "1"
    if broker == "embedded":
        env.pop("REDIS_URL", None)
        if broker_dir is not None:
            env["CELERY_BROKER_DIR"] = str(broker_dir)
    elif broker == "redis":
        env["REDIS_URL"] = redis_url()
    elif broker.startswith("redis://"):
        env["REDIS_URL"] = broker
    return env


def purge_suite_queues() -> None:
    """Drop messages left by earlier tests so a worker sees only this test's work."""
    from backend.celery import app

    with app.connection_for_write() as conn:
        for queue in QUEUES:
            try:
                conn.default_channel.queue_purge(queue)
            except Exception:  # noqa: S112 - a queue that does not exist yet has nothing to drop
                continue


@pytest.fixture
def start_worker(tmp_path, transactional_db) -> Iterator:
    """Start real workers against this run's database and broker: start_worker(concurrency=1)."""
    if settings.CELERY_BROKER_URL.startswith("redis"):
        require(redis_reachable(settings.CELERY_BROKER_URL), "Redis")
    purge_suite_queues()
    workers: list[ManagedProcess] = []

    def start(
        concurrency: int = 1,
        broker: str = "suite",
        broker_dir: Path | None = None,
        extra_env: dict[str, str] | None = None,
        app: str = "backend",
    ):
        worker = ManagedProcess(
            worker_argv(concurrency, app=app),
            {**worker_environment(broker=broker, broker_dir=broker_dir), **(extra_env or {})},
            tmp_path / f"worker-{len(workers)}.log",
        )
        workers.append(worker)
        return worker.start("ready.")

    yield start
    for worker in workers:
        worker.stop()


def beat_argv(schedule: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "backend",
        "beat",
        "--loglevel",
        "INFO",
        "--schedule",
        str(schedule),
    ]


class RedisServer(RedisExecutor):
    """pytest-redis's executor (mirakuru) for a redis-server of the test's own: start()
    returns once it accepts connections, stop() shuts it down, start() again brings it
    back on the same port."""

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    """A Redis the test starts and stops itself (outages), on a free port; not started.

    Function-scoped on purpose: pytest-redis's own `redis_proc` fixtures live for the whole
    session, and a test that stops the server would leave it down for the next one
    (docs/decisions/redis-test-processes.md)."""
    binary = shutil.which("redis-server")
    require(binary is not None, "redis-server")
    server = RedisServer(
        executable=binary,
        databases=16,
        redis_timeout=30,
        loglevel="warning",
        host="127.0.0.1",
        port=get_port(None),
        datadir=tmp_path,
        startup_timeout=10,
    )
    yield server
    server.stop()


def wait_until(condition, timeout: float = 60, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def celery_broker(monkeypatch):
    """Point this process's Celery client at another broker (a dead port, a Redis the
    test controls) and drop pooled connections both ways, so no later test publishes
    through a connection made here."""
    from backend.celery import app

    def drop_pooled_connections() -> None:
        # What Celery itself does after a fork: new connections on next use.
        app._pool = None
        app.amqp._producer_pool = None

    def point(url: str) -> None:
        monkeypatch.setattr(app.conf, "broker_url", url)
        drop_pooled_connections()

    yield point
    monkeypatch.undo()
    drop_pooled_connections()

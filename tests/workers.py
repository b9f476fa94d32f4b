"""Real Celery worker processes for integration tests (a pytest plugin).

A worker is `celery -A backend worker` in a subprocess, pointed at the same test
database and broker as the test, so a task runs exactly as it does in production.
"""

from __future__ import annotations

import contextlib
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
        # No --queues: docs/api.md's plain command must consume every queue by itself.
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


class HungServer:
    """A TCP port that accepts connections and never answers, like a Redis or PostgreSQL
    process that is stopped (SIGSTOP) or wedged: the kernel completes the handshake and
    buffers what is sent, and no reply ever comes."""

    def __init__(self) -> None:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)  # never accept(): connections wait in the backlog
        self.port = self.sock.getsockname()[1]

    def url(self, scheme: str = "redis", path: str = "/0") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def hung_server() -> Iterator[HungServer]:
    server = HungServer()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _handed_off_tasks_published_before_the_next_test() -> Iterator[None]:
    """backend/queue.py publishes from a background thread; a test's last tasks must not
    reach the broker during the next test."""
    yield
    from backend.queue import hand_off

    hand_off.drain(timeout=15)


# --- A live web server, as deployed ------------------------------------------------------------


def gunicorn_argv(port: int, workers: int = 1) -> list[str]:
    """docker-compose.yml's web command (gunicorn.conf.py), on a local port."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "backend.wsgi:application",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
    ]


def production_environment(*, database_url: str, redis: str, **extra: str) -> dict[str, str]:
    """The production settings against this test's database and a given Redis."""
    import secrets

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "OTP_SEED_KEYS": "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg=",  # any Fernet key (32 bytes, base64)
        "ALLOWED_HOSTS": "api.example.org",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis,
        "SECURE_SSL_REDIRECT": "false",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def wait_for_http(url: str, timeout: float = 30) -> None:
    import urllib.error
    import urllib.request

    def answers() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - a local http URL
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    wait_until(answers, timeout=timeout, interval=0.2, what=url)


def pause(process: subprocess.Popen) -> None:
    """SIGSTOP: the process keeps its port open and answers nothing (a hung server)."""
    os.kill(process.pid, signal.SIGSTOP)


def resume(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGCONT)


class TcpProxy:
    """A TCP forwarder the test can cut and restore, standing between the processes under
    test and a server (PostgreSQL) that other tests and agents share and that must not be
    stopped. cut(): every connection is dropped and new ones are refused, as when the
    database host goes away; restore(): the same port forwards again. freeze(): every
    connection stays open and new ones are accepted, but nothing is forwarded any more,
    either way, as when the server is frozen (its kernel still holds the connections);
    thaw(): forwarding goes on where it stopped."""

    def __init__(self, target_host: str, target_port: int) -> None:
        import threading

        self.target = (target_host, target_port)
        self.port = get_port(None)
        self._lock = threading.Lock()
        self._listener = None
        self._connections: list = []
        self._flowing = threading.Event()
        self._flowing.set()
        self.accepted = 0  # connections accepted since start

    def start(self) -> TcpProxy:
        import socket
        import threading

        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener) -> None:
        import threading

        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            self.accepted += 1
            threading.Thread(target=self._forward, args=(client,), daemon=True).start()

    def _forward(self, client) -> None:
        import socket
        import threading

        with self._lock:
            self._connections.append(client)
        self._flowing.wait()  # frozen: accepted, and left waiting
        try:
            upstream = socket.create_connection(self.target, timeout=5)
            upstream.settimeout(None)
        except OSError:
            client.close()
            return
        with self._lock:
            self._connections.append(upstream)
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source, sink) -> None:
        import socket

        try:
            while data := source.recv(65536):
                self._flowing.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        import socket

        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            connections, self._connections = self._connections, []
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        self.start()

    def freeze(self) -> None:
        self._flowing.clear()

    def thaw(self) -> None:
        self._flowing.set()

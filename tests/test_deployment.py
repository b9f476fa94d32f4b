"""docker-compose.yml cannot run here (no Docker engine), so its commands are run
directly: the production settings, gunicorn, the worker and beat, and the health
checks the compose file declares."""

import os
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet
from django.core.management import get_commands

from tests.workers import (
    ROOT,
    ManagedProcess,
    database_url_for_workers,
    redis_reachable,
    redis_url,
    require,
)

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ("migrate", "web", "worker", "beat")


def production_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "OTP_SEED_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "api.example.org",
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'deploy-check.sqlite3'}"
        ),
        "REDIS_URL": redis_url(),
    }
    env.update(extra)
    return env


def command_of(service: str) -> list[str]:
    command = COMPOSE["services"][service]["command"]
    if command[:2] == ["sh", "-c"]:
        return shlex.split(command[2])
    return list(command)


def test_every_service_has_a_healthcheck_and_the_app_env_it_needs():
    for name, service in COMPOSE["services"].items():
        assert "healthcheck" in service, name
    for name in APP_SERVICES:
        env = COMPOSE["services"][name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "backend.settings.production"
        assert {"SECRET_KEY", "OTP_SEED_KEYS", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"} <= set(
            env
        )


def test_the_management_commands_it_runs_exist():
    words = command_of("migrate")
    used = {words[i + 1] for i, word in enumerate(words) if word == "manage.py"}
    assert used == {"migrate", "bootstrap"}
    assert used <= set(get_commands())


def test_production_settings_pass_the_deploy_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("fallback", "passes"), [("strong", True), ("weak", False)])
def test_the_deploy_check_reads_the_fallback_keys_from_the_environment(fallback, passes):
    """After a key rotation the old key is a fallback (secret-key-rotation.md); Django's
    deploy check judges it as it judges SECRET_KEY, so a weak one is caught."""
    key = secrets.token_urlsafe(50) if fallback == "strong" else "too-short"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(SECRET_KEY_FALLBACKS=f"{secrets.token_urlsafe(50)},{key}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode == 0) is passes, result.stdout + result.stderr
    assert passes or "security.W025" in result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_local(argv: list[str]) -> list[str]:
    """The compose command with this virtualenv's executables."""
    bin_dir = Path(sys.executable).parent
    head = str(bin_dir / argv[0]) if (bin_dir / argv[0]).exists() else argv[0]
    return [head, *argv[1:]]


@pytest.mark.integration
def test_the_web_worker_and_beat_commands_run_and_pass_their_healthchecks(
    transactional_db, tmp_path
):
    require(redis_reachable(), "Redis")
    env = production_env(DATABASE_URL=database_url_for_workers(), SECURE_SSL_REDIRECT="false")
    port = free_port()

    web_argv = [f"127.0.0.1:{port}" if arg == "0.0.0.0:8000" else arg for arg in command_of("web")]
    worker_argv = [*command_of("worker"), "--hostname", f"compose-check-{port}@%h"]
    schedule = tmp_path / "celerybeat-schedule"
    beat_argv = [
        str(schedule) if arg.endswith("celerybeat-schedule") else arg for arg in command_of("beat")
    ]

    web = ManagedProcess(as_local(web_argv), env, tmp_path / "web.log")
    worker = ManagedProcess(as_local(worker_argv), env, tmp_path / "worker.log")
    beat = ManagedProcess(as_local(beat_argv), env, tmp_path / "beat.log")
    try:
        web.start("Booting worker")
        worker.start("ready.")
        beat.start("beat: Starting...")

        # web: the compose healthcheck, pointed at this port.
        probe = COMPOSE["services"]["web"]["healthcheck"]["test"][-1].replace("8000", str(port))
        deadline = time.monotonic() + 30
        while True:
            result = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=30)
            if result.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert result.returncode == 0, result.stderr.decode() + web.log
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            assert response.status == 200

        # worker: the compose healthcheck (a remote-control ping through Redis).
        ping = subprocess.run(
            as_local(
                [
                    "celery",
                    "-A",
                    "backend",
                    "inspect",
                    "ping",
                    "--destination",
                    f"compose-check-{port}@{socket.gethostname()}",
                    "--timeout",
                    "10",
                ]
            ),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert ping.returncode == 0, ping.stdout + ping.stderr
        assert "pong" in ping.stdout

        # beat: it keeps its schedule file.
        deadline = time.monotonic() + 20
        while not list(tmp_path.glob("celerybeat-schedule*")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert list(tmp_path.glob("celerybeat-schedule*"))
    finally:
        for process in (beat, worker, web):
            process.stop()


def test_gunicorn_freezes_the_loaded_application_before_forking_a_worker():
    """docs/decisions/gc-freeze.md: objects alive in the master at fork time are moved out
    of the collector's sight (gunicorn runs pre_fork in the master, once per worker)."""
    script = (
        "import gc, runpy\n"
        "hooks = runpy.run_path('gunicorn.conf.py')\n"
        "before = gc.get_freeze_count()\n"
        "hooks['pre_fork'](None, None)\n"
        "print(before, gc.get_freeze_count())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    before, after = map(int, result.stdout.split())
    assert before == 0
    assert after > 10_000  # gunicorn and what the config imports, at least


@pytest.mark.parametrize("signal", ["worker_process_init", "worker_ready"])
def test_a_celery_worker_freezes_its_started_heap_where_it_runs_tasks(signal):
    """docs/decisions/gc-freeze.md: a prefork child (worker_process_init) and the worker's
    own process (worker_ready: the solo and threads pools) move what is alive once
    started out of the collector's sight, so a sweep's full collections walk only what
    the sweep made."""
    script = (
        "import gc, django\n"
        "django.setup()\n"
        "import backend.celery\n"
        "from celery import signals\n"
        "before = gc.get_freeze_count()\n"
        f"getattr(signals, {signal!r}).send(sender=None)\n"
        "print(before, gc.get_freeze_count())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "backend.settings.test"},
    )
    before, after = map(int, result.stdout.split())
    assert before == 0
    assert after > 50_000  # Django, the apps and their task modules

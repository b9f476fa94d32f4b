"""Time limits on every PostgreSQL connection, chosen by the kind of process
(backend/postgres; docs/decisions/database-timeouts.md). The live check, gunicorn on a
frozen database, is in tests/integration/test_faults_live.py."""

import json
import subprocess
import sys
import threading
from dataclasses import replace

import pytest
from django.db import OperationalError, connection

from backend.postgres.base import DatabaseWrapper
from backend.postgres.timeouts import DEFAULTS, libpq_options, process_role, timeouts_for
from tests.workers import ROOT, TcpProxy


@pytest.mark.parametrize(
    ("argv", "role"),
    [
        pytest.param(["/venv/bin/gunicorn", "backend.wsgi:application"], "web", id="gunicorn"),
        pytest.param(
            ["/venv/lib/gunicorn/__main__.py", "backend.wsgi"], "web", id="python_m_gunicorn"
        ),
        pytest.param(["manage.py", "runserver", "0:8000"], "web", id="runserver"),
        pytest.param(["/venv/bin/celery", "-A", "backend", "worker"], "worker", id="celery_worker"),
        pytest.param(
            ["/venv/lib/celery/__main__.py", "-A", "backend", "worker"],
            "worker",
            id="python_m_celery",
        ),
        pytest.param(
            ["/venv/bin/celery", "-A", "backend", "beat", "--schedule", "s"],
            "beat",
            id="celery_beat",
        ),
        pytest.param(
            ["/venv/bin/celery", "-A", "backend", "inspect", "ping"], "command", id="celery_inspect"
        ),
        pytest.param(["manage.py", "migrate"], "command", id="migrate"),
        pytest.param(["/venv/bin/pytest"], "command", id="pytest"),
        pytest.param([], "command", id="embedded"),
    ],
)
def test_the_role_is_read_from_the_command_line(argv, role):
    assert process_role(argv, environ={}) == role


def test_process_role_in_the_environment_wins_and_must_be_known():
    assert process_role(["manage.py", "migrate"], environ={"PROCESS_ROLE": "worker"}) == "worker"
    with pytest.raises(ValueError, match="PROCESS_ROLE"):
        process_role(["gunicorn"], environ={"PROCESS_ROLE": "webb"})


def test_the_web_gives_up_in_seconds_and_background_work_waits_longer():
    web, worker, beat, command = (DEFAULTS[role] for role in ("web", "worker", "beat", "command"))
    # A kept connection that hangs: the health check, then a failed connect, within 5 s.
    assert web.health_check_seconds + web.connect_seconds <= 5
    assert web.wait_seconds is not None
    assert web.wait_seconds <= 5
    # The server ends a slow statement before the client gives up on it.
    assert 0 < web.statement_seconds < web.wait_seconds
    for longer in (worker, beat):
        assert longer.statement_seconds > web.statement_seconds
        assert longer.wait_seconds > longer.statement_seconds
        # Inside the tasks' soft time limit (4 minutes), so a task can record the failure.
        assert longer.wait_seconds < 240
    assert command.statement_seconds == 0  # migrations take as long as they take
    assert command.wait_seconds is None


def test_environment_variables_override_the_roles_defaults():
    chosen = timeouts_for(
        "web",
        environ={
            "DATABASE_STATEMENT_TIMEOUT": "1.5",
            "DATABASE_WAIT_TIMEOUT": "2",
            "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT": "4",
            "DATABASE_CONNECT_TIMEOUT": "1",
        },
    )
    assert (chosen.statement_seconds, chosen.wait_seconds) == (1.5, 2.0)
    assert chosen.idle_in_transaction_seconds == 4.0
    assert chosen.connect_seconds == 2  # libpq's minimum


def test_options_carry_every_limit_to_libpq_and_the_server():
    options = libpq_options(DEFAULTS["web"], server_settings=["plan_cache_mode=force_custom_plan"])

    assert options["options"].split(" -c ") == [
        "-c plan_cache_mode=force_custom_plan",
        "statement_timeout=3000",
        "idle_in_transaction_session_timeout=10000",
    ]
    assert options["keepalives"] == 1
    assert options["tcp_user_timeout"] == 5000
    assert options["connect_timeout"] == 2
    assert options["wait_timeout"] == 4


def settings_of(role: str) -> dict:
    script = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'],"
        "'options': s.DATABASES['default']['OPTIONS'],"
        "'max_age': s.DATABASES['default']['CONN_MAX_AGE']}))"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "backend.settings.production",
        "SECRET_KEY": "x" * 50,
        "OTP_SEED_KEYS": "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg=",  # any Fernet key (32 bytes, base64)
        "ALLOWED_HOSTS": "api.example.org",
        "DATABASE_URL": "postgres://rehab@db:5432/rehab",
        "REDIS_URL": "redis://redis:6379/0",
        "PROCESS_ROLE": role,
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_choose_the_limits_by_process():
    web, worker = settings_of("web"), settings_of("worker")

    assert web["engine"] == worker["engine"] == "backend.postgres"
    assert web["max_age"] == 60
    assert "statement_timeout=3000" in web["options"]["options"]
    assert web["options"]["wait_timeout"] == 4
    assert "statement_timeout=60000" in worker["options"]["options"]
    assert worker["options"]["wait_timeout"] == 90


# --- On PostgreSQL ----------------------------------------------------------------------------


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture
def web_connection(postgresql, settings):
    """A connection of this test's database with the web's limits, through a proxy that
    can freeze, made the way the settings make every connection."""
    proxy = TcpProxy(
        connection.settings_dict["HOST"] or "127.0.0.1",
        int(connection.settings_dict["PORT"] or 5432),
    ).start()
    # The web's limits, shortened so the test does not wait for them.
    options = libpq_options(
        replace(DEFAULTS["web"], statement_seconds=0.5, wait_seconds=1.0, health_check_seconds=0.5)
    )
    # Not registered in django.db.connections: a connection of the test's own, which the
    # test case's guard on unlisted aliases lets through.
    wrapper = DatabaseWrapper(
        {
            **connection.settings_dict,
            "HOST": "127.0.0.1",
            "PORT": str(proxy.port),
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        },
        alias="frozen_test",
    )
    wrapper.inc_thread_sharing()  # the tests wait on it from a thread they can abandon
    yield wrapper, proxy
    proxy.thaw()
    proxy.cut()
    wrapper.close()


def in_thread(work, timeout: float = 20):
    """Run `work` in a thread; (finished, result or exception). A wait with no limit
    would hang the test, so the test waits for at most `timeout`."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = work()
        except Exception as exc:
            outcome["value"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    return not thread.is_alive(), outcome.get("value")


@pytest.mark.django_db
def test_every_connection_carries_the_server_side_limits(web_connection):
    wrapper, _ = web_connection
    with wrapper.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        statement = cursor.fetchone()[0]
        cursor.execute("SHOW idle_in_transaction_session_timeout")
        idle = cursor.fetchone()[0]
    parameters = wrapper.connection.info.get_parameters()

    assert (statement, idle) == ("500ms", "10s")
    assert parameters["keepalives"] == "1"
    assert parameters["tcp_user_timeout"] == "5000"


@pytest.mark.django_db
def test_a_statement_longer_than_the_limit_is_ended_by_the_server(web_connection):
    wrapper, _ = web_connection

    def sleep_too_long():
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(10)")

    finished, error = in_thread(sleep_too_long)

    assert finished
    assert isinstance(error, OperationalError)
    assert "statement timeout" in str(error)
    with wrapper.cursor() as cursor:  # the connection is still good
        cursor.execute("SELECT 1")


@pytest.mark.django_db
def test_a_frozen_server_ends_the_wait_and_the_connection(web_connection):
    wrapper, proxy = web_connection
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT 1")
    proxy.freeze()

    def query():
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")

    finished, error = in_thread(query)

    assert finished, "the query waited on a frozen server with no limit"
    assert isinstance(error, OperationalError)
    assert "did not answer" in str(error)
    assert wrapper.connection.closed


@pytest.mark.django_db
def test_the_health_check_of_a_kept_connection_gives_up_on_a_frozen_server(web_connection):
    wrapper, proxy = web_connection
    wrapper.ensure_connection()
    proxy.freeze()

    finished, usable = in_thread(wrapper.is_usable)

    assert finished
    assert usable is False
    assert wrapper.connection.wait_timeout == 1.0  # its own limit was only for the check

#!/usr/bin/env python
"""Schema fuzzing against a live stack, as CI runs it (.ci/run).

Starts gunicorn (gunicorn.conf.py, the production settings), a Celery worker and beat on
the given PostgreSQL database and Redis, seeds one of every kind of record for a patient
and their linked physiotherapist (tests/seed.py, the state the seeded-state sweep reads),
then runs schemathesis against the served schema with each one's token, path parameters
filled with the seeded ids: first its examples, coverage and fuzzing phases, then its
stateful phase (chains of calls over ids the answers give). Seed fixed, time bounded,
failing on any 5xx and on any response that breaks the schema. Prints the number of
requests and schemathesis's summary.

    .venv/bin/python scripts/fuzz_api.py --database-url postgres://.../rehab_fuzz \
        --redis-url redis://127.0.0.1:6379/14 [--seconds-per-role 120] [--seed 2026]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
# Operations that would undo the setup of the run: the patient's own erasure ends the
# patient's run at its first call, and the physio ending the care link would turn every
# patient endpoint into a 403. The physio goes first; the patient's run, after it, may
# end the link.
# Operations that would end the fuzzing session's own token (signing out everywhere, a
# password change) or the account it acts as: the rest of the run would only see 401s.
_ENDS_THE_SESSION = ["auth_sign_out_all_create", "auth_password_create"]
EXCLUDED_OPERATIONS = {
    "physio": ["care_team_destroy", *_ENDS_THE_SESSION],
    "patient": ["me_destroy", *_ENDS_THE_SESSION],
}
PASSWORD = "Fuzz-the-knee-2026"  # noqa: S105 - a throwaway account in a throwaway database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Api:
    def __init__(self, base: str) -> None:
        self.base = base

    def call(self, method: str, path: str, body=None, token: str | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)  # noqa: S310
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def must(self, method: str, path: str, body=None, token: str | None = None, ok=(200, 201)):
        status, payload = self.call(method, path, body, token)
        if status not in ok:
            raise SystemExit(f"seeding failed: {method} {path} -> {status} {payload}")
        return payload


def start(argv: list[str], env: dict, log: Path) -> subprocess.Popen:
    handle = log.open("ab")
    return subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wait_ready(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=3) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("the live server never became ready")


def seed(api: Api, env: dict) -> dict:
    """The seeded state of tests/seed.py (one of every kind of record for a patient and
    their linked physio, made through the services), in the live server's database; then
    each one's token from the API, as the apps sign in."""
    result = subprocess.run(
        [
            str(BIN / "python"),
            "manage.py",
            "shell",
            "-c",
            f"from tests.seed import print_seeded; print_seeded({PASSWORD!r})",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    seeded = json.loads(result.stdout.strip().splitlines()[-1])
    seeded["tokens"] = {
        role: api.must(
            "POST",
            "/api/v1/auth/token/",
            {"email": seeded[role]["email"], "password": PASSWORD},
        )["access"]
        for role in ("patient", "physio")
    }
    return seeded


def path_parameters(seeded: dict) -> dict[str, str]:
    """One seeded value per path parameter (the first: the current plan, episode, ...), so
    that the operations behind them are reached, not only their 404s. `{slug}` names
    different kinds of content on different paths: it is left to generation."""
    return {name: values[0] for name, values in seeded["path_values"].items() if values}


def fuzz(
    base: str,
    role: str,
    token: str,
    seconds: int,
    seed_value: int,
    reports: Path,
    path_values: dict[str, str],
    phases: str,
) -> int:
    label = f"{role}-{phases.replace(',', '-')}"
    report = reports / f"{label}.ndjson"
    # Path parameters the caller can really use (the physio's linked patient), so that the
    # operations behind them are reached, not only their 404s.
    config = reports / f"{label}.toml"
    config.write_text(
        "[parameters]\n" + "".join(f'"path.{k}" = "{v}"\n' for k, v in path_values.items())
    )
    argv = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        f"{base}/api/schema/?format=json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--seed",
        str(seed_value),
        "--phases",
        phases,
        "--max-time",
        str(seconds),
        # One worker: with two threads, CPython 3.11's ast module (hypothesis describes
        # its strategies with it) fails now and then with "AST constructor recursion depth
        # mismatch", an error of the tool, not of the API.
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--output-truncate",
        "true",
        "--no-color",
    ]
    for operation in EXCLUDED_OPERATIONS[role]:
        argv += ["--exclude-operation-id", operation]
    print(
        f"\n--- schemathesis as the {role}: {phases} ({seconds} s, seed {seed_value}) ---",
        flush=True,
    )
    result = subprocess.run(argv, cwd=ROOT, env={**os.environ, "NO_COLOR": "1"}, check=False)
    print(f"requests sent as the {role} ({phases}): {count_requests(report)}", flush=True)
    return result.returncode


def count_requests(report: Path) -> int:
    """Interactions recorded in schemathesis's ndjson event stream."""
    if not report.exists():
        return 0
    count = 0
    for line in report.read_text().splitlines():
        if '"recorder"' not in line and '"interactions"' not in line:
            continue
        count += line.count('"request":')
    return count


def main() -> int:
    # `timeout` (CI) and Ctrl-C stop the run through the `finally` below, which stops the
    # server, worker and beat this script started instead of leaving them running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--seconds-per-role", type=int, default=120)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--logs", type=Path, default=ROOT / "var" / "fuzz")
    args = parser.parse_args()

    args.logs.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "OTP_SEED_KEYS": "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg=",  # any Fernet key (32 bytes, base64)
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SECURE_SSL_REDIRECT": "false",
        "JWT_ACCESS_MINUTES": "60",  # outlives the run
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run(
        [str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    subprocess.run([str(BIN / "python"), "manage.py", "bootstrap"], cwd=ROOT, env=env, check=True)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes = [
        start(
            [
                str(BIN / "gunicorn"),
                "backend.wsgi:application",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            env,
            args.logs / "web.log",
        ),
        start(
            [
                str(BIN / "celery"),
                "-A",
                "backend",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--hostname",
                f"fuzz-{port}@%h",
                "--without-mingle",
                "--without-gossip",
            ],
            env,
            args.logs / "worker.log",
        ),
        start(
            [
                str(BIN / "celery"),
                "-A",
                "backend",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(args.logs / "celerybeat-schedule"),
            ],
            env,
            args.logs / "beat.log",
        ),
    ]
    failed = []
    try:
        wait_ready(base)
        seeded = seed(Api(base), env)
        parameters = path_parameters(seeded)
        # Most of each role's time on examples, coverage and fuzzing of single requests;
        # the rest on the stateful phase: chains of calls, each using ids the previous
        # answers gave (links schemathesis infers from the schema's responses and paths).
        stateful = max(args.seconds_per_role // 3, 10)
        for role in ("physio", "patient"):
            for phases, seconds in (
                ("examples,coverage,fuzzing", args.seconds_per_role - stateful),
                ("stateful", stateful),
            ):
                code = fuzz(
                    base,
                    role,
                    seeded["tokens"][role],
                    seconds,
                    args.seed,
                    args.logs,
                    parameters,
                    phases,
                )
                if code != 0:
                    failed.append(f"{role} ({phases})")
    finally:
        for process in reversed(processes):
            stop(process)
    # The status follows the quoted request line: `"POST /path HTTP/1.1" 503 123 ...`
    # (a body of 500 bytes must not count).
    access_log = (args.logs / "web.log").read_text(errors="replace")
    server_errors = len(re.findall(r'HTTP/[0-9.]+" 5[0-9][0-9] ', access_log))
    print(f"\n5xx answers in the access log: {server_errors}")
    if server_errors and not failed:
        failed.append("the access log's 5xx answers")
    if failed:
        print(f"schema fuzzing FAILED for: {', '.join(failed)} (logs in {args.logs})")
        return 1
    print("schema fuzzing passed for the patient and the physiotherapist")
    return 0


if __name__ == "__main__":
    sys.exit(main())

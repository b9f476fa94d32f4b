"""The service against the framework's floor: each hot path as a ratio to a bare view doing
the essential work of the same request, measured in the same run, A and B alternating.

    .venv/bin/python bench/floor.py [--quick] [--database-url URL] [--redis-url URL]

What runs (bench/README.md, "floor.py"):

1. A PostgreSQL database (--db-name, default rehab_perf_floor) is made on the server of
   --database-url, migrated, bootstrapped, and filled with SQL (generate_series): patients
   with 30 days of symptom logs, an active plan each, 14 days of exercise logs, a device
   each; one physiotherapist linked to 50 patients, another to 500. Then ANALYZE, as
   autovacuum would after such writes.
2. gunicorn serves backend.settings.production (via bench/floor_settings.py, which only adds
   the bare views' URLs) with two workers; wrk (or, without it, a Python load generator)
   drives `POST symptom-logs/` and `GET today/` with concurrent connections, the service
   (A) and its bare baseline (B) alternating, several rounds; `POST symptom-logs/bulk/` with
   500 logs is timed request by request, A and B alternating.
3. The sweeps run in this process at full scale: the service's worsening and missed-exercise
   sweeps against one raw SQL query that finds the same patients (checked equal).
4. Dispatch: the due backlog is sent once by the raw baseline (two processes: UPDATE …
   RETURNING + INSERT … SELECT + pipelined LPUSH) and once by the service (two Celery
   workers; one beat tick fans out batch tasks); time until no reminder is left unsent.
5. The dashboard (`GET patients/`) of the 50- and the 500-patient physiotherapist.

It prints the table and writes it to bench/results/floor-<date>.md (--no-write to skip).
Nothing here is a test; the database is dropped at the end (--keep to keep it).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
VENV_BIN = ROOT / ".venv" / "bin"
SECRET = "bench-floor-not-a-secret-" + "x" * 40
HTTPS = {"X-Forwarded-Proto": "https"}  # production redirects plain HTTP


@dataclass(frozen=True)
class Size:
    mode: str
    patients: int  # sweeps' population
    days: int
    reminders: int
    duration: int  # seconds per wrk run
    rounds: int  # A/B pairs per HTTP path
    bulk_runs: int
    connections: int


SIZES = {
    "full": Size("full", 10_000, 30, 100_000, 10, 3, 8, 8),
    "quick": Size("quick", 1_000, 30, 10_000, 3, 1, 3, 8),
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 patients, short runs")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server (and a database on it to connect to in order to make ours)",
    )
    parser.add_argument("--db-name", default="rehab_perf_floor")
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/10",
        help="a Redis database nothing else uses",
    )
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results/")
    parser.add_argument(
        "--skip", default="", help="comma list of: http,bulk,sweeps,dispatch,dashboard"
    )
    return parser.parse_args(argv)


def progress(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


# --- Environment -----------------------------------------------------------------------------


def db_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def configure(args: argparse.Namespace) -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.floor_settings",
        "SECRET_KEY": SECRET,
        "OTP_SEED_KEYS": "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg=",  # any Fernet key (32 bytes, base64)
        "DATABASE_URL": db_url(args.database_url, args.db_name),
        "REDIS_URL": args.redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "JWT_ACCESS_MINUTES": "600",  # tokens outlive the run
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_MAX_REQUESTS": "0",  # no worker recycling mid-measurement
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return env


def pg_admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


@contextmanager
def bench_database(args: argparse.Namespace):
    pg_admin(args.database_url, f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')
    pg_admin(args.database_url, f'CREATE DATABASE "{args.db_name}"')
    try:
        yield
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            pg_admin(args.database_url, f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')


def setup_django() -> None:
    import io

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("bootstrap", stdout=io.StringIO())


# --- Dataset, written with SQL ---------------------------------------------------------------


def sql(statement: str, params=None) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or {})
        return cursor.fetchall() if cursor.description else []


def plans_and_items(now: datetime, exercises: list) -> None:
    """An active plan of two daily exercises per patient, started 20 days ago, made with
    bulk_create so that the models' defaults apply (columns added later need no change
    here); where plans belong to an episode of care (the episodes app), one active
    episode per patient first. Then backdated with SQL (auto_now_add sets "now")."""
    from django.apps import apps as django_apps

    from apps.accounts.models import User
    from apps.plans.models import ExercisePlan, PlanItem

    physio = User.objects.get(email="physio500@bench.example")
    patient_ids = [row[0] for row in sql("SELECT id FROM bench_patient ORDER BY n")]
    start, end = (now - timedelta(days=20)).date(), (now + timedelta(days=40)).date()
    episodes = {}
    if any(field.name == "episode" for field in ExercisePlan._meta.get_fields()):
        episode = django_apps.get_model("episodes", "Episode")
        clinic = {}
        if any(field.name == "clinic" for field in episode._meta.get_fields()):
            # Episodes belong to a clinic the physio works in (apps.clinics).
            clinic_model = django_apps.get_model("clinics", "Clinic")
            clinic["clinic"] = clinic_model.objects.create(name="Bench clinic", slug="floor-bench")
            django_apps.get_model("clinics", "StaffMembership").objects.create(
                clinic=clinic["clinic"], user=physio
            )
        made = episode.objects.bulk_create(
            [
                episode(patient_id=pk, physio=physio, title="Episode", started_on=start, **clinic)
                for pk in patient_ids
            ],
            batch_size=2000,
        )
        episodes = {row.patient_id: row.pk for row in made}
    plans = ExercisePlan.objects.bulk_create(
        [
            ExercisePlan(
                patient_id=pk,
                physio=physio,
                title="Knee plan",
                start_date=start,
                end_date=end,
                reminder_times=[],
                **({"episode_id": episodes[pk]} if episodes else {}),
            )
            for pk in patient_ids
        ],
        batch_size=2000,
    )
    PlanItem.objects.bulk_create(
        [
            PlanItem(
                plan=plan,
                exercise_id=exercise,
                position=position,
                sets=3,
                reps=10,
                times_per_day=1,
                days_of_week=[0, 1, 2, 3, 4, 5, 6],
                sessions_per_week=7,
                max_pain=4,
            )
            for plan in plans
            for position, exercise in enumerate(exercises)
        ],
        batch_size=2000,
    )
    backdated = {"at": now - timedelta(days=20)}
    sql("UPDATE plans_exerciseplan SET created_at = %(at)s, updated_at = %(at)s", backdated)
    sql("UPDATE plans_planitem SET created_at = %(at)s", backdated)


def build_dataset(size: Size) -> dict:
    """Patients p1..pN: 30 days of one log a day (5% with pain rising over the last three
    days), an active plan of two daily exercises started 20 days ago, exercise logs for
    14 days (10% doing under half), one device each. physio50 and physio500."""
    from django.contrib.auth.hashers import make_password

    from apps.content.models import Exercise

    now = datetime.now(UTC)
    password = make_password("bench-password-123")
    params = {"n": size.patients, "now": now, "days": size.days, "pw": password}
    sql(
        """INSERT INTO accounts_user (id, password, email, role, timezone, affected_side,
               is_active, is_staff, is_superuser, date_joined)
           SELECT gen_random_uuid(), %(pw)s, 'p' || g || '@bench.example', 'patient',
               'Europe/London', '', true, false, false, %(now)s
           FROM generate_series(1, %(n)s) g""",
        params,
    )
    sql(
        """INSERT INTO accounts_user (id, password, email, role, timezone, affected_side,
               is_active, is_staff, is_superuser, date_joined)
           VALUES (gen_random_uuid(), %(pw)s, 'physio50@bench.example', 'physio', 'UTC', '',
                   true, false, false, %(now)s),
                  (gen_random_uuid(), %(pw)s, 'physio500@bench.example', 'physio', 'UTC', '',
                   true, false, false, %(now)s)""",
        params,
    )
    sql(
        """CREATE TEMP TABLE bench_patient AS
           SELECT id, substring(email from 2 for position('@' in email) - 2)::int AS n
           FROM accounts_user WHERE role = 'patient'"""
    )
    for physio, count in (("physio50", 50), ("physio500", 500)):
        sql(
            """INSERT INTO accounts_careteamlink (id, physio_id, patient_id, created_at)
               SELECT gen_random_uuid(), u.id, p.id, %(now)s
               FROM bench_patient p, accounts_user u
               WHERE u.email = %(email)s AND p.n <= %(count)s""",
            {**params, "email": f"{physio}@bench.example", "count": count},
        )
    # Symptom logs: pain 2-4; every 20th patient rises to 6-8 in the last 3 days.
    sql(
        """INSERT INTO symptoms_symptomlog (id, patient_id, client_id, recorded_at, pain_score,
               side, locations, qualities, swelling, redness, warmth, tenderness, fever,
               numbness_tingling, weakness, neuro_worsening, can_bear_weight, sleep_disturbed,
               daily_activities_limited, knee_locking, recent_knee_injury, sudden_onset,
               saddle_numbness, bladder_bowel_change, triggers, note, triage_level,
               triage_codes, hints, created_at)
           SELECT gen_random_uuid(), p.id, gen_random_uuid(),
               %(now)s - make_interval(days => d, hours => 2),
               CASE WHEN p.n %% 20 = 0 AND d < 3 THEN 6 + (p.n + d) %% 3 ELSE 2 + (p.n + d) %% 3 END,
               '', '["front_of_knee"]'::jsonb, '[]'::jsonb, 'none', false, false, false, false,
               false, false, false, true, false, false, false, false, false, false, false,
               '[]'::jsonb, '', 'self_care', '[]'::jsonb, '[]'::jsonb, %(now)s
           FROM bench_patient p, generate_series(0, %(days)s - 1) d""",
        params,
    )
    exercises = list(Exercise.objects.order_by("slug").values_list("id", flat=True)[:2])
    plans_and_items(now, exercises)
    # Exercise logs: each item daily for 14 days; every 10th patient only every third day.
    sql(
        """INSERT INTO plans_exerciselog (id, patient_id, plan_item_id, client_id, performed_at,
               sets_done, pain_during, note, pain_above_limit, created_at)
           SELECT gen_random_uuid(), e.patient_id, i.id, gen_random_uuid(),
               %(now)s - make_interval(days => d, hours => 3), 3, 2, '', false, %(now)s
           FROM plans_planitem i JOIN plans_exerciseplan e ON e.id = i.plan_id
           JOIN bench_patient p ON p.id = e.patient_id, generate_series(0, 13) d
           WHERE p.n %% 10 <> 0 OR d %% 3 = 0""",
        params,
    )
    sql(
        """INSERT INTO notifications_device (id, user_id, platform, token, token_hash, active,
               created_at, last_seen_at, disabled_reason)
           SELECT gen_random_uuid(), p.id, 'android', 'bench-token-' || p.n,
               md5('bench-token-' || p.n), true, %(now)s, %(now)s, ''
           FROM bench_patient p""",
        params,
    )
    sql("ANALYZE")
    from apps.accounts.models import User

    def by_email(email: str):
        return User.objects.get(email=email)

    return {
        "patients": [by_email(f"p{n}@bench.example") for n in range(1, 51)],
        "bulk_a": by_email("p51@bench.example"),
        "bulk_b": by_email("p52@bench.example"),
        "physio50": by_email("physio50@bench.example"),
        "physio500": by_email("physio500@bench.example"),
    }


def token_for(user) -> str:
    from rest_framework_simplejwt.tokens import AccessToken

    return str(AccessToken.for_user(user))


# --- The server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(port: int, workdir: Path):
    log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "backend.wsgi",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ},
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                status, _ = request(port, "GET", "/healthz", None, {})
                if status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise SystemExit(f"gunicorn did not start; see {workdir / 'gunicorn.log'}")
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def request(port: int, method: str, path: str, body, headers: dict) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    payload = json.dumps(body).encode() if body is not None else None
    all_headers = {**HTTPS, **headers}
    if payload is not None:
        all_headers["Content-Type"] = "application/json"
    conn.request(method, path, body=payload, headers=all_headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


# --- Load: wrk with a Lua script, or a Python load generator ----------------------------------

LUA = r"""
local tokens = {%(tokens)s}
local path, method, kind = "%(path)s", "%(method)s", "%(kind)s"
local recorded_at = "%(recorded_at)s"
local counter, n, prefix = 0, 0, ""
tid = 0  -- a global: thread:set() sets globals of each thread's own state
function setup(thread) counter = counter + 1; thread:set("tid", counter) end
function init(args) prefix = "%(run)s" end
request = function()
  n = n + 1
  local headers = {["Authorization"] = "Bearer " .. tokens[(n %% #tokens) + 1],
                   ["X-Forwarded-Proto"] = "https", ["Content-Type"] = "application/json"}
  if kind == "log" then
    local id = string.format("%%s-4%%03x-a%%03x-%%02x%%010x", prefix, tid, 0, tid, n)
    local body = '{"client_id":"' .. id .. '","recorded_at":"' .. recorded_at ..
      '","pain_score":3,"locations":["front_of_knee"],"qualities":["aching"]}'
    return wrk.format(method, path, headers, body)
  end
  return wrk.format(method, path, headers, nil)
end
"""


def wrk_run(
    port: int, path: str, kind: str, tokens: list[str], seconds: int, conns: int, work: Path
):
    script = work / f"{kind}-{uuid.uuid4().hex[:6]}.lua"
    recorded_at = (datetime.now(UTC) - timedelta(minutes=30)).isoformat()
    script.write_text(
        LUA
        % {
            "tokens": ", ".join(f'"{t}"' for t in tokens),
            "path": path,
            "method": "POST" if kind == "log" else "GET",
            "kind": kind,
            "recorded_at": recorded_at,
            # Unique per run (and with the thread and a counter, per request): client_ids
            # never repeat, so every POST is a new log.
            "run": f"{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:4]}",
        }
    )
    out = subprocess.run(
        [
            shutil.which("wrk") or "/usr/bin/wrk",
            "-t2",
            f"-c{conns}",
            f"-d{seconds}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return rps, int(bad.group(1)) if bad else 0, errors.group(0) if errors else ""


def python_run(port: int, path: str, kind: str, tokens: list[str], seconds: int, conns: int, work):
    """A load generator for machines without wrk: `conns` threads with keep-alive."""
    import threading

    done, bad = [0], [0]
    stop = time.time() + seconds
    lock = threading.Lock()

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        n = 0
        while time.time() < stop:
            n += 1
            headers = {**HTTPS, "Authorization": f"Bearer {tokens[(index + n) % len(tokens)]}"}
            body = None
            if kind == "log":
                headers["Content-Type"] = "application/json"
                body = json.dumps(
                    {
                        "client_id": str(uuid.uuid4()),
                        "recorded_at": (datetime.now(UTC) - timedelta(minutes=30)).isoformat(),
                        "pain_score": 3,
                        "locations": ["front_of_knee"],
                        "qualities": ["aching"],
                    }
                )
            conn.request("POST" if kind == "log" else "GET", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            with lock:
                done[0] += 1
                bad[0] += response.status >= 300
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(conns)]
    started = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / (time.time() - started), bad[0], ""


def count_queries(method: str, path: str, token: str, body=None) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method.lower())(
            path,
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    assert response.status_code in (200, 201), (path, response.status_code, response.content[:300])
    if os.environ.get("FLOOR_SHOW_QUERIES"):
        for query in captured:
            progress(f"{path}: {query['sql'][:150]}")
    return len(captured)


def one_log() -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "recorded_at": (datetime.now(UTC) - timedelta(minutes=30)).isoformat(),
        "pain_score": 3,
        "locations": ["front_of_knee"],
        "qualities": ["aching"],
    }


def bulk_logs(count: int = 500) -> list[dict]:
    now = datetime.now(UTC)
    rng = random.Random()
    return [
        {
            **one_log(),
            "recorded_at": (now - timedelta(minutes=rng.randint(30, 5 * 24 * 60))).isoformat(),
            "pain_score": rng.randint(0, 6),
        }
        for _ in range(count)
    ]


# --- Scenarios -------------------------------------------------------------------------------

ROWS: list[dict] = []
NOTES: list[str] = []


def row(path, a, b, ratio, target, note="") -> None:
    ROWS.append({"path": path, "a": a, "b": b, "ratio": ratio, "target": target, "note": note})


def http_paths(port: int, data: dict, size: Size, work: Path) -> None:
    runner = wrk_run if shutil.which("wrk") or Path("/usr/bin/wrk").exists() else python_run
    tokens = [token_for(p) for p in data["patients"]]
    paths = [
        ("POST symptom-logs/", "log", "/api/v1/symptom-logs/", "/bench-bare/symptom-logs/", 0.70),
        ("GET today/", "today", "/api/v1/today/", "/bench-bare/today/", 0.80),
    ]
    for label, kind, a_path, b_path, target in paths:
        method = "POST" if kind == "log" else "GET"
        body = one_log if kind == "log" else (lambda: None)
        queries_a = count_queries(method, a_path, tokens[0], body())
        queries_b = count_queries(method, b_path, tokens[0], body())
        for path in (a_path, b_path):  # warm-up, discarded
            runner(port, path, kind, tokens, 2, size.connections, work)
        a_runs, b_runs, bad = [], [], 0
        for _ in range(size.rounds):
            for path, runs in ((a_path, a_runs), (b_path, b_runs)):
                rps, non_2xx, errors = runner(
                    port, path, kind, tokens, size.duration, size.connections, work
                )
                runs.append(rps)
                bad += non_2xx
                if errors:
                    NOTES.append(f"{label} {path}: {errors}")
        a, b = statistics.median(a_runs), statistics.median(b_runs)
        progress(f"{label}: A {a_runs} B {b_runs} req/s")
        row(
            f"`{label}`",
            f"{a:.1f} req/s, {queries_a} queries",
            f"{b:.1f} req/s, {queries_b} queries",
            f"**{a / b:.2f}**",
            f"≥ {target:.2f}",
            f"{bad} non-2xx" if bad else "",
        )


def refused_requests(work: Path) -> None:
    """What gunicorn's access log says about answers that were not 2xx, by path and status."""
    from collections import Counter

    found = Counter()
    for line in (work / "gunicorn.log").read_text(errors="replace").splitlines():
        match = re.search(r'"(?:GET|POST) (\S+) HTTP/1\.1" ([345]\d\d) ', line)
        if match:
            found[match.groups()] += 1
    for (path, status), count in found.most_common():
        NOTES.append(f"{count} answers {status} to {path}")
        progress(f"{count} answers {status} to {path}")
    if found:
        tail = (work / "gunicorn.log").read_text(errors="replace").splitlines()
        errors = [line for line in tail if "Error" in line or "Traceback" in line][:5]
        for line in errors:
            progress(line[:300])


def bulk_path(port: int, data: dict, size: Size) -> None:
    a_token, b_token = token_for(data["bulk_a"]), token_for(data["bulk_b"])
    queries_a = count_queries("POST", "/api/v1/symptom-logs/bulk/", a_token, bulk_logs())
    queries_b = count_queries("POST", "/bench-bare/symptom-logs/bulk/", b_token, bulk_logs())
    a_ms, b_ms = [], []
    for attempt in range(size.bulk_runs + 1):  # the first pair is a warm-up
        for path, token, samples in (
            ("/api/v1/symptom-logs/bulk/", a_token, a_ms),
            ("/bench-bare/symptom-logs/bulk/", b_token, b_ms),
        ):
            body = bulk_logs()
            started = time.perf_counter()
            status, answer = request(port, "POST", path, body, {"Authorization": f"Bearer {token}"})
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                raise SystemExit(f"{path}: {status} {answer[:300]!r}")
            if attempt:
                samples.append(elapsed)
    a, b = statistics.median(a_ms), statistics.median(b_ms)
    progress(f"bulk: A {[round(x) for x in a_ms]} B {[round(x) for x in b_ms]} ms")
    row(
        "`POST symptom-logs/bulk/` (500 logs)",
        f"{a:.0f} ms, {queries_a} queries",
        f"{b:.0f} ms (one `bulk_create`), {queries_b} queries",
        f"**{a / b:.2f}× slower**",
        "≤ 2×",
    )


WORSENING_SQL = """
SELECT patient_id FROM symptoms_symptomlog
WHERE recorded_at > %(baseline_from)s AND recorded_at <= %(now)s
GROUP BY patient_id
HAVING AVG(pain_score) FILTER (WHERE recorded_at > %(recent_from)s)
         >= AVG(pain_score) FILTER (WHERE recorded_at <= %(recent_from)s) + 2 - 1e-9
    OR (COUNT(*) FILTER (WHERE recorded_at <= %(recent_from)s) > 0 AND (
        (COUNT(*) FILTER (WHERE recorded_at > %(recent_from)s AND swelling <> 'none') > 0
         AND COUNT(*) FILTER (WHERE recorded_at <= %(recent_from)s AND swelling <> 'none') = 0)
     OR (COUNT(*) FILTER (WHERE recorded_at > %(recent_from)s AND (numbness_tingling OR weakness)) > 0
         AND COUNT(*) FILTER (WHERE recorded_at <= %(recent_from)s AND (numbness_tingling OR weakness)) = 0)
     OR (COUNT(*) FILTER (WHERE recorded_at > %(recent_from)s AND NOT can_bear_weight) > 0
         AND COUNT(*) FILTER (WHERE recorded_at <= %(recent_from)s AND NOT can_bear_weight) = 0)))
UNION
SELECT patient_id FROM plans_exerciselog
WHERE performed_at > %(exercise_from)s AND performed_at <= %(now)s AND pain_above_limit
GROUP BY patient_id HAVING COUNT(*) >= 2
"""

# The wave-2 rule (sessions a week, no days, caps or pauses): kept as a reference figure.
MISSED_WEEKLY_SQL = """
WITH expected AS (
    SELECT e.patient_id, SUM(i.sessions_per_week) AS total
    FROM plans_exerciseplan e JOIN plans_planitem i ON i.plan_id = e.id
    WHERE e.status = 'active' AND i.retired_at IS NULL GROUP BY e.patient_id
), done AS (
    SELECT l.patient_id, COUNT(*) AS n
    FROM plans_exerciselog l JOIN plans_planitem i ON i.id = l.plan_item_id
    JOIN plans_exerciseplan e ON e.id = i.plan_id
    WHERE l.performed_at >= %(week_ago)s AND e.status = 'active' GROUP BY l.patient_id
)
SELECT x.patient_id FROM expected x LEFT JOIN done d ON d.patient_id = x.patient_id
WHERE x.total > 0 AND LEAST(COALESCE(d.n, 0)::float / x.total, 1.0) < 0.5
  AND EXISTS (SELECT 1 FROM plans_exerciseplan j WHERE j.patient_id = x.patient_id
              AND j.status = 'active' AND j.start_date <= %(judged_before)s)
"""

# The rule the service applies (docs/domain.md, "Adherence"), by hand in one statement:
# each plan's seven local days (their bounds from Python, as any SQL writer would pass
# them), the items in force at each day's end on their weekdays, no paused day, sessions
# done per local day and exercise capped at what the day asks.
MISSED_SQL = """
WITH plan AS MATERIALIZED (
    SELECT p.id, p.patient_id, p.start_date, p.end_date, p.pauses, u.timezone AS zone
    FROM plans_exerciseplan p JOIN accounts_user u ON u.id = p.patient_id
    WHERE p.status = 'active' AND p.start_date <= %(judged_before)s AND p.paused_at IS NULL
), day AS (
    SELECT * FROM unnest(%(zone)s::text[], %(day)s::date[], %(weekday)s::int[],
                         %(day_start)s::timestamptz[], %(day_end)s::timestamptz[])
        AS d(zone, day, weekday, day_start, day_end)
), sessions AS (
    SELECT plan.id, plan.patient_id, d.day, i.exercise_id, i.times_per_day AS wanted, 0 AS done
    FROM plan JOIN plans_planitem i ON i.plan_id = plan.id JOIN day d ON d.zone = plan.zone
    WHERE d.day BETWEEN plan.start_date AND plan.end_date
      AND i.days_of_week @> to_jsonb(d.weekday)
      AND i.created_at < d.day_end AND (i.retired_at IS NULL OR i.retired_at >= d.day_end)
      AND (plan.pauses = '[]' OR NOT EXISTS (
          SELECT 1 FROM jsonb_array_elements(plan.pauses) AS z
          WHERE (z ->> 'from')::timestamptz < d.day_end
            AND (z ->> 'to' IS NULL OR (z ->> 'to')::timestamptz > d.day_start)))
    UNION ALL
    SELECT plan.id, plan.patient_id, (l.performed_at AT TIME ZONE plan.zone)::date,
           i.exercise_id, 0, 1
    FROM plans_exerciselog l JOIN plans_planitem i ON i.id = l.plan_item_id
    JOIN plan ON plan.id = i.plan_id
    WHERE l.performed_at >= %(window_from)s AND l.performed_at < %(window_to)s
), capped AS (
    SELECT patient_id, SUM(wanted) AS wanted, LEAST(SUM(done), SUM(wanted)) AS done
    FROM sessions GROUP BY id, patient_id, day, exercise_id HAVING SUM(wanted) > 0
)
SELECT patient_id FROM capped GROUP BY patient_id
HAVING ROUND(SUM(done)::numeric / SUM(wanted), 2) < 0.5
"""


def missed_raw(week: dict) -> set:
    """MISSED_SQL as a bare caller runs it: the zones in use, each one's seven local days,
    then the statement with the memory its grouping needs."""
    from zoneinfo import ZoneInfo

    from django.db import transaction

    days: dict[str, list] = {k: [] for k in ("zone", "day", "weekday", "day_start", "day_end")}
    for (name,) in sql("SELECT DISTINCT timezone FROM accounts_user"):
        zone = ZoneInfo(name)
        today = week["now"].astimezone(zone).date()
        for back in range(6, -1, -1):
            day = today - timedelta(days=back)
            days["zone"].append(name)
            days["day"].append(day)
            days["weekday"].append(day.weekday())
            days["day_start"].append(datetime.combine(day, datetime.min.time(), zone))
            days["day_end"].append(
                datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
            )
    with transaction.atomic():
        sql("SET LOCAL work_mem = '64MB'")
        return {r[0] for r in sql(MISSED_SQL, {**week, **days})}


# What a worsening sweep wrote (alerts, their events, the physios' and the patients'
# notifications and push deliveries), taken away so its first run can be timed again.
WORSENING_UNDO_SQL = """
WITH raised AS (SELECT id FROM alerts_alert WHERE kind = 'worsening'),
notes AS (
    SELECT id FROM notifications_notification
    WHERE kind = 'advice' OR alert_id IN (SELECT id FROM raised)
),
deliveries AS (
    SELECT id FROM notifications_pushdelivery WHERE notification_id IN (SELECT id FROM notes)
),
attempts AS (
    DELETE FROM notifications_deliveryattempt
    WHERE delivery_id IN (SELECT id FROM deliveries) RETURNING 1
)
DELETE FROM notifications_pushdelivery WHERE id IN (SELECT id FROM deliveries);
DELETE FROM notifications_notification
WHERE kind = 'advice' OR alert_id IN (SELECT id FROM alerts_alert WHERE kind = 'worsening');
DELETE FROM alerts_alertevent
WHERE alert_id IN (SELECT id FROM alerts_alert WHERE kind = 'worsening');
DELETE FROM alerts_alert WHERE kind = 'worsening';
"""


def worsening_undo() -> None:
    for statement in WORSENING_UNDO_SQL.split(";"):
        if statement.strip():
            sql(statement)


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def sweeps(size: Size) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # As in a worker, where Celery imports every task module at start: the sweeps'
    # first run must not time importing the push clients (google-auth, pywebpush).
    import apps.alerts.tasks
    import apps.notifications.tasks  # noqa: F401
    from apps.alerts import services as alerts
    from apps.alerts.models import Alert
    from backend.celery import app, freeze_startup_heap

    # As a worker is once started: connected to its broker (the transport imported; the
    # first publish must not time importing redis-py, ~65 ms) and its heap frozen
    # (docs/decisions/gc-freeze.md).
    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1)
    freeze_startup_heap()

    now = datetime.now(UTC)
    window = {
        "now": now,
        "recent_from": now - timedelta(days=3),
        "baseline_from": now - timedelta(days=10),
        "exercise_from": now - timedelta(days=14),
    }
    raw, raw_s = timed(lambda: {r[0] for r in sql(WORSENING_SQL, window)})
    same = raw == set(alerts.worsening_candidates(now=now))
    with CaptureQueriesContext(connection) as captured:
        if os.environ.get("FLOOR_PROFILE"):  # where a sweep's time goes
            import cProfile
            import pstats

            profile = cProfile.Profile()
            checked, first_s = timed(lambda: profile.runcall(alerts.worsening_sweep, now=now))
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        else:
            checked, first_s = timed(lambda: alerts.worsening_sweep(now=now))
    alerted = Alert.objects.filter(kind="worsening").count()
    _, raw2_s = timed(lambda: {r[0] for r in sql(WORSENING_SQL, window)})
    # The first run again on the same data (what it wrote taken away), so the sweep's
    # figure is a best of two as the baseline's is; the first is the process's first.
    worsening_undo()
    _, first2_s = timed(lambda: alerts.worsening_sweep(now=now))
    assert Alert.objects.filter(kind="worsening").count() == alerted
    _, again_s = timed(lambda: alerts.worsening_sweep(now=now))
    raw_best, first_best = min(raw_s, raw2_s), min(first_s, first2_s)
    progress(
        f"worsening: raw {raw_s:.3f}/{raw2_s:.3f} s, sweep {first_s:.2f}/{first2_s:.2f} s "
        f"then {again_s:.2f} s"
    )
    row(
        f"nightly worsening sweep, {size.patients:,} patients × {size.days} days",
        f"{first_best:.2f} s, best of {first_s:.2f} and {first2_s:.2f} ({len(captured)} queries, "
        f"{checked} candidates, {alerted} alerts raised); again, nothing new: {again_s:.2f} s",
        f"one SQL query: {raw_best:.2f} s, best of {raw_s:.2f} and {raw2_s:.2f} "
        f"({len(raw)} patients{'' if same else ', NOT THE SAME'}; it finds, writes nothing)",
        f"**{first_best / raw_best:.1f}× slower** (first of all: {first_s / raw_best:.1f}×; "
        f"again: {again_s / raw_best:.1f}×)",
        "≤ 5×",
    )
    week = {
        "now": now,
        "week_ago": now - timedelta(days=7),
        "judged_before": (now - timedelta(days=6)).date(),
        "window_from": now - timedelta(days=8),
        "window_to": now + timedelta(days=2),
    }
    _, weekly_s = timed(lambda: {r[0] for r in sql(MISSED_WEEKLY_SQL, week)})
    raw, raw_s = timed(lambda: missed_raw(week))
    with CaptureQueriesContext(connection) as captured:
        raised, first_s = timed(lambda: alerts.missed_exercises_sweep(now=now))
    _, raw2_s = timed(lambda: missed_raw(week))
    _, weekly2_s = timed(lambda: {r[0] for r in sql(MISSED_WEEKLY_SQL, week)})
    _, again_s = timed(lambda: alerts.missed_exercises_sweep(now=now))
    raw_best, weekly_best = min(raw_s, raw2_s), min(weekly_s, weekly2_s)
    same = raw == set(
        Alert.objects.filter(kind="missed_exercises").values_list("patient_id", flat=True)
    )
    progress(
        f"missed: raw {raw_s:.3f}/{raw2_s:.3f} s (weekly rule {weekly_best:.3f} s), "
        f"sweep {first_s:.2f} s then {again_s:.2f} s"
    )
    row(
        f"missed-exercise sweep, {size.patients:,} patients",
        f"{first_s:.2f} s ({len(captured)} queries, {raised} alerts raised); again {again_s:.2f} s",
        f"the rule in one SQL query: {raw_best:.2f} s ({len(raw)} patients"
        f"{'' if same else ', NOT THE SAME'}); wave 2's simpler weekly rule: {weekly_best:.2f} s",
        f"**{first_s / raw_best:.1f}× slower** (again: {again_s / raw_best:.1f}×; "
        f"{first_s / weekly_best:.1f}× the weekly rule)",
        "≤ 5×",
    )


# --- Dispatch --------------------------------------------------------------------------------


def make_reminders(count: int) -> None:
    sql("DELETE FROM notifications_pushdelivery")
    sql("DELETE FROM notifications_notification WHERE reminder_id IS NOT NULL")
    sql("DELETE FROM notifications_reminder")
    sql(
        """INSERT INTO notifications_reminder (id, user_id, kind, source, scheduled_for, due_at,
               status, title, body, text_params, created_at, updated_at)
           SELECT gen_random_uuid(), p.id, 'exercise', 'bench:' || g,
               now() - make_interval(secs => g %% 3600), now() - make_interval(secs => g %% 3600),
               'scheduled', 'Time for your exercises', '', '{}'::jsonb, now(), now()
           FROM generate_series(1, %(count)s) g
           JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM accounts_user
                 WHERE role = 'patient') p ON p.k = g %% (SELECT count(*) FROM accounts_user
                                                         WHERE role = 'patient')""",
        {"count": count},
    )
    sql("ANALYZE notifications_reminder")


def unsent() -> int:
    return sql("SELECT count(*) FROM notifications_reminder WHERE status = 'scheduled'")[0][0]


BASELINE_DISPATCH = """
WITH picked AS MATERIALIZED (
    SELECT id FROM notifications_reminder WHERE status = 'scheduled' AND due_at <= now()
    ORDER BY due_at LIMIT 500 FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE notifications_reminder r SET status = 'sent', sent_at = now(), updated_at = now()
    FROM picked WHERE r.id = picked.id
    RETURNING r.id, r.user_id, r.kind, r.title, r.body, r.text_params
), inbox AS (
    INSERT INTO notifications_notification (id, user_id, kind, title, body, text_params, data,
                                            reminder_id, created_at)
    SELECT gen_random_uuid(), user_id, 'reminder', title, body, text_params,
           jsonb_build_object('reminder_id', id::text, 'reminder_kind', kind), id, now()
    FROM claimed
    RETURNING id, user_id
)
INSERT INTO notifications_pushdelivery (id, notification_id, device_id, status, attempts,
                                        last_error, created_at, updated_at)
SELECT gen_random_uuid(), inbox.id, d.id, 'pending', 0, '', now(), now()
FROM inbox JOIN notifications_device d ON d.user_id = inbox.user_id AND d.active
RETURNING id
"""


def _baseline_worker(database_url: str, redis_url: str, key: str) -> None:
    import psycopg
    import redis

    client = redis.Redis.from_url(redis_url)
    with psycopg.connect(database_url) as conn:
        while True:
            with conn.transaction():
                ids = [r[0] for r in conn.execute(BASELINE_DISPATCH).fetchall()]
            if not ids:
                claimed = conn.execute(
                    "SELECT count(*) FROM notifications_reminder WHERE status = 'scheduled'"
                ).fetchone()[0]
                if not claimed:
                    return
                continue
            pipe = client.pipeline(transaction=False)
            for delivery in ids:
                pipe.lpush(
                    key, json.dumps({"task": "deliver_push", "id": str(delivery), "pad": "x" * 400})
                )
            pipe.execute()


def dispatch(size: Size, args: argparse.Namespace, workdir: Path) -> None:
    import redis

    from apps.notifications import dispatch as service
    from backend.celery import app

    app.control.purge()  # tasks the HTTP scenarios left (worsening checks) wait for nobody
    database_url = os.environ["DATABASE_URL"]
    key = f"bench-floor-baseline-{uuid.uuid4().hex[:8]}"
    make_reminders(size.reminders)
    progress(f"dispatch baseline: {size.reminders:,} reminders, two processes")
    ctx = multiprocessing.get_context("spawn")
    workers = [
        ctx.Process(target=_baseline_worker, args=(database_url, args.redis_url, key))
        for _ in range(2)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    b_s = time.perf_counter() - started
    client = redis.Redis.from_url(args.redis_url)
    published = client.llen(key)
    client.delete(key)
    b_left = unsent()

    make_reminders(size.reminders)
    app.control.purge()
    progress(f"dispatch service: {size.reminders:,} reminders, two Celery workers")
    logs = [open(workdir / f"celery-{n}.log", "w") for n in range(2)]  # noqa: SIM115
    celery = [
        subprocess.Popen(
            [
                str(VENV_BIN / "celery"),
                "-A",
                "backend",
                "worker",
                "--concurrency",
                "1",
                "--hostname",
                f"floor{n}-{uuid.uuid4().hex[:6]}@%h",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            stdout=logs[n],
            stderr=subprocess.STDOUT,
            env={**os.environ},
        )
        for n in range(2)
    ]
    try:
        from backend.celery import app as celery_app

        ready = time.time() + 90  # both workers up and consuming before the tick
        while time.time() < ready and len(celery_app.control.ping(timeout=1.0)) < 2:
            time.sleep(0.5)
        started = time.perf_counter()
        tasks = service.reminders_fan_out()  # the beat tick
        deadline = started + 600
        while unsent() and time.perf_counter() < deadline:
            time.sleep(0.2)
        a_s = time.perf_counter() - started
        a_left = unsent()
    finally:
        for process in celery:
            process.send_signal(signal.SIGTERM)
        for process in celery:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()
        app.control.purge()  # deliver_push tasks left on this run's Redis database
    sent = size.reminders - a_left
    progress(f"dispatch: baseline {b_s:.1f} s, service {a_s:.1f} s ({tasks} batch tasks)")
    row(
        f"reminder dispatch, {size.reminders:,} due, two workers",
        f"{sent / a_s:,.0f} rows/s, drained in {a_s:.1f} s ({tasks} batch tasks from one tick"
        f"{'' if not a_left else f', {a_left} LEFT'})",
        f"UPDATE…RETURNING + INSERT…SELECT + pipelined LPUSH: {size.reminders / b_s:,.0f} rows/s "
        f"({b_s:.1f} s, {published:,} messages{'' if not b_left else f', {b_left} LEFT'})",
        f"**{(sent / a_s) / (size.reminders / b_s):.2f}** of the baseline",
        "≥ 0.50, 100k in ≤ 120 s",
    )


def dashboard(port: int, data: dict, runs: int) -> None:
    for physio in ("physio50", "physio500"):
        token = token_for(data[physio])
        queries = count_queries("GET", "/api/v1/patients/", token)
        samples = []
        for attempt in range(runs + 1):
            started = time.perf_counter()
            status, answer = request(
                port, "GET", "/api/v1/patients/", None, {"Authorization": f"Bearer {token}"}
            )
            if status != 200:
                raise SystemExit(f"patients/: {status} {answer[:200]!r}")
            if attempt:
                samples.append((time.perf_counter() - started) * 1000)
        count = json.loads(answer)["count"]
        row(
            f"`GET patients/` (dashboard), {count} patients",
            f"{statistics.median(samples):.0f} ms median, {queries} queries",
            "—",
            "—",
            "",
            "first page of 50, ordered by email",
        )


# --- Output ----------------------------------------------------------------------------------


def render(size: Size, started: datetime, elapsed: float) -> str:
    lines = [
        f"# Floor benchmark, {started:%Y-%m-%d %H:%M} UTC ({size.mode} mode)",
        "",
        f"`bench/floor.py{' --quick' if size.mode == 'quick' else ''}` on PostgreSQL, "
        f"gunicorn (2 workers, backend.settings.production), {size.connections} concurrent "
        f"connections, {size.rounds} A/B round(s) of {size.duration} s per HTTP path; "
        f"run took {elapsed / 60:.1f} min. Machine: {os.cpu_count()} CPUs shared with other work.",
        "",
        "| path | this service | bare baseline | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for r in ROWS:
        note = f" ({r['note']})" if r["note"] else ""
        lines.append(f"| {r['path']} | {r['a']}{note} | {r['b']} | {r['ratio']} | {r['target']} |")
    if NOTES:
        lines += ["", *[f"- {note}" for note in NOTES]]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    args = parse_args(argv)
    size = SIZES["quick" if args.quick else "full"]
    skip = set(filter(None, args.skip.split(",")))
    configure(args)
    started_at, started = datetime.now(UTC), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="floor-") as tmp, bench_database(args):
        work = Path(tmp)
        progress(f"migrating {args.db_name} and building {size.patients:,} patients")
        setup_django()
        data = build_dataset(size)
        progress(f"dataset ready ({time.perf_counter() - started:.0f} s)")
        port = args.port or free_port()
        from django.db import connections

        connections.close_all()
        with gunicorn(port, work):
            if "http" not in skip:
                http_paths(port, data, size, work)
                refused_requests(work)
            if "bulk" not in skip:
                bulk_path(port, data, size)
            if "dashboard" not in skip:
                dashboard(port, data, 5 if args.quick else 15)
        if "sweeps" not in skip:
            sweeps(size)
        if "dispatch" not in skip:
            dispatch(size, args, work)
        text = render(size, started_at, time.perf_counter() - started)
    print(text)
    if not args.no_write:
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"floor-{started_at:%Y-%m-%d}{'-quick' if args.quick else ''}.md"
        path.write_text(text)
        progress(f"written to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmarks of the API calls the apps make most, run in-process against a throwaway database.

For each scenario (a request exactly as the phone or the physio client sends it, with a real
JWT, through Django's whole middleware and DRF stack) this prints:

- median and p95 wall time in ms over N repetitions (time.perf_counter, after a warm-up);
- the number of database queries one request makes (CaptureQueriesContext, separate run);
- the peak Python memory one request allocates, in KiB (tracemalloc, separate run, so that
  tracing does not slow the timed repetitions);
- the ratio of the median to bench/results/baseline.json, when that was recorded in the
  same mode (quick or normal) on the same database vendor.

The dataset is built with the project's own services: one physiotherapist with 50 linked
patients (5 with --quick), each with ~60 days (10) of symptom logs, an active plan and some
exercise logs. Every response's status and shape is checked; a wrong one fails the run (exit
code 1): a benchmark of 400s is worthless. Nothing here is a test: no timing is asserted.

    .venv/bin/python bench/run.py [--quick] [--save-baseline] [--json]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres] [--redis-url URL]
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
BASELINE_PATH = RESULTS_DIR / "baseline.json"
LATEST_PATH = RESULTS_DIR / "latest.json"
# The PostgreSQL database made (and dropped) for a run; the URL given only says where the
# server is and which database to connect to in order to create it.
PG_BENCH_DB = "rehab_bench"
TIMEZONES = ("Europe/London", "Europe/Madrid", "America/New_York", "Australia/Sydney")
BULK_ITEMS = 500


@dataclass(frozen=True)
class Size:
    mode: str
    patients: int
    days: int
    repetitions: int
    bulk_repetitions: int
    warmup: int


SIZES = {
    "normal": Size("normal", patients=50, days=60, repetitions=50, bulk_repetitions=5, warmup=3),
    "quick": Size("quick", patients=5, days=10, repetitions=10, bulk_repetitions=2, warmup=1),
}


# --- Command line and environment --------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 patients, 10 days, 10 runs")
    parser.add_argument(
        "--save-baseline", action="store_true", help=f"write {BASELINE_PATH.relative_to(ROOT)}"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--database-url",
        help=f"a PostgreSQL server to run on (a database {PG_BENCH_DB!r} is created and "
        "dropped there); default: a throwaway SQLite file",
    )
    parser.add_argument(
        "--redis-url", help="Redis for the cache and broker (use a spare db number); default: none"
    )
    return parser.parse_args(argv)


def _replace_database(url: str, name: str) -> str:
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def _pg_admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


@contextmanager
def bench_database(url: str | None, workdir: Path) -> Iterator[str]:
    """The URL of a database used by this run only, removed afterwards."""
    if url is None:
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"  # removed with workdir
        return
    if urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit("--database-url takes a PostgreSQL URL; omit it to use SQLite.")
    if urlsplit(url).path.strip("/") == PG_BENCH_DB:
        raise SystemExit(f"Connect through another database than {PG_BENCH_DB!r}: it is dropped.")
    drop = f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)'
    _pg_admin(url, drop)  # left over by an interrupted run
    _pg_admin(url, f'CREATE DATABASE "{PG_BENCH_DB}"')
    try:
        yield _replace_database(url, PG_BENCH_DB)
    finally:
        from django.db import connections

        connections.close_all()
        _pg_admin(url, drop)


def configure_environment(database_url: str, redis_url: str | None, workdir: Path) -> None:
    """Test settings, but nothing shared with a local run or the test suite (var/)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings.test"
    os.environ["DATABASE_URL"] = database_url
    # Empty rather than unset: a .env file must not bring a Redis back in.
    os.environ["REDIS_URL"] = redis_url or ""
    os.environ["CELERY_BROKER_DIR"] = str(workdir / "broker")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # keep the table readable
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("bootstrap", stdout=io.StringIO())


# --- Dataset -----------------------------------------------------------------------------


@dataclass
class Dataset:
    physio: Any
    patients: list[Any]
    condition_slug: str
    symptom_logs: int = 0
    exercise_logs: int = 0


def _log_fields(rng: random.Random, recorded_at: datetime, pain: int, **extra: Any) -> dict:
    """One log as the phone sends it, before validation."""
    body = {
        "client_id": str(uuid.uuid4()),
        "recorded_at": recorded_at.isoformat(),
        "pain_score": pain,
        "side": rng.choice(["left", "right"]),
        "locations": rng.sample(["front_of_knee", "back_of_knee", "calf", "lower_back"], 2),
        "qualities": [rng.choice(["dull", "aching", "sharp"])],
        "swelling": rng.choice(["none", "none", "mild"]),
        "triggers": [rng.choice(["walking", "stairs", "sitting"])],
        "note": "",
    }
    body.update(extra)
    return body


def _history_bodies(rng: random.Random, days: int, now: datetime, red_flag: bool) -> list[dict]:
    """One or two logs a day over `days` days, pain drifting; maybe one red flag."""
    bodies, pain = [], rng.randint(3, 6)
    for day in range(days, 0, -1):
        for hour in (8, 20)[: rng.randint(1, 2)]:
            pain = min(10, max(1, pain + rng.choice([-1, 0, 0, 1])))
            at = now - timedelta(days=day) + timedelta(hours=hour - 12, minutes=rng.randint(0, 59))
            bodies.append(_log_fields(rng, at, pain))
    if red_flag:
        at = now - timedelta(days=min(2, days), hours=3)
        bodies.append(_log_fields(rng, at, 6, locations=["calf"], redness=True))
    return bodies


def add_symptom_history(patient: Any, bodies: list[dict]) -> int:
    """Through the bulk sync's own validation and service, as the phone would sync them."""
    from apps.symptoms.serializers import SymptomLogInputSerializer
    from apps.symptoms.services import symptom_logs_bulk_create
    from backend.bulk import BulkItem, ItemStatus

    items = []
    for index, body in enumerate(bodies):
        serializer = SymptomLogInputSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        items.append(
            BulkItem.valid(index, serializer.validated_data, serializer.validated_data["client_id"])
        )
    stored = 0
    for start in range(0, len(items), BULK_ITEMS):
        results = symptom_logs_bulk_create(patient=patient, items=items[start : start + BULK_ITEMS])
        stored += sum(result.status == ItemStatus.CREATED for result in results)
    return stored


def add_plan(physio: Any, patient: Any, days: int) -> Any:
    from apps.content.models import Exercise
    from apps.plans.services import plan_create

    today = datetime.now(UTC).date()
    return plan_create(
        physio=physio,
        patient_id=patient.pk,
        title="Calf and knee",
        start_date=today - timedelta(days=days),
        end_date=today + timedelta(days=30),
        reminder_times=["08:00", "18:30"],
        items=[
            {
                "exercise": Exercise.objects.get(slug="calf-stretch-wall"),
                "sets": 3,
                "hold_seconds": 30,
                "times_per_day": 2,
                "days_of_week": [0, 1, 2, 3, 4, 5, 6],
                "max_pain": 3,
            },
            {
                "exercise": Exercise.objects.get(slug="quad-sets"),
                "sets": 2,
                "reps": 10,
                "days_of_week": [0, 2, 4],
                "max_pain": 4,
                "notes": "Slowly.",
            },
        ],
    )


def add_exercise_logs(rng: random.Random, patient: Any, plan: Any, days: int) -> int:
    """About two sessions in three done over the last two weeks (or fewer days)."""
    from apps.plans.services import exercise_log_create

    now, stored = datetime.now(UTC), 0
    for day in range(min(days, 14), 0, -1):
        for item in plan.items.all():
            if rng.random() < 2 / 3:
                exercise_log_create(
                    patient=patient,
                    plan_item=item,
                    client_id=uuid.uuid4(),
                    performed_at=now - timedelta(days=day),
                    sets_done=item.sets,
                    reps_done=item.reps,
                    pain_during=rng.randint(0, 5),
                    difficulty=rng.randint(1, 5),
                    note="",
                )
                stored += 1
    return stored


def build_dataset(size: Size) -> Dataset:
    from apps.accounts.models import Role
    from apps.accounts.services import care_link_create, user_create
    from apps.clinics.services import clinic_create, staff_add
    from apps.content.selectors import published_conditions

    password = "bench-Knee-passphrase-2026"  # noqa: S105 - throwaway accounts
    physio = user_create(email="physio@bench.example", password=password, role=Role.PHYSIO)
    staff_add(clinic=clinic_create(name="Bench clinic", slug="bench"), user=physio)
    condition = published_conditions().order_by("slug").first()
    if condition is None:
        raise SystemExit("bootstrap loaded no published condition")
    dataset = Dataset(physio=physio, patients=[], condition_slug=condition.slug)
    now = datetime.now(UTC)
    for n in range(size.patients):
        rng = random.Random(n)  # the same dataset on every run
        patient = user_create(
            email=f"patient{n}@bench.example",
            password=password,
            role=Role.PATIENT,
            timezone=TIMEZONES[n % len(TIMEZONES)],
        )
        care_link_create(physio=physio, patient=patient)
        plan = add_plan(physio, patient, size.days)
        bodies = _history_bodies(rng, size.days, now, red_flag=n % 5 == 0)
        dataset.symptom_logs += add_symptom_history(patient, bodies)
        dataset.exercise_logs += add_exercise_logs(rng, patient, plan, size.days)
        dataset.patients.append(patient)
    return dataset


# --- Scenarios ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request as a client makes it, and what its answer must be."""

    client: Any  # rest_framework.test.APIClient
    method: str
    path: str
    body: Any = None
    expected_status: int = 200


Check = Callable[[Any, Call], str | None]  # a reason the response is wrong, or None


@dataclass(frozen=True)
class Scenario:
    name: str
    make_call: Callable[[int], Call]  # repetition number -> request
    repetitions: int
    check: Check | None = None


def client_for(user: Any) -> Any:
    """A client sending a real JWT, so authentication runs as for the app."""
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def _expect(predicate: Callable[[Any], bool], reason: str) -> Check:
    def check(response: Any, call: Call) -> str | None:
        return None if predicate(response.json()) else reason

    return check


def _new_log(n: int, **extra: Any) -> dict:
    at = datetime.now(UTC) - timedelta(minutes=1)
    return _log_fields(random.Random(n), at, 4, **extra)


def _bulk_logs(n: int) -> list[dict]:
    """An offline phone catching up: 500 logs over the last ~5 days."""
    rng, start = random.Random(n), datetime.now(UTC) - timedelta(days=5)
    return [
        _log_fields(rng, start + timedelta(minutes=14 * i), rng.randint(1, 7))
        for i in range(BULK_ITEMS)
    ]


def build_scenarios(dataset: Dataset, size: Size) -> list[Scenario]:
    """Reads first, on the dataset as built; then the writes, which add to it."""
    patients = [(patient, client_for(patient)) for patient in dataset.patients]
    physio = client_for(dataset.physio)
    reps = size.repetitions

    def patient_call(path: str) -> Callable[[int], Call]:
        return lambda n: Call(patients[n % len(patients)][1], "get", path)

    def summary(n: int) -> Call:
        patient = patients[n % len(patients)][0]
        return Call(physio, "get", f"/api/v1/patients/{patient.pk}/summary/")

    def post_log(n: int) -> Call:
        body = _new_log(n)
        return Call(patients[n % len(patients)][1], "post", "/api/v1/symptom-logs/", body, 201)

    def post_red_flag(n: int) -> Call:
        body = _new_log(n, locations=["calf"], redness=True)
        return Call(patients[n % len(patients)][1], "post", "/api/v1/symptom-logs/", body, 201)

    def post_bulk(n: int) -> Call:
        body = _bulk_logs(n)
        return Call(patients[n % len(patients)][1], "post", "/api/v1/symptom-logs/bulk/", body)

    everyone = len(patients)
    return [
        Scenario(
            "GET conditions/",
            lambda n: Call(patients[0][1], "get", "/api/v1/conditions/"),
            reps,
            _expect(lambda body: len(body["results"]) > 0, "no conditions"),
        ),
        Scenario(
            "GET conditions/{slug}/",
            lambda n: Call(patients[0][1], "get", f"/api/v1/conditions/{dataset.condition_slug}/"),
            reps,
            _expect(lambda body: body["slug"] == dataset.condition_slug, "another condition"),
        ),
        Scenario(
            "GET today/",
            patient_call("/api/v1/today/"),
            reps,
            _expect(lambda body: body["plan"] is not None, "no active plan today"),
        ),
        Scenario(
            "GET symptom-logs/trend/?days=30",
            patient_call("/api/v1/symptom-logs/trend/?days=30"),
            reps,
            _expect(lambda body: len(body) == 30, "not 30 days"),
        ),
        Scenario(
            f"GET patients/ ({everyone} patients)",
            lambda n: Call(physio, "get", "/api/v1/patients/?page_size=200"),
            reps,
            _expect(lambda body: len(body["results"]) == everyone, "not every patient listed"),
        ),
        Scenario(
            "GET patients/{id}/summary/",
            summary,
            reps,
            _expect(lambda body: body["active_plan"] is not None, "no active plan"),
        ),
        Scenario(
            "POST symptom-logs/",
            post_log,
            reps,
            _expect(lambda body: body["triage"]["level"] == "self_care", "not self_care"),
        ),
        Scenario(
            "POST symptom-logs/ (red flag)",
            post_red_flag,
            reps,
            _expect(lambda body: body["triage"]["level"] == "urgent", "not urgent"),
        ),
        Scenario(
            f"POST symptom-logs/bulk/ ({BULK_ITEMS})",
            post_bulk,
            size.bulk_repetitions,
            _expect(
                lambda body: [r["status"] for r in body["results"]] == ["created"] * BULK_ITEMS,
                f"not {BULK_ITEMS} created",
            ),
        ),
    ]


# --- Measuring ---------------------------------------------------------------------------


class WrongResponse(Exception):
    pass


@dataclass
class Result:
    scenario: str
    repetitions: int
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    peak_kib: float | None = None
    error: str | None = None
    samples_ms: list[float] = field(default_factory=list)


def forget_debounce(dataset: Dataset) -> None:
    """A patient's log enqueues a worsening check unless one was queued in the last minute
    (apps.alerts.services.worsening_check_soon). Patients rarely log twice a minute, so
    each repetition starts without that key, as most real requests do. Deleted key by key:
    cache.clear() would flush a whole Redis database."""
    from django.core.cache import cache

    cache.delete_many([f"worsening-check:{patient.pk}" for patient in dataset.patients])


def send(call: Call) -> Any:
    if call.body is None:
        return getattr(call.client, call.method)(call.path)
    return getattr(call.client, call.method)(call.path, call.body, format="json")


def verify(response: Any, call: Call, check: Check | None) -> None:
    if response.status_code != call.expected_status:
        raise WrongResponse(
            f"{call.method.upper()} {call.path} answered {response.status_code}, "
            f"not {call.expected_status}: {response.content[:300]!r}"
        )
    reason = check(response, call) if check else None
    if reason:
        raise WrongResponse(f"{call.method.upper()} {call.path}: {reason}")


def timed(call: Call) -> tuple[Any, float]:
    started = time.perf_counter()
    response = send(call)
    return response, (time.perf_counter() - started) * 1000


def count_queries(call: Call) -> tuple[Any, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = send(call)
    return response, len(captured.captured_queries)


def peak_memory(call: Call) -> tuple[Any, float]:
    tracemalloc.start()
    try:
        response = send(call)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak / 1024


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[94]


def measure(scenario: Scenario, dataset: Dataset, size: Size) -> Result:
    """Warm-up, one run counting queries, one tracing memory, then the timed runs."""
    result = Result(scenario.name, scenario.repetitions)
    number = itertools.count()

    def next_call() -> Call:
        call = scenario.make_call(next(number))
        forget_debounce(dataset)
        return call

    try:
        for _ in range(size.warmup):
            call = next_call()
            verify(send(call), call, scenario.check)
        call = next_call()
        response, result.queries = count_queries(call)
        verify(response, call, scenario.check)
        call = next_call()
        response, result.peak_kib = peak_memory(call)
        verify(response, call, scenario.check)
        for _ in range(scenario.repetitions):
            call = next_call()
            response, elapsed = timed(call)
            verify(response, call, scenario.check)
            result.samples_ms.append(elapsed)
    except Exception as error:  # any failure is reported, and fails the run
        result.error = f"{type(error).__name__}: {error}"
        return result
    result.median_ms = statistics.median(result.samples_ms)
    result.p95_ms = p95(result.samples_ms)
    return result


# --- Reporting ---------------------------------------------------------------------------


def environment_facts(size: Size, dataset: Dataset) -> dict:
    import django
    from django.db import connection

    return {
        "mode": size.mode,
        "database": connection.vendor,
        "database_version": ".".join(map(str, connection.Database.sqlite_version_info))
        if connection.vendor == "sqlite"
        else str(connection.pg_version),
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": f"{platform.node()} {platform.machine()}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "dataset": {
            "patients": len(dataset.patients),
            "days": size.days,
            "symptom_logs": dataset.symptom_logs,
            "exercise_logs": dataset.exercise_logs,
        },
    }


def load_baseline() -> dict | None:
    try:
        return json.loads(BASELINE_PATH.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def comparable(baseline: dict | None, facts: dict) -> bool:
    return bool(
        baseline
        and baseline.get("mode") == facts["mode"]
        and baseline.get("database") == facts["database"]
    )


def ratios(results: list[Result], baseline: dict | None, facts: dict) -> dict[str, str]:
    if not comparable(baseline, facts):
        return {}
    medians = {row["scenario"]: row.get("median_ms") for row in baseline["scenarios"]}
    return {
        result.scenario: f"{result.median_ms / medians[result.scenario]:.2f}x"
        for result in results
        if result.median_ms and medians.get(result.scenario)
    }


def _figure(value: float | None, width: int, decimals: int) -> str:
    return f"{'-' if value is None else f'{value:.{decimals}f}':>{width}}"


def table(results: list[Result], ratio_of: dict[str, str]) -> str:
    width = max(len(result.scenario) for result in results)
    header = f"{'scenario':<{width}}  {'median ms':>9}  {'p95 ms':>8}  {'queries':>7}  {'peak KiB':>9}  {'vs base':>7}"
    lines = [header, "-" * len(header)]
    for result in results:
        lines.append(
            f"{result.scenario:<{width}}  {_figure(result.median_ms, 9, 2)}  "
            f"{_figure(result.p95_ms, 8, 2)}  {_figure(result.queries, 7, 0)}  "
            f"{_figure(result.peak_kib, 9, 0)}  {ratio_of.get(result.scenario, '-'):>7}"
        )
        if result.error:
            lines.append(f"  FAILED: {result.error}")
    return "\n".join(lines)


def baseline_note(baseline: dict | None, facts: dict, saving: bool) -> str:
    if saving:
        return "Recording these figures as the new baseline (ratios: against the old one)."
    if baseline is None:
        return f"No baseline ({BASELINE_PATH.relative_to(ROOT)}): record one with --save-baseline."
    described = f"{baseline.get('mode')} mode on {baseline.get('database')}, {baseline.get('date')}"
    if not comparable(baseline, facts):
        return f"Baseline not comparable ({described}): no ratios."
    return f"Ratios: median / baseline median ({described}); above 1 is slower."


def _row(result: Result) -> dict:
    row = {k: v for k, v in asdict(result).items() if k != "samples_ms"}
    for key in ("median_ms", "p95_ms", "peak_kib"):
        row[key] = None if row[key] is None else round(row[key], 3)
    return row


def document(facts: dict, results: list[Result]) -> dict:
    return {**facts, "scenarios": [_row(result) for result in results]}


def write_results(doc: dict, save_baseline: bool) -> Path:
    path = BASELINE_PATH if save_baseline else LATEST_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path


# --- Main --------------------------------------------------------------------------------


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def published_tasks_removed(redis_url: str | None) -> Iterator[None]:
    """On Redis, take this run's queued tasks back out afterwards: no worker runs here, and
    a worker on that database must not get checks of patients that do not exist there. On
    the embedded broker they go with the temporary folder."""
    if not redis_url:
        yield
        return
    from celery.signals import after_task_publish

    published: dict[str, set[str]] = {}

    def remember(sender: Any = None, headers: Any = None, routing_key: Any = None, **_: Any):
        published.setdefault(routing_key or "default", set()).add(headers["id"])

    after_task_publish.connect(remember, weak=False)
    try:
        yield
    finally:
        after_task_publish.disconnect(remember)
        removed = _remove_queued(redis_url, published)
        progress(f"Removed this run's {removed} queued task(s) from {redis_url}")


def _remove_queued(redis_url: str, published: dict[str, set[str]]) -> int:
    import redis

    client, removed = redis.Redis.from_url(redis_url), 0
    for queue, task_ids in published.items():
        for raw in client.lrange(queue, 0, -1):
            if json.loads(raw).get("headers", {}).get("id") in task_ids:
                removed += client.lrem(queue, 0, raw)
    return removed


def run(size: Size, redis_url: str | None) -> tuple[dict, list[Result]]:
    started = time.perf_counter()
    setup_django()
    with published_tasks_removed(redis_url):
        return _run_scenarios(size, started)


def refresh_planner_statistics() -> None:
    """PostgreSQL's autovacuum analyses tables soon after this much writing; a benchmark
    that starts at once would time plans made without statistics (a dashboard subquery
    then walks every patient's plan for each patient). SQLite gathers none unless asked,
    in production too, so it is left as it is."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _run_scenarios(size: Size, started: float) -> tuple[dict, list[Result]]:
    dataset = build_dataset(size)
    refresh_planner_statistics()
    facts = environment_facts(size, dataset)
    progress(
        f"{facts['database']} {facts['database_version']}, {size.mode} mode: "
        f"{len(dataset.patients)} patients, {dataset.symptom_logs} symptom logs, "
        f"{dataset.exercise_logs} exercise logs ({time.perf_counter() - started:.1f} s)"
    )
    results = []
    for scenario in build_scenarios(dataset, size):
        results.append(measure(scenario, dataset, size))
        progress(f"  {scenario.name}: done")
    forget_debounce(dataset)  # the cache may be a Redis that outlives the run
    return facts, results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    size = SIZES["quick" if args.quick else "normal"]
    with (
        tempfile.TemporaryDirectory(prefix="rehab-bench-") as workdir,
        bench_database(args.database_url, Path(workdir)) as database_url,
    ):
        configure_environment(database_url, args.redis_url, Path(workdir))
        facts, results = run(size, args.redis_url)
    failed = [result for result in results if result.error]
    baseline = load_baseline()
    doc = document(facts, results)
    if args.json:
        print(json.dumps({**doc, "ratios": ratios(results, baseline, facts)}, indent=2))
    else:
        print(table(results, ratios(results, baseline, facts)))
        print(baseline_note(baseline, facts, args.save_baseline))
    if failed:
        progress(f"{len(failed)} scenario(s) failed: results not written.")
        return 1
    progress(f"Written to {write_results(doc, args.save_baseline).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Cost as data grows: each path on a small and a large dataset, alternating, as ratios.

    .venv/bin/python bench/scale.py [--small 10] [--rounds 5] [--database-url URL]
    .venv/bin/python bench/scale.py --explain          # the sweeps' query plans only

Two axes (bench/README.md, "scale.py"):

- population: `base` (1,000 patients, 60 days of history) against `pop` (20,000 patients,
  60 days);
- history: `base` against `hist` (1,000 patients, 365 days).

`--small N` divides both populations by N (10: 100 against 2,000 patients). The three
databases (`<prefix>_base`, `_pop`, `_hist`) are made from one migrated, bootstrapped
template with `CREATE DATABASE … TEMPLATE`, then filled with SQL (`generate_series`, rows
in the order of their time, as a live database receives them) and analysed; episodes,
plans and items through `bulk_create`, so the models' defaults apply. Every patient has an
active episode and plan of two daily exercises, 1.5 symptom logs a day (every 20th
patient's pain rises over the last three days), each exercise logged daily (every 10th
patient only every third day); as many discharged patients again (episode discharged,
plan archived) carry the same history, ending 30 days ago: the archive a sweep must not
read.

Per path, `--rounds` rounds; a round times `--runs` calls on the small dataset and as many
on the large one (the order swapped every round), and its ratio is large median / small
median. Printed: the median ratio, its range over the rounds, each side's median ms and
the queries of one call on each side. Request paths run in-process through Django's
middleware and DRF (`APIClient`, a real JWT); the sweeps run their service functions at
the instant the dataset's history was built up to (so a `--reuse` later reads the same
windows), in a transaction rolled back afterwards, and the tables they write vacuumed
between calls (untimed), so every call does the same work.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
SECRET = "bench-scale-not-a-secret-" + "x" * 40


@dataclass(frozen=True)
class Dataset:
    key: str
    patients: int
    days: int


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server (and a database on it to connect to in order to make ours)",
    )
    parser.add_argument("--db-prefix", default="rehab_scale", help="names of the databases made")
    parser.add_argument("--small", type=int, default=1, help="divide the populations by this")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=7, help="calls per side and round")
    parser.add_argument("--reuse", action="store_true", help="keep existing databases as built")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--explain", action="store_true", help="print the sweeps' plans only")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results/")
    parser.add_argument("--skip", default="", help="comma list of path names to leave out")
    parser.add_argument(
        "--datasets", default="base,pop,hist", help="with --explain: which datasets to build"
    )
    return parser.parse_args(argv)


def progress(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


def db_url(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


def exists(url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def configure(url: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "backend.settings.test",
            "SECRET_KEY": SECRET,
            "DATABASE_URL": url,
            "REDIS_URL": "",
            "CELERY_BROKER_DIR": tempfile.mkdtemp(prefix="bench-scale-"),
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
            "PROCESS_ROLE": "command",
        }
    )
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


# The instant a dataset's history was built up to, kept as the database's comment: the sweeps
# run at that instant, so a --reuse hours later reads the same windows of the same data.
BUILT = "scale.py: history up to "


def mark_built(url: str, name: str, now: datetime) -> None:
    admin(url, f"COMMENT ON DATABASE \"{name}\" IS '{BUILT}{now.isoformat()}'")


def built_at() -> datetime:
    """The current database's build instant (now, for a database built before it was kept)."""
    (comment,) = sql(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
        " WHERE datname = current_database()"
    )[0]
    if comment and comment.startswith(BUILT):
        return datetime.fromisoformat(comment.removeprefix(BUILT))
    return datetime.now(UTC)


def use(name: str) -> None:
    """Point Django's connection at another of the databases."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def sql(statement: str, params=None) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or {})
        return cursor.fetchall() if cursor.description else []


# --- Datasets --------------------------------------------------------------------------------


def patients_sql(count: int, offset: int, prefix: str, now: datetime) -> None:
    sql(
        """INSERT INTO accounts_user (id, password, email, role, timezone, affected_side,
               is_active, is_staff, is_superuser, date_joined)
           SELECT gen_random_uuid(), '!', %(prefix)s || g || '@bench.example', 'patient',
               'Europe/London', '', true, false, false, %(now)s
           FROM generate_series(%(first)s, %(last)s) g""",
        {"prefix": prefix, "first": offset + 1, "last": offset + count, "now": now},
    )


def care(now: datetime, exercises: list, physio) -> None:
    """Episodes, plans and items for every patient (bulk_create: the models' defaults),
    then discharged/archived for the `d…` patients and backdated with SQL."""
    from apps.accounts.models import User
    from apps.clinics.models import Clinic, StaffMembership
    from apps.episodes.models import Episode
    from apps.plans.models import ExercisePlan, PlanItem

    clinic = Clinic.objects.create(name="Bench clinic", slug="scale-bench")
    StaffMembership.objects.create(clinic=clinic, user=physio)
    patients = list(User.objects.filter(role="patient").values_list("pk", "email"))
    linked = set(User.objects.filter(physio_links__physio=physio).values_list("pk", flat=True))
    # The dashboard's physio leads the care of their 50 patients; another physio the rest.
    lead = User.objects.create(email="lead@bench.example", role="physio")
    StaffMembership.objects.create(clinic=clinic, user=lead)
    start = (now - timedelta(days=400)).date()
    episodes = Episode.objects.bulk_create(
        [
            Episode(
                patient_id=pk,
                physio=physio if pk in linked else lead,
                clinic=clinic,
                title="Knee",
                started_on=start,
            )
            for pk, _ in patients
        ],
        batch_size=2000,
    )
    plans = ExercisePlan.objects.bulk_create(
        [
            ExercisePlan(
                patient_id=episode.patient_id,
                physio_id=episode.physio_id,
                episode=episode,
                title="Knee plan",
                start_date=start,
                end_date=(now + timedelta(days=60)).date(),
                reminder_times=[],
            )
            for episode in episodes
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
        batch_size=4000,
    )
    at = {"at": now - timedelta(days=400), "gone": now - timedelta(days=30)}
    sql("UPDATE plans_exerciseplan SET created_at = %(at)s, updated_at = %(at)s", at)
    sql("UPDATE plans_planitem SET created_at = %(at)s", at)
    sql(
        """UPDATE episodes_episode SET status = 'discharged', discharged_at = %(gone)s
           WHERE patient_id IN (SELECT id FROM accounts_user WHERE email LIKE 'd%%')""",
        at,
    )
    sql(
        """UPDATE plans_exerciseplan SET status = 'archived', archived_at = %(gone)s
           WHERE patient_id IN (SELECT id FROM accounts_user WHERE email LIKE 'd%%')""",
        at,
    )


def build(dataset: Dataset, now: datetime) -> None:
    """Fill the current (migrated, bootstrapped) database with `dataset`."""
    from apps.accounts.models import User
    from apps.content.models import Exercise

    patients_sql(dataset.patients, 0, "p", now)
    patients_sql(dataset.patients, 0, "d", now)  # discharged, with the same history
    physio = User.objects.create(email="physio50@bench.example", role="physio")
    sql(
        """INSERT INTO accounts_careteamlink (id, physio_id, patient_id, created_at)
           SELECT gen_random_uuid(), %(physio)s, u.id, %(now)s FROM accounts_user u
           WHERE u.email ~ '^p([1-9]|[1-4][0-9]|50)@'""",
        {"physio": physio.pk, "now": now},
    )
    exercises = list(Exercise.objects.order_by("slug").values_list("id", flat=True)[:2])
    care(now, exercises, physio)
    sql(
        """CREATE TEMP TABLE bench_patient AS
           SELECT id, substring(email from 2 for position('@' in email) - 2)::int AS n,
               left(email, 1) = 'd' AS gone
           FROM accounts_user WHERE role = 'patient'"""
    )
    params = {"now": now, "days": dataset.days}
    # Oldest first, as a live database receives them; a discharged patient's end 30 days
    # ago. 1.5 logs a day: one every day, a second every other day.
    sql(
        """INSERT INTO symptoms_symptomlog (id, patient_id, client_id, recorded_at, pain_score,
               side, locations, qualities, swelling, redness, warmth, tenderness, fever,
               numbness_tingling, weakness, neuro_worsening, can_bear_weight, sleep_disturbed,
               daily_activities_limited, knee_locking, recent_knee_injury, sudden_onset,
               saddle_numbness, bladder_bowel_change, triggers, note, triage_level,
               triage_codes, hints, created_at)
           SELECT gen_random_uuid(), p.id, gen_random_uuid(), t.at,
               CASE WHEN p.n %% 20 = 0 AND g.day < 3 THEN 6 + (p.n + g.day) %% 3
                    ELSE 2 + (p.n + g.day) %% 3 END,
               '', '["front_of_knee"]'::jsonb, '[]'::jsonb, 'none', false, false, false, false,
               false, false, false, true, false, false, false, false, false, false, false,
               '[]'::jsonb, '', 'self_care', '[]'::jsonb, '[]'::jsonb, t.at
           FROM generate_series(%(days)s - 1, 0, -1) g(day)
               CROSS JOIN (VALUES (2), (14)) h(hour)
               CROSS JOIN bench_patient p
               CROSS JOIN LATERAL (SELECT %(now)s - make_interval(
                   days => g.day + CASE WHEN p.gone THEN 30 ELSE 0 END, hours => h.hour) AS at) t
           WHERE h.hour = 2 OR g.day %% 2 = 0
           ORDER BY t.at""",
        params,
    )
    sql(
        """INSERT INTO plans_exerciselog (id, patient_id, plan_item_id, client_id, performed_at,
               sets_done, pain_during, note, pain_above_limit, created_at)
           SELECT gen_random_uuid(), e.patient_id, i.id, gen_random_uuid(), t.at, 3, 2, '',
               false, t.at
           FROM generate_series(%(days)s - 1, 0, -1) g(day)
               CROSS JOIN plans_planitem i JOIN plans_exerciseplan e ON e.id = i.plan_id
               JOIN bench_patient p ON p.id = e.patient_id
               CROSS JOIN LATERAL (SELECT %(now)s - make_interval(
                   days => g.day + CASE WHEN p.gone THEN 30 ELSE 0 END, hours => 3) AS at) t
           WHERE p.n %% 10 <> 0 OR g.day %% 3 = 0
           ORDER BY t.at""",
        params,
    )
    sql("DROP TABLE bench_patient")
    # As autovacuum would soon after such writes: statistics, and the BRIN ranges filled
    # since the (empty) index was made summarised. Unsummarised ranges are read by every
    # query, so without this the sweeps would read whole tables (sweep-indexes.md).
    sql("SELECT brin_summarize_new_values('symptoms_log_time_brin')")
    sql("SELECT brin_summarize_new_values('plans_log_time_brin')")
    sql("ANALYZE")


def prepare(args: argparse.Namespace, datasets: list[Dataset]) -> dict[str, str]:
    """{dataset key: database name}, each built unless --reuse finds it."""
    import django
    from django.core.management import call_command

    names = {d.key: f"{args.db_prefix}_{d.key}" for d in datasets}
    template = f"{args.db_prefix}_template"
    missing = [d for d in datasets if not (args.reuse and exists(args.database_url, names[d.key]))]
    configure(db_url(args.database_url, template))
    if missing:
        admin(args.database_url, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        admin(args.database_url, f'CREATE DATABASE "{template}"')
    django.setup()
    if missing:
        progress("migrating the template")
        call_command("migrate", verbosity=0, interactive=False)
        call_command("bootstrap", stdout=io.StringIO())
        from django.db import connections

        connections.close_all()
    now = datetime.now(UTC)
    for dataset in missing:
        name = names[dataset.key]
        admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin(args.database_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        use(name)
        started = time.perf_counter()
        build(dataset, now)
        mark_built(args.database_url, name, now)
        progress(
            f"{name}: {dataset.patients:,} patients in care (+ as many discharged), "
            f"{dataset.days} days, {time.perf_counter() - started:.0f} s"
        )
    if missing:
        from django.db import connection

        connection.close()
        admin(args.database_url, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
    return names


# --- What is measured ------------------------------------------------------------------------


@dataclass
class Path_:
    name: str
    setup: Callable[[], Callable[[], object]]  # on the current database: the call to time
    # Tables the call writes in its rolled-back transaction: vacuumed before every timed
    # call, untimed. A rollback leaves its rows dead in the heap and the indexes; without this,
    # each call would probe the dead entries of the calls before it, 20× more of them on
    # the large side (2,000 alerts a call against 100).
    writes: tuple[str, ...] = ()


def client_for(email: str):
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    from apps.accounts.models import User

    user = User.objects.get(email=email)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def checked(response, status: int = 200):
    if response.status_code != status:
        raise SystemExit(f"{response.status_code}: {response.content[:300]!r}")
    return response


def log_path():
    client = client_for("p7@bench.example")

    def call():
        body = {
            "client_id": str(uuid.uuid4()),
            "recorded_at": (datetime.now(UTC) - timedelta(minutes=30)).isoformat(),
            "pain_score": 3,
            "locations": ["front_of_knee"],
        }
        checked(client.post("/api/v1/symptom-logs/", body, format="json"), 201)

    return call


def today_path():
    client = client_for("p8@bench.example")
    return lambda: checked(client.get("/api/v1/today/"))


def dashboard_path():
    client = client_for("physio50@bench.example")
    return lambda: checked(client.get("/api/v1/patients/?page_size=50"))


def sync_path():
    client = client_for("p9@bench.example")
    first = checked(client.get("/api/v1/sync/")).json()
    while first.get("has_more"):
        first = checked(client.get("/api/v1/sync/", {"checkpoint": first["checkpoint"]})).json()
    checkpoint = first["checkpoint"]

    def call():
        page = checked(client.get("/api/v1/sync/", {"checkpoint": checkpoint})).json()
        assert not page.get("has_more")

    return call


def rolled_back(function):
    def call():
        from django.db import transaction

        with transaction.atomic():
            function()
            transaction.set_rollback(True)

    return call


def worsening_path():
    from apps.alerts.services import worsening_sweep

    now = built_at()
    return rolled_back(lambda: worsening_sweep(now=now))


def missed_path():
    from apps.alerts.services import missed_exercises_sweep

    now = built_at()
    return rolled_back(lambda: missed_exercises_sweep(now=now))


SWEEP_WRITES = (
    "alerts_alert",
    "alerts_alertevent",
    "notifications_notification",
    "notifications_pushdelivery",
)

PATHS = [
    Path_("POST symptom-logs/", log_path),
    Path_("GET today/", today_path),
    Path_("GET patients/ (50)", dashboard_path),
    Path_("GET sync/ (nothing new)", sync_path),
    Path_("worsening sweep", worsening_path, SWEEP_WRITES),
    Path_("missed-exercise sweep", missed_path, SWEEP_WRITES),
]


def queries_of(call) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def vacuum(tables: tuple[str, ...]) -> None:
    if tables:
        sql(f"VACUUM {', '.join(tables)}")


def side(name: str, path: Path_, runs: int) -> tuple[float, int]:
    use(name)
    call = path.setup()
    call()  # warm: connection, caches, first plans
    queries = queries_of(call)
    times = []
    for _ in range(runs):
        vacuum(path.writes)  # what the calls before left dead, whichever they were
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), queries


def compare(small: str, large: str, path: Path_, rounds: int, runs: int) -> dict:
    ratios, small_ms, large_ms, queries = [], [], [], (0, 0)
    for round_ in range(rounds):
        order = [(small, "s"), (large, "l")] if round_ % 2 == 0 else [(large, "l"), (small, "s")]
        got = {}
        for name, which in order:
            got[which] = side(name, path, runs)
        small_ms.append(got["s"][0])
        large_ms.append(got["l"][0])
        ratios.append(got["l"][0] / got["s"][0])
        queries = (got["s"][1], got["l"][1])
    return {
        "ratio": statistics.median(ratios),
        "low": min(ratios),
        "high": max(ratios),
        "small_ms": statistics.median(small_ms),
        "large_ms": statistics.median(large_ms),
        "queries": queries,
    }


# --- The sweeps' plans -----------------------------------------------------------------------


def explain(names: dict[str, str]) -> str:
    from django.db import connection, transaction

    from apps.alerts.services import worsening_candidates
    from apps.plans.adherence import adherence_7d_below

    out = []
    for key, name in names.items():
        use(name)
        now = built_at()
        for label, run in (
            ("worsening candidates", lambda now=now: list(worsening_candidates(now=now))),
            ("adherence below half", lambda now=now: adherence_7d_below(0.5, now=now)),
        ):
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as captured:
                run()
            # The reads are explained with the settings they ran under: the SQL adherence
            # runs SET LOCAL work_mem before its query, replayed here in one transaction.
            with transaction.atomic(), connection.cursor() as cursor:
                for query in captured.captured_queries:
                    statement = query["sql"].lstrip()
                    if statement.upper().startswith("SET "):
                        cursor.execute(statement)
                        continue
                    if not statement.upper().startswith(("SELECT", "WITH", "(")):
                        continue  # BEGIN, COMMIT, savepoints
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                    out.append(f"## {key}: {label}\n\n```\n{plan}\n```\n")
    return "\n".join(out)


# --- Main ------------------------------------------------------------------------------------


def render(results: dict, datasets: dict[str, Dataset], args, started, elapsed) -> str:
    import platform

    load = os.getloadavg()
    lines = [
        f"# scale.py, {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"PostgreSQL; {os.cpu_count()} CPUs ({platform.machine()}); load average at the end "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min); "
        f"{args.rounds} rounds of {args.runs} calls per side; {elapsed / 60:.1f} min.",
        "",
        "| dataset | patients in care | discharged | days of history |",
        "|---|---|---|---|",
    ]
    for dataset in datasets.values():
        lines.append(
            f"| {dataset.key} | {dataset.patients:,} | {dataset.patients:,} | {dataset.days} |"
        )
    lines += [
        "",
        "| path | axis | large/small (range) | small ms | large ms | queries small/large |",
        "|---|---|---|---|---|---|",
    ]
    for (path, axis), r in results.items():
        lines.append(
            f"| {path} | {axis} | {r['ratio']:.2f} ({r['low']:.2f}–{r['high']:.2f}) | "
            f"{r['small_ms']:.1f} | {r['large_ms']:.1f} | {r['queries'][0]}/{r['queries'][1]} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    args = parse_args(argv)
    small = 1000 // args.small
    datasets = {
        "base": Dataset("base", small, 60),
        "pop": Dataset("pop", small * 20, 60),
        "hist": Dataset("hist", small, 365),
    }
    if args.explain:
        wanted = {word.strip() for word in args.datasets.split(",")}
        datasets = {key: dataset for key, dataset in datasets.items() if key in wanted}
    started = datetime.now(UTC)
    names = prepare(args, list(datasets.values()))
    try:
        if args.explain:
            print(explain(names))
            return 0
        skip = {word.strip() for word in args.skip.split(",") if word.strip()}
        results = {}
        for path in PATHS:
            if path.name in skip:
                continue
            for axis, large in (("population", "pop"), ("history", "hist")):
                progress(f"{path.name}, {axis}")
                results[(path.name, axis)] = compare(
                    names["base"], names[large], path, args.rounds, args.runs
                )
        elapsed = (datetime.now(UTC) - started).total_seconds()
        table = render(results, datasets, args, started, elapsed)
        print(table)
        if not args.no_write:
            RESULTS_DIR.mkdir(exist_ok=True)
            suffix = f"-small{args.small}" if args.small != 1 else ""
            (RESULTS_DIR / f"scale-{started:%Y-%m-%d}{suffix}.md").write_text(table)
        return 0
    finally:
        if not args.keep:
            from django.db import connection

            connection.close()
            for name in names.values():
                admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the clinic portal's caseload page for a physiotherapist with 500 patients.

A request exactly as the browser sends it (a session past the second factor), through
Django's whole middleware stack (sessions, OTP, CSP, axes), in-process with Django's test
client: the figure is server time, without the network or the browser. It prints the median
and p95 over N repetitions, and the number of database queries one request makes.

The dataset is written in bulk (it is the page that is measured, not the writes): one physio
with 500 linked patients, each with ~28 days of symptom logs, an active plan with two items
and a week of exercise logs; every 10th patient has an open urgent alert, every 50th an
emergency one, every 5th an unread message. Nothing here is a test: no timing is asserted.

    .venv/bin/python bench/portal.py [--patients 500] [--repetitions 30]
        [--database-url postgres://postgres@127.0.0.1:5432/rehab_portal]

On PostgreSQL, everything happens inside one transaction that is rolled back at the end:
the database named is left as it was (its tables are migrated first).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Rollback(Exception):
    """Raised to leave the benchmark's transaction without keeping anything."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=500)
    parser.add_argument("--repetitions", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL; default: a temporary SQLite file"
    )
    return parser.parse_args(argv)


def configure(database_url: str, workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings.test"
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = ""  # the page needs no cache; a .env must not bring one in
    os.environ["CELERY_BROKER_DIR"] = str(workdir / "broker")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def build(patients: int) -> dict:
    """The caseload, written in bulk. Returns the physio and the ids the run needs."""
    from django.contrib.auth.hashers import make_password

    from apps.accounts.models import CareTeamLink, Role, User
    from apps.alerts.models import Alert
    from apps.clinics.models import Clinic, StaffMembership
    from apps.content.models import Exercise, Status
    from apps.episodes.models import Episode
    from apps.messaging.models import Message
    from apps.plans.models import ExerciseLog, ExercisePlan, PlanItem
    from apps.symptoms.models import SymptomLog

    now = datetime.now(UTC)
    today = now.date()
    password = make_password(None)
    physio = User.objects.create(
        email="bench-physio@example.org", role=Role.PHYSIO, password=password
    )
    people = User.objects.bulk_create(
        [
            User(email=f"bench-patient-{n:04d}@example.org", role=Role.PATIENT, password=password)
            for n in range(patients)
        ]
    )
    links = CareTeamLink.objects.bulk_create(
        [CareTeamLink(physio=physio, patient=p) for p in people]
    )
    exercises = [
        Exercise.objects.create(
            slug=f"bench-exercise-{n}",
            name=f"Bench exercise {n}",
            instructions="Stand.\nMove.",
            target_area="calf",
            default_sets=3,
            default_reps=10,
            source="knee_and_calf",
            status=Status.PUBLISHED,
        )
        for n in range(2)
    ]
    clinic = Clinic.objects.create(name="Bench clinic", slug="portal-bench")
    StaffMembership.objects.create(clinic=clinic, user=physio)
    # Every plan belongs to an episode of care: one active episode per patient.
    episodes = Episode.objects.bulk_create(
        [
            Episode(
                patient=patient,
                physio=physio,
                clinic=clinic,
                title="Episode of care",
                started_on=today - timedelta(days=21),
            )
            for patient in people
        ]
    )
    logs, alerts, plans, messages = [], [], [], []
    for n, patient in enumerate(people):
        for day in range(28):
            logs.append(
                SymptomLog(
                    patient=patient,
                    client_id=uuid.uuid4(),
                    recorded_at=now - timedelta(days=day, hours=n % 12),
                    pain_score=(n + day) % 8,
                    locations=["calf"],
                    triage_level="self_care",
                )
            )
        if n % 10 == 0:
            alerts.append(
                Alert(patient=patient, kind="red_flag", level="urgent", codes=["possible_dvt"])
            )
        if n % 50 == 0:
            alerts.append(
                Alert(patient=patient, kind="red_flag", level="emergency", codes=["cauda_equina"])
            )
        plans.append(
            ExercisePlan(
                patient=patient,
                physio=physio,
                episode=episodes[n],
                title="Plan",
                start_date=today - timedelta(days=21),
                end_date=today + timedelta(days=21),
            )
        )
        if n % 5 == 0:
            messages.append(
                Message(link=links[n], sender=patient, client_id=uuid.uuid4(), body="A question.")
            )
    SymptomLog.objects.bulk_create(logs, batch_size=2000)
    Alert.objects.bulk_create(alerts)
    Message.objects.bulk_create(messages)
    ExercisePlan.objects.bulk_create(plans)
    items = PlanItem.objects.bulk_create(
        [
            PlanItem(
                plan=plan,
                exercise=exercise,
                position=position,
                sets=3,
                reps=10,
                days_of_week=[0, 1, 2, 3, 4, 5, 6],
                sessions_per_week=7,
                max_pain=4,
            )
            for plan in plans
            for position, exercise in enumerate(exercises)
        ]
    )
    ExerciseLog.objects.bulk_create(
        [
            ExerciseLog(
                patient_id=item.plan.patient_id,
                plan_item=item,
                client_id=uuid.uuid4(),
                performed_at=now - timedelta(days=day),
                sets_done=3,
                pain_during=2,
            )
            for item in items
            for day in range(0, 7, 2)
        ],
        batch_size=2000,
    )
    return {
        "physio": physio,
        "patients": len(people),
        "symptom_logs": len(logs),
        "alerts": len(alerts),
    }


def signed_in_client(physio):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(physio)
    session = client.session
    device = TOTPDevice.objects.create(user=physio, name="bench", confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(client, url: str, repetitions: int, warmup: int, rows: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    timings, cpu = [], []
    for _ in range(repetitions):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, response.status_code
    assert response.content.count(b'<th scope="row">') == rows, "not every patient was rendered"
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return {
        "url": url,
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, round(0.95 * len(timings)) - 1)],
        # CPU time of this process (Django, templates, and SQLite when in-process): what the
        # request costs whatever else the machine is doing; PostgreSQL's own work is not in it.
        "cpu_ms": statistics.median(cpu),
        "queries": len(queries.captured_queries),
        "bytes": len(response.content),
    }


def run(args: argparse.Namespace) -> list[dict]:
    from django.db import connection, transaction

    results: list[dict] = []
    try:
        with transaction.atomic():
            facts = build(args.patients)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            client = signed_in_client(facts["physio"])
            print(
                f"{facts['patients']} patients, {facts['symptom_logs']} symptom logs, "
                f"{facts['alerts']} open alerts ({connection.vendor})",
                file=sys.stderr,
            )
            for url in ("/clinic/", "/clinic/?sort=-pain_change_7d", "/clinic/?alerts=on"):
                rows = args.patients if "alerts" not in url else None
                if rows is None:
                    rows = len({n for n in range(args.patients) if n % 10 == 0 or n % 50 == 0})
                results.append(measure(client, url, args.repetitions, args.warmup, rows))
            raise Rollback
    except Rollback:
        pass
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rehab-bench-portal-") as workdir:
        url = args.database_url or f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
        configure(url, Path(workdir))
        results = run(args)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs (timings grow with it)")
    print(f"{'page':<34} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8} {'queries':>8} {'KiB':>6}")
    for result in results:
        print(
            f"{result['url']:<34} {result['median_ms']:>10.1f} {result['p95_ms']:>8.1f} "
            f"{result['cpu_ms']:>8.1f} {result['queries']:>8} {result['bytes'] / 1024:>6.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One of every kind of record for one patient and the physiotherapist linked to them,
made through the services (as the API would make them): the state that the seeded-state
sweep (tests/api/test_seeded_sweep.py) reads every path of, and that schema fuzzing
(scripts/fuzz_api.py, in CI) starts from.

    seeded = seed_state(password=...)   # in a test, with the database available
    seeded.path_values                   # {"patient_id": [...], "plan_id": [...], ...}

`print_seeded()` seeds the database of the running Django and prints the emails, the
password and the path values as JSON; the fuzz script runs it under the production
settings:

    python manage.py shell -c "from tests.seed import print_seeded; print_seeded('P')"
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sys
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.services import care_invite_create, care_invite_join, user_create
from apps.alerts.models import Alert, AlertKind
from apps.alerts.services import alert_acknowledge, missed_exercises_sweep, worsening_check_patient
from apps.care.services import care_session_start
from apps.clinics.models import StaffRole
from apps.clinics.services import staff_add, staff_invite_create
from apps.content.models import Condition, Exercise, Protocol
from apps.content.services import content_load_fixtures, exercise_own_create
from apps.episode_lifecycle.services import episode_discharge, goal_create
from apps.episodes.services import episode_open
from apps.guidance.services import plan_item_guidance_apply
from apps.messaging.services import message_send
from apps.notifications.devices import device_register
from apps.notifications.inbox import notifications_create
from apps.notifications.models import NotificationKind, Reminder
from apps.outcomes.models import InstrumentVersion
from apps.outcomes.services import (
    ResponseFields,
    instruments_load,
    outcome_responses_store,
    outcome_schedule_create,
)
from apps.plans.services import exercise_log_create, plan_create, plan_template_create
from apps.symptoms.services import symptom_log_create, symptom_logs_bulk_create
from backend.bulk import BulkItem
from backend.errors import Conflict
from tests.factories.clinics import the_test_clinic

DEFAULT_PASSWORD = "Seeded-knee-2026"  # a throwaway test database's accounts


@dataclass
class Seeded:
    patient: Any
    physio: Any
    password: str
    # Path parameter name → the seeded values it may take (the first is the usual one).
    path_values: dict[str, list[str]] = field(default_factory=dict)
    # Paths whose `{slug}` is of another kind than the name says.
    slugs: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, *values: Any) -> None:
        self.path_values.setdefault(name, []).extend(str(v) for v in values)

    def as_json(self) -> dict[str, Any]:
        return {
            "patient": {"email": self.patient.email, "id": str(self.patient.pk)},
            "physio": {"email": self.physio.email, "id": str(self.physio.pk)},
            "password": self.password,
            "path_values": self.path_values,
            "slugs": self.slugs,
        }


def _log(minutes_ago: float, **fields: Any) -> dict[str, Any]:

    body: dict[str, Any] = {
        "client_id": uuid.uuid4(),
        "recorded_at": timezone.now() - timedelta(minutes=minutes_ago),
        "pain_score": 4,
        "side": "left",
        "locations": ["front_of_knee"],
        "qualities": ["aching"],
        "swelling": "none",
        "triggers": ["stairs"],
        "note": "Seeded.",
    }
    for name in (
        "redness",
        "warmth",
        "tenderness",
        "fever",
        "numbness_tingling",
        "weakness",
        "neuro_worsening",
        "sleep_disturbed",
        "daily_activities_limited",
        "knee_locking",
        "recent_knee_injury",
        "sudden_onset",
        "saddle_numbness",
        "bladder_bowel_change",
    ):
        body.setdefault(name, False)
    body.setdefault("can_bear_weight", True)
    body.update(fields)
    return body


def _content() -> dict[str, str]:
    """The shipped content and instruments (as `bootstrap` loads them), loaded if missing;
    a slug of each kind."""

    if not Exercise.objects.exists():
        content_load_fixtures()
    if not InstrumentVersion.objects.exists():
        instruments_load()
    return {
        "conditions": Condition.objects.order_by("slug").values_list("slug", flat=True)[0],
        "exercises": Exercise.objects.order_by("slug").values_list("slug", flat=True)[0],
        "protocols": Protocol.objects.order_by("slug").values_list("slug", flat=True)[0],
    }


def seed_state(*, password: str = DEFAULT_PASSWORD, stamp: str | None = None) -> Seeded:
    """The patient's and the physio's records, one of every kind (see the module's
    docstring). Safe in a test transaction; each call makes new accounts."""

    stamp = stamp or secrets.token_hex(4)
    now = timezone.now()
    today = now.date()
    slugs = _content()
    patient = user_create(
        email=f"seeded-patient-{stamp}@example.org",
        password=password,
        role="patient",
        timezone="Europe/London",
    )
    physio = user_create(
        email=f"seeded-physio-{stamp}@example.org", password=password, role="physio"
    )
    # The physio is the clinic's admin too: the staff list answers with rows.
    staff_add(clinic=the_test_clinic(), user=physio, role=StaffRole.ADMIN)
    seeded = Seeded(patient=patient, physio=physio, password=password)
    seeded.slugs = slugs
    seeded.add("patient_id", patient.pk)
    seeded.add("clinic_id", the_test_clinic().pk)
    seeded.add("user_id", physio.pk)
    # A staff invitation waiting for an answer: the list answers with a row.
    invite = staff_invite_create(
        clinic=the_test_clinic(), by=physio, email=f"seeded-invite-{stamp}@example.org"
    )
    seeded.add("invite_id", invite.row.pk)
    seeded.add("code", "lefs", "psfs", "pain_week")

    # Care team: a link through an invite, and an invite not yet used.
    link = care_invite_join(patient=patient, code=care_invite_create(physio=physio).code)
    care_invite_create(physio=physio)
    seeded.add("link_id", link.pk)

    # Devices of both, so notifications have push deliveries.
    device_register(user=patient, platform="android", token=f"seeded-patient-{stamp}")
    device_register(user=physio, platform="android", token=f"seeded-physio-{stamp}")

    # Symptom logs over ten days (the trend, the hint), worsening pain at the end, and a
    # red flag (an urgent alert, which the physio acknowledges).
    history = [
        BulkItem.valid(n, fields, fields["client_id"])
        for n, fields in enumerate(
            _log(
                60 * 24 * (10 - day) + 30,
                pain_score=2 if day < 6 else 8,
                locations=["front_of_knee", "inner_knee"],
                qualities=["dull", "aching"],
                triggers=["bending_back"],
                numbness_tingling=day % 2 == 0,
            )
            for day in range(10)
        )
    ]
    synced = symptom_logs_bulk_create(patient=patient, items=history)
    red_flag = symptom_log_create(
        patient=patient, **_log(20, locations=["calf"], redness=True, warmth=True, pain_score=6)
    ).log
    seeded.add("log_id", red_flag.pk, *(r.record.pk for r in synced[:1] if r.record))

    # An earlier episode of care with a plan and a goal, discharged with its report.
    exercises = list(Exercise.objects.order_by("slug")[:2])

    def items(max_pain: int) -> list[dict[str, Any]]:
        return [
            {
                "exercise": exercise,
                "sets": 2,
                "reps": 10,
                "hold_seconds": None,
                "times_per_day": 1,
                "days_of_week": list(range(7)),
                "max_pain": max_pain,
            }
            for exercise in exercises
        ]

    earlier = episode_open(
        physio=physio,
        patient=patient,
        title="Earlier knee care",
        started_on=today - timedelta(days=30),
    )
    old_plan = plan_create(
        physio=physio,
        patient_id=patient.pk,
        title="Earlier plan",
        start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=10),
        items=items(4),
        episode=earlier.pk,
    )
    goal_create(
        episode=earlier,
        by=physio,
        description="Climb stairs without pain",
        instrument="lefs",
        target=Decimal(60),
        due_on=today + timedelta(days=30),
    )
    episode_discharge(episode=earlier, by=physio, note="Goals reviewed; home programme.")

    # The current plan (its episode opened with it), sessions and reminders.
    plan = plan_create(
        physio=physio,
        patient_id=patient.pk,
        title="Knee and calf",
        start_date=today - timedelta(days=10),
        end_date=today + timedelta(days=40),
        items=items(3),
        reminder_times=["08:00", "18:30"],
    )
    current = plan.episode
    plan_items = list(plan.items.all())
    for days in (4, 3, 2, 1):
        exercise_log_create(
            patient=patient,
            plan_item=plan_items[0],
            client_id=uuid.uuid4(),
            performed_at=now - timedelta(days=days, hours=2),
            sets_done=2,
            reps_done=10,
            pain_during=2,
            difficulty=3,
            note="",
        )
    seeded.add("plan_id", plan.pk, old_plan.pk)
    seeded.add("item_id", *(item.pk for item in plan_items))
    seeded.add("episode_id", current.pk, earlier.pk)
    goal = goal_create(
        episode=current,
        by=physio,
        description="Walk 30 minutes",
        instrument="lefs",
        target=Decimal(70),
        due_on=today + timedelta(days=40),
    )
    seeded.add("goal_id", goal.pk)

    # The physio's own exercise and a plan template made from the current plan.
    exercise_own_create(
        owner=physio,
        name=f"Seeded step-ups {stamp}",
        instructions="Step up onto a low step and down again, slowly.",
        default_sets=2,
        default_reps=10,
    )
    template = plan_template_create(physio=physio, title="Knee basics", from_plan=plan)
    seeded.add("template_id", template.pk)

    # Questionnaires: a schedule of each kind of instrument, answered; a worsened LEFS.
    for code in ("lefs", "psfs"):
        schedule = outcome_schedule_create(
            physio=physio, patient=patient, instrument=code, every_days=7, starts_on=today
        )
        seeded.add("schedule_id", schedule.pk)
    answers: list[ResponseFields] = [
        {
            "client_id": uuid.uuid4(),
            "instrument": "lefs",
            "answers": [{"item": str(n), "value": value} for n in range(1, 21)],
            "completed_at": now - timedelta(days=days),
        }
        for days, value in ((9, 3), (2, 1))
    ]
    answers.append(
        {
            "client_id": uuid.uuid4(),
            "instrument": "psfs",
            "answers": [
                {"item": "1", "value": 4, "label": "stairs"},
                {"item": "2", "value": 6, "label": "walking"},
            ],
            "completed_at": now - timedelta(days=1),
        }
    )
    answers.append(
        {
            "client_id": uuid.uuid4(),
            "instrument": "pain_week",
            "answers": [{"item": "average", "value": 4}, {"item": "worst", "value": 6}],
            "completed_at": now - timedelta(hours=5),
        }
    )
    results = outcome_responses_store(
        patient=patient,
        items=[BulkItem.valid(n, fields, fields["client_id"]) for n, fields in enumerate(answers)],
    )
    seeded.add("response_id", *(r.record.pk for r in results if r.record is not None))

    # Care sessions: one running (its end reminder pending), one finished earlier.
    for minutes in (3, 600):
        session = care_session_start(
            patient=patient,
            client_id=uuid.uuid4(),
            kind="ice",
            started_at=now - timedelta(minutes=minutes),
            planned_minutes=15,
        ).session
        seeded.add("session_id", session.pk)

    # Messages both ways (the patient's with red-flag words gets the automatic reply).
    message_send(link=link, sender=patient, client_id=uuid.uuid4(), body="Calf is red and hot.")
    message_send(link=link, sender=physio, client_id=uuid.uuid4(), body="Log it now, please.")

    # Alerts of every kind: red flag (above, acknowledged), worsening, missed exercises.
    worsening_check_patient(patient_id=patient.pk, now=now)
    missed_exercises_sweep(now=now)
    alert_acknowledge(alert=Alert.objects.get(patient=patient, kind=AlertKind.RED_FLAG), by=physio)
    seeded.add("alert_id", *Alert.objects.filter(patient=patient).values_list("pk", flat=True))

    # Load guidance applied once (a dosage change), and an inbox notice of each side.
    # (The evidence may suggest hold: then there is nothing to apply and nothing changes.)
    with contextlib.suppress(Conflict):
        plan_item_guidance_apply(physio=physio, plan_id=plan.pk, item_id=plan_items[0].pk)
    notifications_create(
        users=[patient, physio],
        kind=NotificationKind.PLAN_CHANGED,
        title="Seeded notice",
        data={"plan": str(plan.pk)},  # as every plan_changed notification carries
    )
    seeded.add(
        "reminder_id", *Reminder.objects.filter(user=patient).values_list("pk", flat=True)[:3]
    )
    return seeded


def print_seeded(password: str = DEFAULT_PASSWORD) -> None:
    """Seed in one transaction and print what was seeded as one line of JSON."""
    with transaction.atomic():
        seeded = seed_state(password=password)
    sys.stdout.write(json.dumps(seeded.as_json()) + "\n")

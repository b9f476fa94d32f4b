"""Reads for load guidance: the evidence of the pain-monitoring model (model.py), gathered
with a fixed number of queries whatever the number of items or patients.

For one plan: the plan and its items (2 queries, scoped to the caller by
plans.selectors.plans_for), the items' sessions of the window (1), the patient's symptom
logs of the last 8 days for the mornings (1) and each week's sum and count of pain scores
for the weekly means (1), and whether a red-flag or worsening alert is open (1).
"""

import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from typing import Any
from uuid import UUID

from django.db.models import CharField, Count, Q, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from apps.accounts.models import User
from apps.alerts.models import ACTIVE_STATUSES, Alert, AlertKind
from apps.plans.models import ExerciseLog, ExercisePlan, PlanItem, PlanStatus
from apps.plans.selectors import plans_for
from apps.symptoms.models import SymptomLog

from .model import (
    WINDOW,
    Guidance,
    PainLog,
    PatientPain,
    Prescription,
    Session,
    dosage_step,
    load_guidance,
    patient_pain,
    suggests_reduce,
    weekly_from_sums,
)

# A session of the window falls on a local day whose morning began at most 7 days and one
# zone offset (under a day) ago.
MORNINGS_BACK = WINDOW + timedelta(days=1)

# Open or acknowledged (not yet resolved) red-flag and worsening alerts hold back
# `progress`; a missed-exercises alert says nothing about how the load is tolerated.
BLOCKING_KINDS = (AlertKind.RED_FLAG, AlertKind.WORSENING)


def prescription_of(item: PlanItem) -> Prescription:
    return Prescription(
        sets=item.sets,
        reps=item.reps,
        hold_seconds=item.hold_seconds,
        max_pain=item.max_pain,
        days_of_week=tuple(item.days_of_week),
    )


class _Ids(dict[str, uuid.UUID]):
    """Keys read as text, turned into UUIDs once each: a caseload reads thousands of rows
    of a few hundred ids, and Django would build a UUID per row. (The text differs between
    databases, hyphens or none; uuid.UUID reads both.)"""

    def __missing__(self, text: str) -> uuid.UUID:
        self[text] = value = uuid.UUID(text)
        return value


def _as_text(field: str) -> Cast:
    return Cast(field, output_field=CharField())


def _sessions_by_item(item_ids: Iterable[Any], now: datetime) -> dict[Any, list[Session]]:
    sessions: dict[Any, list[Session]] = defaultdict(list)
    ids = _Ids()
    rows = (
        ExerciseLog.objects.filter(
            plan_item_id__in=list(item_ids), performed_at__gt=now - WINDOW, performed_at__lte=now
        )
        .annotate(item_text=_as_text("plan_item_id"))
        .values_list(
            "item_text", "performed_at", "sets_done", "reps_done", "pain_during", "difficulty"
        )
    )
    for item_id, performed_at, sets_done, reps_done, pain_during, difficulty in rows:
        sessions[ids[item_id]].append(
            Session(performed_at, sets_done, reps_done, pain_during, difficulty)
        )
    return sessions


def _pain_by_patient(patients: dict[Any, Any], now: datetime) -> dict[Any, PatientPain]:
    """Each patient's mornings and weekly means, `patients` mapping id → zone. Two queries
    for any number of patients: the logs of the last 8 days (every morning a session of
    the window can need, in any zone), and each week's sum and count of pain scores."""
    if not patients:
        return {}
    logs: dict[Any, list[PainLog]] = defaultdict(list)
    ids = _Ids()
    rows = (
        SymptomLog.objects.filter(
            patient_id__in=list(patients),
            recorded_at__gt=now - MORNINGS_BACK,
            recorded_at__lte=now,
        )
        .annotate(patient_text=_as_text("patient_id"))
        .values_list("patient_text", "recorded_at", "pain_score")
    )
    for patient_id, recorded_at, pain in rows:
        logs[ids[patient_id]].append(PainLog(recorded_at, pain))
    this_week = Q(recorded_at__gt=now - WINDOW)
    week_before = Q(recorded_at__lte=now - WINDOW)
    sums = {
        row["patient_id"]: weekly_from_sums(
            row["this_sum"] or 0, row["this_count"], row["before_sum"] or 0, row["before_count"]
        )
        for row in SymptomLog.objects.filter(
            patient_id__in=list(patients),
            recorded_at__gt=now - 2 * WINDOW,
            recorded_at__lte=now,
        )
        .order_by()
        .values("patient_id")
        .annotate(
            this_sum=Sum("pain_score", filter=this_week),
            this_count=Count("id", filter=this_week),
            before_sum=Sum("pain_score", filter=week_before),
            before_count=Count("id", filter=week_before),
        )
    }
    no_logs = weekly_from_sums(0, 0, 0, 0)
    return {
        patient_id: patient_pain(logs[patient_id], zone, now, weekly=sums.get(patient_id, no_logs))
        for patient_id, zone in patients.items()
    }


def has_open_blocking_alert(patient: User) -> bool:
    return Alert.objects.filter(
        patient=patient, kind__in=BLOCKING_KINDS, status__in=ACTIVE_STATUSES
    ).exists()


def item_guidance(
    *,
    prescription: Prescription,
    dosage_changed_at: datetime | None,
    zone: tzinfo,
    sessions: list[Session],
    pain: PatientPain,
    blocking_alert: bool,
    now: datetime,
) -> Guidance:
    return load_guidance(
        prescription=prescription,
        sessions=sessions,
        pain=pain,
        zone=zone,
        now=now,
        has_open_blocking_alert=blocking_alert,
        dosage_changed_at=dosage_changed_at,
    )


def _entry(item: PlanItem, guidance: Guidance) -> dict[str, Any]:
    step = dosage_step(prescription_of(item), guidance.suggestion)
    return {
        "item": item.pk,
        "exercise": {"slug": item.exercise.slug, "name": item.exercise.name},
        "suggestion": guidance.suggestion.value,
        "reasons": [reason.value for reason in guidance.reasons],
        "evidence": guidance.evidence,
        "dosage": {
            "sets": item.sets,
            "reps": item.reps,
            "hold_seconds": item.hold_seconds,
            "dosage_version": item.dosage_version,
        },
        "step": step.as_dict() if step is not None else None,
    }


def guidance_for_items(
    *, plan: ExercisePlan, items: list[PlanItem], now: datetime | None = None
) -> list[tuple[PlanItem, Guidance]]:
    """The model's answer for each item: 4 queries for any number of items."""
    now = now or timezone.now()
    patient = plan.patient
    sessions = _sessions_by_item([item.pk for item in items], now)
    pain = _pain_by_patient({patient.pk: patient.zone}, now)[patient.pk]
    blocking = has_open_blocking_alert(patient)
    return [
        (
            item,
            item_guidance(
                prescription=prescription_of(item),
                dosage_changed_at=item.dosage_changed_at,
                zone=patient.zone,
                sessions=sessions[item.pk],
                pain=pain,
                blocking_alert=blocking,
                now=now,
            ),
        )
        for item in items
    ]


def plan_load_guidance(
    *, user: User, plan_id: UUID | str, now: datetime | None = None
) -> dict[str, Any] | None:
    """`plans/{id}/load-guidance/`: the linked physio's or the patient's own plan (None for
    anyone else), each current item with its suggestion. Six queries for any plan."""
    plan = plans_for(user=user).filter(pk=plan_id).first()
    if plan is None:
        return None
    items = [item for item in plan.items.all() if item.retired_at is None]
    return {
        "plan": plan.pk,
        "patient": plan.patient_id,
        "items": [
            _entry(item, guidance)
            for item, guidance in guidance_for_items(plan=plan, items=items, now=now)
        ],
    }


def reduce_counts(patient_ids: Iterable[Any], *, now: datetime | None = None) -> dict[Any, int]:
    """For the caseload: how many current items of each patient's active plan suggest
    `reduce`. Four queries for any number of patients (alerts never change a reduce)."""
    now = now or timezone.now()
    patient_ids = list(patient_ids)
    counts: dict[Any, int] = dict.fromkeys(patient_ids, 0)
    if not patient_ids:
        return counts
    # Plain rows, not model instances: a caseload of 500 patients has a thousand items.
    items = list(
        PlanItem.objects.filter(
            plan__patient_id__in=patient_ids,
            plan__status=PlanStatus.ACTIVE,
            retired_at__isnull=True,
        ).values_list(
            "pk",
            "plan__patient_id",
            "plan__patient__timezone",
            "sets",
            "reps",
            "hold_seconds",
            "max_pain",
            "dosage_changed_at",
        )
    )
    if not items:
        return counts
    zones = {patient_id: zoneinfo.ZoneInfo(name) for _, patient_id, name, *_ in items}
    sessions = _sessions_by_item([row[0] for row in items], now)
    pain = _pain_by_patient(zones, now)
    for pk, patient_id, _, sets, reps, hold_seconds, max_pain, changed_at in items:
        if suggests_reduce(
            prescription=Prescription(sets, reps, hold_seconds, max_pain),
            sessions=sessions[pk],
            pain=pain[patient_id],
            zone=zones[patient_id],
            now=now,
            dosage_changed_at=changed_at,
        ):
            counts[patient_id] += 1
    return counts

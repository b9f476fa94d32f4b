"""Reads for load guidance: the evidence of the pain-monitoring model (model.py), gathered
with a fixed number of queries whatever the number of items or patients.

For one plan: the plan and its items (2 queries, scoped to the caller by
plans.selectors.plans_for), the items' sessions of the window (1), the patient's symptom
logs of the last 14 days (1), and whether a red-flag or worsening alert is open (1).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.shortcuts import get_object_or_404
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
    Prescription,
    Session,
    Suggestion,
    dosage_step,
    load_guidance,
)

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


def _sessions_by_item(item_ids: Iterable, now: datetime) -> dict[Any, list[Session]]:
    sessions: dict[Any, list[Session]] = defaultdict(list)
    rows = ExerciseLog.objects.filter(
        plan_item_id__in=list(item_ids), performed_at__gt=now - WINDOW, performed_at__lte=now
    ).values_list(
        "plan_item_id", "performed_at", "sets_done", "reps_done", "pain_during", "difficulty"
    )
    for item_id, performed_at, sets_done, reps_done, pain_during, difficulty in rows:
        sessions[item_id].append(
            Session(performed_at, sets_done, reps_done, pain_during, difficulty)
        )
    return sessions


def _pain_logs_by_patient(patient_ids: Iterable, now: datetime) -> dict[Any, list[PainLog]]:
    logs: dict[Any, list[PainLog]] = defaultdict(list)
    rows = SymptomLog.objects.filter(
        patient_id__in=list(patient_ids),
        recorded_at__gt=now - 2 * WINDOW,
        recorded_at__lte=now,
    ).values_list("patient_id", "recorded_at", "pain_score")
    for patient_id, recorded_at, pain in rows:
        logs[patient_id].append(PainLog(recorded_at, pain))
    return logs


def has_open_blocking_alert(patient: User) -> bool:
    return Alert.objects.filter(
        patient=patient, kind__in=BLOCKING_KINDS, status__in=ACTIVE_STATUSES
    ).exists()


def item_guidance(
    *,
    item: PlanItem,
    zone,
    sessions: list[Session],
    pain_logs: list[PainLog],
    blocking_alert: bool,
    now: datetime,
) -> Guidance:
    return load_guidance(
        prescription=prescription_of(item),
        sessions=sessions,
        pain_logs=pain_logs,
        zone=zone,
        now=now,
        has_open_blocking_alert=blocking_alert,
        dosage_changed_at=item.dosage_changed_at,
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
    """The model's answer for each item: 3 queries for any number of items."""
    now = now or timezone.now()
    patient = plan.patient
    sessions = _sessions_by_item([item.pk for item in items], now)
    pain_logs = _pain_logs_by_patient([patient.pk], now)[patient.pk]
    blocking = has_open_blocking_alert(patient)
    return [
        (
            item,
            item_guidance(
                item=item,
                zone=patient.zone,
                sessions=sessions[item.pk],
                pain_logs=pain_logs,
                blocking_alert=blocking,
                now=now,
            ),
        )
        for item in items
    ]


def plan_load_guidance(*, user: User, plan_id, now: datetime | None = None) -> dict[str, Any]:
    """`plans/{id}/load-guidance/`: the linked physio's or the patient's own plan (404 for
    anyone else), each current item with its suggestion. Five queries for any plan."""
    plan = get_object_or_404(plans_for(user=user), pk=plan_id)
    items = [item for item in plan.items.all() if item.retired_at is None]
    return {
        "plan": plan.pk,
        "patient": plan.patient_id,
        "items": [
            _entry(item, guidance)
            for item, guidance in guidance_for_items(plan=plan, items=items, now=now)
        ],
    }


def plan_item_of(*, physio: User, plan_id, item_id) -> PlanItem:
    """An item of a plan of the physio's linked patient; 404 for anything else."""
    plan = get_object_or_404(plans_for(user=physio), pk=plan_id)
    item = get_object_or_404(PlanItem.objects.select_related("exercise"), pk=item_id, plan=plan)
    item.plan = plan
    return item


def reduce_counts(patient_ids: Iterable, *, now: datetime | None = None) -> dict[Any, int]:
    """For the caseload: how many current items of each patient's active plan suggest
    `reduce`. Three queries for any number of patients (alerts never change a reduce)."""
    now = now or timezone.now()
    patient_ids = list(patient_ids)
    counts: dict[Any, int] = dict.fromkeys(patient_ids, 0)
    if not patient_ids:
        return counts
    items = list(
        PlanItem.objects.filter(
            plan__patient_id__in=patient_ids,
            plan__status=PlanStatus.ACTIVE,
            retired_at__isnull=True,
        ).select_related("plan__patient")
    )
    if not items:
        return counts
    sessions = _sessions_by_item([item.pk for item in items], now)
    pain_logs = _pain_logs_by_patient({item.plan.patient_id for item in items}, now)
    for item in items:
        patient = item.plan.patient
        guidance = item_guidance(
            item=item,
            zone=patient.zone,
            sessions=sessions[item.pk],
            pain_logs=pain_logs[patient.pk],
            blocking_alert=False,
            now=now,
        )
        if guidance.suggestion == Suggestion.REDUCE:
            counts[patient.pk] += 1
    return counts

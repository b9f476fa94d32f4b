"""Writes for alerts: raising them from findings and the physiotherapist's workflow."""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Avg, Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from apps.accounts.models import CareTeamLink, User
from apps.episodes.models import Episode, EpisodeStatus
from apps.notifications.inbox import notifications_insert
from apps.notifications.models import NotificationKind
from apps.outcomes.models import OutcomeSchedule
from apps.plans.adherence import adherence_7d_below
from apps.plans.models import ExerciseLog, ExercisePlan, PlanStatus
from apps.symptoms.models import SymptomLog
from apps.symptoms.vocabulary import Level
from backend.errors import Conflict
from backend.hooks import LogKind
from backend.inserts import insert_ignoring_conflicts, json_rows
from backend.queue import enqueue_once_on_commit

from .errors import AlertError
from .models import (
    ACTIVE_STATUSES,
    ADHERENCE_BELOW_HALF,
    Alert,
    AlertEvent,
    AlertEventAction,
    AlertKind,
    AlertStatus,
)
from .worsening import (
    BASELINE,
    EXERCISE_STREAK,
    MAX_PAIN_DURING,
    MIN_RISE,
    PATIENT_ADVICE,
    RECENT,
    ExercisePoint,
    PainPoint,
    findings_level,
    worsening_findings,
)


def alerts_raise_red_flags(*, logs: list[SymptomLog]) -> list[Alert]:
    """The alerts for logs whose triage reached urgent or emergency, written in the logs'
    transaction so they exist together or not at all: two writes for any number."""
    if not logs:
        return []
    created = Alert.objects.bulk_create(
        [
            Alert(
                patient_id=log.patient_id,
                kind=AlertKind.RED_FLAG,
                level=log.triage_level,
                codes=list(log.triage_codes),
                symptom_log=log,
                recorded_at=log.recorded_at,
            )
            for log in logs
        ]
    )
    AlertEvent.objects.bulk_create(
        [AlertEvent(alert=alert, action=AlertEventAction.RAISED) for alert in created]
    )
    alerts_notify_physios(alerts=created)
    return created


# A physio's push title per (kind, level): whole sentences, so a translation may order
# them as its language does. Stored in English, pushed in the physio's language
# (apps/notifications/texts.py).
ALERT_TITLES: dict[tuple[str, str], str] = {
    (AlertKind.RED_FLAG, "emergency"): gettext_noop("Emergency: Red flag reported"),
    (AlertKind.RED_FLAG, "urgent"): gettext_noop("Urgent: Red flag reported"),
    (AlertKind.RED_FLAG, "soon"): gettext_noop("Soon: Red flag reported"),
    (AlertKind.RED_FLAG, "self_care"): gettext_noop("Info: Red flag reported"),
    (AlertKind.WORSENING, "emergency"): gettext_noop("Emergency: Symptoms getting worse"),
    (AlertKind.WORSENING, "urgent"): gettext_noop("Urgent: Symptoms getting worse"),
    (AlertKind.WORSENING, "soon"): gettext_noop("Soon: Symptoms getting worse"),
    (AlertKind.WORSENING, "self_care"): gettext_noop("Info: Symptoms getting worse"),
    (AlertKind.MISSED_EXERCISES, "emergency"): gettext_noop("Emergency: Exercises missed"),
    (AlertKind.MISSED_EXERCISES, "urgent"): gettext_noop("Urgent: Exercises missed"),
    (AlertKind.MISSED_EXERCISES, "soon"): gettext_noop("Soon: Exercises missed"),
    (AlertKind.MISSED_EXERCISES, "self_care"): gettext_noop("Info: Exercises missed"),
}
ALERT_TITLE_OTHER = gettext_noop("New alert for one of your patients")
ALERT_BODY = gettext_noop("Open the app to review this patient's alert.")
WORSENING_ADVICE_TITLE = gettext_noop("Your symptoms seem to be getting worse")


def alert_notify_physios(*, alert: Alert) -> None:
    alerts_notify_physios(alerts=[alert])


def alerts_notify_physios(*, alerts: list[Alert]) -> None:
    """Inbox rows (and push deliveries) for every physio linked to each alert's patient,
    written in the alerts' transaction: if an alert exists, so do its notifications (an
    outbox). A fixed number of queries for any number of alerts."""
    if not alerts:
        return

    links = CareTeamLink.objects.filter(
        patient_id__in={alert.patient_id for alert in alerts},
        ended_at__isnull=True,
        physio__is_active=True,
    ).values_list("patient_id", "physio_id")
    physios: dict[Any, list[Any]] = {}
    for patient_id, physio_id in links:
        physios.setdefault(patient_id, []).append(physio_id)
    # Titles carry no clinical detail: a lock screen is not a private place.
    notifications_insert(
        [
            {
                "user_id": physio_id,
                "kind": NotificationKind.ALERT,
                "title": ALERT_TITLES.get((alert.kind, alert.level), ALERT_TITLE_OTHER),
                "body": ALERT_BODY,
                "data": {
                    "alert_id": str(alert.id),
                    "patient_id": str(alert.patient_id),
                    "level": alert.level,
                },
                "alert_id": alert.id,
            }
            for alert in alerts
            for physio_id in physios.get(alert.patient_id, [])
        ]
    )


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    return max((moment for moment in (first, second) if moment is not None), default=None)


def alert_upsert(
    *,
    patient: User,
    kind: str,
    level: str,
    codes: list[str],
    details: dict[str, Any],
    recorded_at: datetime | None = None,
) -> tuple[Alert, bool]:
    """One active alert per patient and kind: a new finding updates the active alert
    (new codes are added, `recorded_at` moves to the newest finding's) instead of
    stacking another. Returns (alert, changed)."""
    active = (
        Alert.objects.select_for_update()
        .filter(patient=patient, kind=kind, status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])
        .first()
    )
    if active is None:
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    patient=patient,
                    kind=kind,
                    level=level,
                    codes=sorted(codes),
                    details=details,
                    recorded_at=recorded_at,
                )
        except IntegrityError:  # raised concurrently: update that one instead
            return alert_upsert(
                patient=patient,
                kind=kind,
                level=level,
                codes=codes,
                details=details,
                recorded_at=recorded_at,
            )
        AlertEvent.objects.create(alert=alert, action=AlertEventAction.RAISED, details=details)
        return alert, True
    added = sorted(set(codes) - set(active.codes))
    if not added:
        return active, False
    active.codes = sorted(set(active.codes) | set(codes))
    active.details = {**active.details, **details}
    active.recorded_at = _later(active.recorded_at, recorded_at)
    active.save(update_fields=["codes", "details", "recorded_at", "updated_at"])
    AlertEvent.objects.create(
        alert=active, action=AlertEventAction.UPDATED, details={"added": added}
    )
    return active, True


# {patient id: (level, codes, details, recorded_at)}
Findings = dict[Any, tuple[str, list[str], dict[str, Any], datetime | None]]


def alerts_upsert_bulk(
    *,
    kind: str,
    findings: Findings,
) -> tuple[list[Alert], dict[Any, Alert]]:
    """alert_upsert for many patients at once, in the caller's transaction: `findings`
    maps a patient id to (level, codes, details, recorded_at). Returns the alerts raised or changed
    (new codes added), to notify about, and {patient id: active alert} for all. A fixed number of queries for any number of
    patients: the active alerts are read (and locked) at once, new ones inserted in one
    statement whose conflicts (an alert raised concurrently) the database decides; the
    few that lost such a race go through alert_upsert one by one."""
    if not findings:
        return [], {}
    now = timezone.now()
    active = {
        alert.patient_id: alert
        for alert in Alert.objects.select_for_update().filter(
            patient_id__in=findings.keys(), kind=kind, status__in=ACTIVE_STATUSES
        )
    }
    fresh = {
        patient_id: finding for patient_id, finding in findings.items() if patient_id not in active
    }
    raised = _alerts_raise(kind=kind, findings=fresh, now=now)
    updated = []
    added_codes: dict[Any, list[str]] = {}
    for patient_id, alert in active.items():
        _, codes, details, recorded_at = findings[patient_id]
        added = sorted(set(codes) - set(alert.codes))
        if added:
            alert.codes = sorted(set(alert.codes) | set(codes))
            alert.details = {**alert.details, **details}
            alert.recorded_at = _later(alert.recorded_at, recorded_at)
            alert.updated_at = now
            added_codes[alert.pk] = added
            updated.append(alert)
    if updated:
        Alert.objects.bulk_update(updated, ["codes", "details", "recorded_at", "updated_at"])
    AlertEvent.objects.bulk_create(
        [
            AlertEvent(
                alert=alert,
                action=AlertEventAction.UPDATED,
                details={"added": added_codes[alert.pk]},
            )
            for alert in updated
        ]
    )
    changed = raised + updated
    current = {**active, **{alert.patient_id: alert for alert in raised}}
    for patient_id in fresh:
        if patient_id not in current:  # raised concurrently since the read: update that one
            level, codes, details, recorded_at = findings[patient_id]
            again, was_changed = alert_upsert(
                patient=User(pk=patient_id),
                kind=kind,
                level=level,
                codes=codes,
                details=details,
                recorded_at=recorded_at,
            )
            if was_changed:
                changed.append(again)
            current[patient_id] = again
    return changed, current


# Literal table names (this app's own): no SQL is built from data. The findings arrive as
# one JSON document that PostgreSQL unpacks; a patient whose active alert of this kind
# appeared since it was read is skipped by the partial unique constraint.
_ALERTS_RAISE_SQL = """
    WITH fresh AS (
        INSERT INTO alerts_alert
            (id, patient_id, kind, level, codes, status, details, recorded_at, created_at,
             updated_at, resolution_note)
        SELECT r.id, r.patient_id, %(kind)s, r.level, r.codes, %(open)s, r.details,
            r.recorded_at, %(now)s, %(now)s, ''
        FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(
            id uuid, patient_id uuid, level text, codes jsonb, details jsonb,
            recorded_at timestamptz)
        ON CONFLICT DO NOTHING
        RETURNING id, details
    ), raised AS (
        INSERT INTO alerts_alertevent (alert_id, action, at, details)
        SELECT id, %(raised)s, %(now)s, details FROM fresh
    )
    SELECT id FROM fresh
"""


def _alerts_raise(*, kind: str, findings: Findings, now: datetime) -> list[Alert]:
    """New active alerts of `kind` for `findings` (patients with none) and their `raised`
    events, in the caller's transaction; a patient whose alert was raised concurrently is
    skipped (left out of the answer). On PostgreSQL one statement from one JSON parameter
    (the sweeps raise hundreds per chunk; no model instance is written through the ORM);
    elsewhere insert_ignoring_conflicts and bulk_create. Same rows either way."""
    if not findings:
        return []
    alerts = [
        Alert(
            patient_id=patient_id,
            kind=kind,
            level=level,
            codes=sorted(codes),
            details=details,
            recorded_at=recorded_at,
            created_at=now,
            updated_at=now,
        )
        for patient_id, (level, codes, details, recorded_at) in findings.items()
    ]
    if connection.vendor != "postgresql":
        stored = insert_ignoring_conflicts(alerts)
        raised = [alert for alert in alerts if alert.pk in stored]
        AlertEvent.objects.bulk_create(
            [
                AlertEvent(alert=alert, action=AlertEventAction.RAISED, details=alert.details)
                for alert in raised
            ]
        )
        return raised
    rows = [
        {
            "id": alert.id,
            "patient_id": alert.patient_id,
            "level": alert.level,
            "codes": alert.codes,
            "details": alert.details,
            "recorded_at": alert.recorded_at,
        }
        for alert in alerts
    ]
    params: dict[str, Any] = {
        "rows": json_rows(rows),
        "kind": kind,
        "open": AlertStatus.OPEN,
        "raised": AlertEventAction.RAISED,
        "now": now,
    }
    with connection.cursor() as cursor:
        cursor.execute(_ALERTS_RAISE_SQL, params)
        stored = {alert_id for (alert_id,) in cursor.fetchall()}
    raised = [alert for alert in alerts if alert.id in stored]
    for alert in raised:
        alert._state.adding, alert._state.db = False, connection.alias
    return raised


@transaction.atomic
def alert_acknowledge(*, alert: Alert, by: User) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != AlertStatus.OPEN:
        raise Conflict(
            _("This alert is %(status)s; only an open alert can be acknowledged.")
            % {"status": alert.get_status_display().lower()},
            AlertError.INVALID_TRANSITION,
        )
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = by
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "updated_at"])
    AlertEvent.objects.create(alert=alert, action=AlertEventAction.ACKNOWLEDGED, actor=by)
    return alert


# What a physiotherapist may write on resolving an alert.
RESOLUTION_NOTE_MAX_LENGTH = 2000


@transaction.atomic
def alert_resolve(*, alert: Alert, by: User, note: str = "") -> Alert:
    """Resolve an open or acknowledged alert; `note` (what was done) is kept on the alert
    and on its `resolved` event. Until this, the alert keeps its level in every ranking."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.RESOLVED:
        raise Conflict(_("This alert is already resolved."), AlertError.INVALID_TRANSITION)
    alert.status = AlertStatus.RESOLVED
    alert.resolved_at = timezone.now()
    alert.resolved_by = by
    alert.resolution_note = note.strip()
    alert.full_clean(validate_unique=False, validate_constraints=False)
    alert.save(
        update_fields=["status", "resolved_at", "resolved_by", "resolution_note", "updated_at"]
    )
    AlertEvent.objects.create(
        alert=alert,
        action=AlertEventAction.RESOLVED,
        actor=by,
        details={"note": alert.resolution_note} if alert.resolution_note else {},
    )
    return alert


# --- Worsening (docs/domain.md, "Worsening: checked in the background") -------------------

WORSENING_LOOKBACK = timedelta(days=10)
EXERCISE_LOOKBACK = timedelta(days=14)


def worsening_check_patient(*, patient_id: Any, now: datetime | None = None) -> Alert | None:
    """Evaluate the worsening rules for one patient; raise or update the one active
    worsening alert; tell the physios and give the patient advice when something is new."""
    return worsening_check_patients(patient_ids=[patient_id], now=now).get(patient_id)


def _worsening_inputs_of(
    patient_ids: Iterable[Any], now: datetime
) -> dict[Any, tuple[list[PainPoint], list[ExercisePoint]]]:
    """Each patient's pain points and latest exercise points: two queries for all."""

    inputs: dict[Any, tuple[list[PainPoint], list[ExercisePoint]]] = {
        patient_id: ([], []) for patient_id in patient_ids
    }
    for row in SymptomLog.objects.filter(
        patient_id__in=patient_ids,
        recorded_at__gt=now - WORSENING_LOOKBACK,
        recorded_at__lte=now,
    ).values(
        "patient_id",
        "recorded_at",
        "pain_score",
        "swelling",
        "numbness_tingling",
        "weakness",
        "can_bear_weight",
    ):
        inputs[row["patient_id"]][0].append(
            PainPoint(
                recorded_at=row["recorded_at"],
                pain_score=row["pain_score"],
                swelling=row["swelling"] != "none",
                numbness=row["numbness_tingling"] or row["weakness"],
                cannot_bear_weight=not row["can_bear_weight"],
            )
        )
    # Each plan item's latest sessions, as the rules read them (per item: another
    # exercise logged in between must not hide a streak), chosen by the database. At the
    # same instant the more painful one ranks as the later, as in the rules.
    latest = Window(
        RowNumber(),
        partition_by=[F("patient_id"), F("plan_item_id")],
        order_by=[F("performed_at").desc(), F("pain_during").desc()],
    )
    for session in (
        ExerciseLog.objects.filter(
            patient_id__in=patient_ids,
            performed_at__gt=now - EXERCISE_LOOKBACK,
            performed_at__lte=now,
        )
        .annotate(rank=latest)
        .filter(rank__lte=EXERCISE_STREAK)
        .order_by("patient_id", "-performed_at")
        .values(
            "patient_id",
            "plan_item_id",
            "performed_at",
            "pain_during",
            "plan_item__max_pain",
            "plan_item__exercise__name",
        )
    ):
        inputs[session["patient_id"]][1].append(
            ExercisePoint(
                performed_at=session["performed_at"],
                plan_item=session["plan_item_id"],
                pain_during=session["pain_during"],
                max_pain=session["plan_item__max_pain"],
                exercise=session["plan_item__exercise__name"],
            )
        )
    return inputs


@transaction.atomic
def worsening_check_patients(
    *, patient_ids: Iterable[Any], now: datetime | None = None
) -> dict[Any, Alert]:
    """worsening_check_patient for many patients in one transaction and a fixed number
    of queries (the nightly sweep passes them in chunks). Returns {patient id: the
    active worsening alert} for those with findings."""

    now = now or timezone.now()
    active_ids = list(
        User.objects.filter(pk__in=list(patient_ids), is_active=True).values_list("pk", flat=True)
    )
    findings = {}
    for patient_id, (pains, exercises) in _worsening_inputs_of(active_ids, now).items():
        found = worsening_findings(now=now, pains=pains, exercises=exercises)
        if found:
            findings[patient_id] = (
                findings_level(found),
                [finding.code for finding in found],
                {finding.code: finding.detail for finding in found},
                max(
                    (f.recorded_at for f in found if f.recorded_at is not None),
                    default=None,
                ),
            )
    if not findings:
        return {}
    changed, current = alerts_upsert_bulk(kind=AlertKind.WORSENING, findings=findings)
    alerts_notify_physios(alerts=changed)
    notifications_insert(
        [
            {
                "user_id": alert.patient_id,
                "kind": NotificationKind.ADVICE,
                "title": WORSENING_ADVICE_TITLE,
                "body": PATIENT_ADVICE,
                "data": {"alert_id": str(alert.id)},
            }
            for alert in changed
        ]
    )
    return current


def in_care(field: str = "patient_id") -> Q:
    """The patients the nightly sweeps read, as a filter on `field`: those with an active
    plan, episode of care or outcome schedule, each set read from the rows that are active
    (partial unique indexes hold exactly those). A discharged patient is in none of them,
    so their history costs a sweep nothing (docs/decisions/sweep-indexes.md)."""
    active = (
        ExercisePlan.objects.filter(status=PlanStatus.ACTIVE),
        Episode.objects.filter(status=EpisodeStatus.ACTIVE),
        OutcomeSchedule.objects.filter(ended_at__isnull=True),
    )
    in_any = Q()
    for rows in active:
        in_any |= Q(**{f"{field}__in": rows.values("patient_id")})
    return in_any


def worsening_candidates(*, now: datetime | None = None) -> QuerySet[Any]:
    """Patients in care (`in_care`) whose logs inside the look-back windows may show
    worsening, found with aggregates in the database (one query each for symptoms and
    exercises) rather than by reading every log. The windows are read through the indexes
    on the time columns, so the cost follows the logs of the last days, not the archive."""

    now = now or timezone.now()
    recent_from, baseline_from = now - RECENT, now - RECENT - BASELINE
    recent, baseline = Q(recorded_at__gt=recent_from), Q(recorded_at__lte=recent_from)
    swelling, numbness, no_weight = (
        ~Q(swelling="none"),
        Q(numbness_tingling=True) | Q(weakness=True),
        Q(can_bear_weight=False),
    )
    by_symptoms = (
        SymptomLog.objects.filter(in_care(), recorded_at__gt=baseline_from, recorded_at__lte=now)
        .order_by()
        .values("patient")
        .annotate(
            recent_mean=Avg("pain_score", filter=recent),
            baseline_mean=Avg("pain_score", filter=baseline),
            baseline_count=Count("id", filter=baseline),
            new_swelling=Count("id", filter=recent & swelling),
            old_swelling=Count("id", filter=baseline & swelling),
            new_numbness=Count("id", filter=recent & numbness),
            old_numbness=Count("id", filter=baseline & numbness),
            new_no_weight=Count("id", filter=recent & no_weight),
            old_no_weight=Count("id", filter=baseline & no_weight),
        )
        .filter(
            # The rules decide exactly; the database only narrows (floats: allow a hair).
            Q(recent_mean__gte=F("baseline_mean") + MIN_RISE - 1e-9)
            | Q(baseline_count__gt=0)
            & (
                Q(new_swelling__gt=0, old_swelling=0)
                | Q(new_numbness__gt=0, old_numbness=0)
                | Q(new_no_weight__gt=0, old_no_weight=0)
            )
        )
        .values_list("patient", flat=True)
    )
    # Above the item's limit or above the ceiling of 5, twice for one item (the rules then
    # decide whether the two are the item's latest).
    above = Q(pain_above_limit=True) | Q(pain_during__gt=MAX_PAIN_DURING)
    by_exercise = (
        ExerciseLog.objects.filter(
            above, in_care(), performed_at__gt=now - EXERCISE_LOOKBACK, performed_at__lte=now
        )
        .order_by()
        .values("patient", "plan_item")
        .annotate(times=Count("id"))
        .filter(times__gte=EXERCISE_STREAK)
        .values_list("patient", flat=True)
    )
    return by_symptoms.union(by_exercise)


# Candidates checked per transaction by the sweeps: the queries per chunk are fixed.
SWEEP_CHUNK = 500


def _chunks(values: list[Any], size: int = SWEEP_CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@contextmanager
def sweep_chunk() -> Iterator[None]:
    """One chunk's transaction. Its foreign-key checks are deferred to COMMIT (Django makes
    them DEFERRABLE INITIALLY DEFERRED): one per inserted alert, event and notification and
    per foreign key, some 2,500 for 500 alerts. The connections' `force_custom_plan`
    (docs/decisions/empty-table-planning.md) plans each of them again; here, for this
    transaction only, PostgreSQL may keep one plan per constraint (a primary-key probe on
    tables that are never empty by then), which took the commit of 500 alerts from about
    130 to 45 ms (docs/decisions/sweep-indexes.md)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL plan_cache_mode = auto")
        yield


logger = logging.getLogger(__name__)

# The BRIN indexes the sweeps' time windows read (docs/decisions/sweep-indexes.md).
SWEEP_BRIN_INDEXES = ("symptoms_log_time_brin", "plans_log_time_brin")


def sweep_indexes_summarise() -> int:
    """Summarise the block ranges of the sweeps' BRIN indexes that autovacuum has not
    reached yet: an unsummarised range is read whole by every sweep, so a lagging
    autovacuum would make a sweep read the table. Cheap when there is nothing new (the
    common case with `autosummarize`). PostgreSQL only; a failure (a role that does not
    own the index, say) is logged and the sweep goes on, only slower."""
    if connection.vendor != "postgresql":
        return 0
    summarised = 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for index in SWEEP_BRIN_INDEXES:
                cursor.execute("SELECT brin_summarize_new_values(%s::regclass)", [index])
                summarised += cursor.fetchone()[0]
    except DatabaseError as error:
        logger.warning("sweep_indexes_summarise: %s", type(error).__name__)
    return summarised


def worsening_sweep(*, now: datetime | None = None) -> int:
    """Nightly: check every patient the aggregates point at, set-based: the candidates in
    one query, then their logs, alerts and notifications a few queries per chunk of
    SWEEP_CHUNK patients (one transaction each), never a loop of per-patient queries."""
    now = now or timezone.now()
    sweep_indexes_summarise()
    candidates = list(worsening_candidates(now=now))
    for chunk in _chunks(candidates):
        with sweep_chunk():
            worsening_check_patients(patient_ids=chunk, now=now)
    return len(candidates)


def worsening_check_soon(*, patient_id: Any) -> None:
    """After a log: check this patient in a minute, once however many logs arrive. The
    debounce asks the cache after commit, off the request, so a hung Redis never holds
    the patient's response (the nightly sweep catches what it skips)."""
    enqueue_once_on_commit(
        f"worsening-check:{patient_id}",
        WORSENING_DEBOUNCE_SECONDS,
        "apps.alerts.tasks.check_worsening",
        str(patient_id),
        countdown=WORSENING_DEBOUNCE_SECONDS,
    )


# A log whose triage reaches these levels raises an alert for the physiotherapists in the
# log's own transaction (docs/domain.md, Red flags).
RED_FLAG_ALERT_LEVELS = {Level.URGENT, Level.EMERGENCY}


def on_logs_recorded(
    sender: object, *, patient_id: Any, kind: str, logs: list[Any], **kwargs: Any
) -> None:
    """The `logs_recorded` hook: red-flag alerts for urgent and emergency symptom logs,
    in the storing transaction, and the debounced worsening check after any new log."""
    if kind == LogKind.SYMPTOM:
        alerts_raise_red_flags(
            logs=[log for log in logs if log.triage_level in RED_FLAG_ALERT_LEVELS]
        )
    if kind in (LogKind.SYMPTOM, LogKind.EXERCISE):
        worsening_check_soon(patient_id=patient_id)


WORSENING_DEBOUNCE_SECONDS = 60


# --- Missed exercises -------------------------------------------------------------------------

MISSED_THRESHOLD = 0.5


def missed_exercises_sweep(*, now: datetime | None = None) -> int:
    """Daily: patients whose last-7-day adherence is under half get one active
    missed_exercises alert (plans that started less than a week ago are not judged)."""
    sweep_indexes_summarise()
    below = adherence_7d_below(MISSED_THRESHOLD, now=now or timezone.now())
    raised = 0
    for chunk in _chunks(below):
        with sweep_chunk():
            changed, _records = alerts_upsert_bulk(
                kind=AlertKind.MISSED_EXERCISES,
                findings={
                    patient_id: (
                        "self_care",
                        [ADHERENCE_BELOW_HALF],
                        {"adherence_7d": round(adherence, 2)},
                        None,  # an absence: nothing the patient recorded raised it
                    )
                    for patient_id, adherence in chunk
                },
            )
            alerts_notify_physios(alerts=changed)
            raised += len(changed)
    return raised

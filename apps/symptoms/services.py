"""Writes for symptom logs: store, triage and raise alerts in one transaction."""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from itertools import islice, takewhile
from typing import Any

from django.db import transaction

from apps.accounts.models import User
from backend import hooks
from backend.inserts import insert_ignoring_conflicts, insert_or_ignore

from . import triage as rules
from .models import SymptomLog

TRIAGE_HISTORY = timedelta(days=7)
HINT_WINDOW = timedelta(days=14)
HINT_MAX_LOGS = 10

FACT_FIELDS = tuple(
    name for name in rules.LogFacts.__dataclass_fields__ if name not in {"recorded_at"}
)
SET_FIELDS = ("locations", "qualities", "triggers")


def facts_of(values: Any) -> rules.LogFacts:
    """A SymptomLog (or a dict of its fields) as the plain data the rules read."""
    get = (
        values.get
        if isinstance(values, dict)
        else lambda name, default=None: getattr(values, name, default)
    )
    data: dict[str, Any] = {"recorded_at": get("recorded_at")}
    for name in FACT_FIELDS:
        value = get(name, rules.LogFacts.__dataclass_fields__[name].default)
        data[name] = frozenset(value or ()) if name in SET_FIELDS else value
    return rules.LogFacts(**data)


# The columns the rules read: history is read as plain values of these, never as whole
# rows (a note of 1,000 characters and the stored triage are not needed to triage).
HISTORY_COLUMNS = ("recorded_at", *FACT_FIELDS)


def _history(
    patient: User, before: datetime, *, window: timedelta, limit: int = 200
) -> list[dict[str, Any]]:
    return list(
        SymptomLog.objects.filter(
            patient=patient, recorded_at__lt=before, recorded_at__gte=before - window
        )
        .order_by("-recorded_at")
        .values(*HISTORY_COLUMNS)[:limit]
    )


def _hints(new: rules.LogFacts, earlier: Sequence[rules.LogFacts]) -> list[dict[str, Any]]:
    since = new.recorded_at - HINT_WINDOW
    # The first HINT_MAX_LOGS - 1 in the window, without filtering the rest: a bulk sync
    # passes each item hundreds of earlier logs.
    window = [new, *islice((f for f in earlier if f.recorded_at >= since), HINT_MAX_LOGS - 1)]
    hint = rules.referred_pain_hint(window)
    return [asdict(hint)] if hint else []


def _assess(
    fields: dict[str, Any],
    earlier: Sequence[rules.LogFacts],
    history: Sequence[rules.LogFacts] | None = None,
) -> dict[str, Any]:
    """Triage and hints for a log not yet saved; `earlier` is newest first (so the
    triage history is read up to the first log older than TRIAGE_HISTORY, no further).
    `history`, when the caller already has it: the logs of the TRIAGE_HISTORY before."""
    new = facts_of(fields)
    if history is None:
        since = new.recorded_at - TRIAGE_HISTORY
        history = list(
            takewhile(
                lambda f: f.recorded_at >= since,
                (f for f in earlier if f.recorded_at < new.recorded_at),
            )
        )
    result = rules.triage(new, history)
    return {
        "triage_level": result.level,
        "triage_codes": [flag.code for flag in result.flags],
        # The hint looks back HINT_WINDOW (14 days), as the physio's summary does; triage
        # only reads the last TRIAGE_HISTORY.
        "hints": _hints(new, earlier),
    }


@dataclass(frozen=True)
class Outcome:
    log: SymptomLog
    created: bool


@transaction.atomic
def symptom_log_create(*, patient: User, **fields: Any) -> Outcome:
    """Store a log with its triage; an urgent or emergency answer raises an alert in the
    same transaction. The same client_id again returns the stored log unchanged, even
    when two copies race: the unique constraint decides (INSERT … ON CONFLICT DO
    NOTHING), and the stored copy is read only when the database kept it out.

    Statements: the history (values of the columns the rules read), the insert, and
    for a copy already stored one read of it; no read before the insert."""
    earlier = [
        facts_of(row) for row in _history(patient, fields["recorded_at"], window=HINT_WINDOW)
    ]
    log = SymptomLog(patient=patient, **fields, **_assess(fields, earlier))
    log.full_clean(exclude=["patient"], validate_unique=False, validate_constraints=False)
    if not insert_or_ignore(log):
        return Outcome(
            SymptomLog.objects.get(patient=patient, client_id=fields["client_id"]), created=False
        )

    # Subscribers (alerts) raise the red-flag alert in this same transaction.
    hooks.logs_recorded.send(
        sender=SymptomLog, patient_id=patient.pk, kind=hooks.LogKind.SYMPTOM, logs=[log]
    )
    return Outcome(log, created=True)


@dataclass(frozen=True)
class BulkItem:
    """One item of a bulk upload: validated fields, or the errors to report."""

    index: int
    fields: dict[str, Any] | None = None
    errors: list[dict[str, Any]] | None = None

    @property
    def valid_fields(self) -> dict[str, Any]:
        """The fields of an item the caller already knows is valid."""
        assert self.fields is not None
        return self.fields


@dataclass(frozen=True)
class BulkResult:
    index: int
    status: str  # created | existing | invalid
    log: SymptomLog | None = None
    errors: list[dict[str, Any]] | None = None


@transaction.atomic
def symptom_logs_bulk_create(*, patient: User, items: Iterable[BulkItem]) -> list[BulkResult]:
    """Offline sync: store every valid item in one bulk write; report each in order.

    Queries do not grow with the number of items: known client_ids are read once, the
    triage history once, new logs and their alerts are written in bulk.
    """
    items = list(items)
    valid = [item for item in items if item.fields is not None]
    client_ids = {item.valid_fields["client_id"] for item in valid}
    known = {
        log.client_id: log
        for log in SymptomLog.objects.filter(patient=patient, client_id__in=client_ids)
    }

    to_create: dict[Any, SymptomLog] = {}  # client_id -> new log (first copy wins)
    pending = [item for item in valid if item.valid_fields["client_id"] not in known]
    if pending:
        first_time = min(item.valid_fields["recorded_at"] for item in pending)
        last_time = max(item.valid_fields["recorded_at"] for item in pending)
        stored = SymptomLog.objects.filter(
            patient=patient, recorded_at__gte=first_time - HINT_WINDOW, recorded_at__lt=last_time
        ).order_by("-recorded_at")
        # The patient's timeline, oldest first, with the new logs inserted as they are
        # assessed: each item sees the logs before it, stored or synced with it.
        timeline = [facts_of(row) for row in list(stored.values(*HISTORY_COLUMNS)[:1000])[::-1]]
        times = [facts.recorded_at for facts in timeline]
        for item in sorted(pending, key=lambda i: i.valid_fields["recorded_at"]):
            if item.valid_fields["client_id"] in to_create:
                continue
            at = item.valid_fields["recorded_at"]
            # Slices of the sorted timeline, newest first: the hint's last few logs of
            # HINT_WINDOW and triage's TRIAGE_HISTORY (no per-item filtering of the rest).
            first, end = bisect_left(times, at - HINT_WINDOW), bisect_left(times, at)
            week = bisect_left(times, at - TRIAGE_HISTORY)
            earlier = timeline[max(first, end - HINT_MAX_LOGS) : end][::-1]
            history = timeline[week:end][::-1]
            log = SymptomLog(
                patient=patient, **item.valid_fields, **_assess(item.valid_fields, earlier, history)
            )
            log.full_clean(exclude=["patient"], validate_unique=False, validate_constraints=False)
            to_create[item.valid_fields["client_id"]] = log
            position = bisect_right(times, at)
            times.insert(position, at)
            timeline.insert(position, facts_of(log))

    if to_create:
        # A copy synced at the same moment by another request is skipped by the database,
        # and the insert says which rows it stored: the others are read back, if any.
        ours = insert_ignoring_conflicts(list(to_create.values()))
        lost = [client_id for client_id, log in to_create.items() if log.pk not in ours]
        if lost:
            for log in SymptomLog.objects.filter(patient=patient, client_id__in=lost):
                known[log.client_id] = log
                del to_create[log.client_id]
        if to_create:
            hooks.logs_recorded.send(
                sender=SymptomLog,
                patient_id=patient.pk,
                kind=hooks.LogKind.SYMPTOM,
                logs=list(to_create.values()),
            )

    results: list[BulkResult] = []
    reported: set[Any] = set()
    for item in items:
        if item.fields is None:
            results.append(BulkResult(item.index, "invalid", errors=item.errors))
            continue
        client_id = item.valid_fields["client_id"]
        if client_id in to_create and client_id not in reported:
            results.append(BulkResult(item.index, "created", log=to_create[client_id]))
            reported.add(client_id)
        else:
            results.append(
                BulkResult(item.index, "existing", log=known.get(client_id) or to_create[client_id])
            )
    return results

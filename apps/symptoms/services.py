"""Writes for symptom logs: store, triage and raise alerts in one transaction."""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from itertools import islice, takewhile
from typing import Any, TypedDict
from uuid import UUID

from django.db import transaction

from apps.accounts.models import User
from backend import hooks
from backend.bulk import BulkItem, BulkResult, Valid, first_copies, results_in_order, valid_items
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


class SymptomLogFields(TypedDict):
    """A log's fields as the phone sent them, validated (docs/api.md, Symptom logs)."""

    client_id: UUID
    recorded_at: datetime
    pain_score: int
    side: str
    locations: list[str]
    qualities: list[str]
    swelling: str
    triggers: list[str]
    note: str
    redness: bool
    warmth: bool
    tenderness: bool
    fever: bool
    numbness_tingling: bool
    weakness: bool
    neuro_worsening: bool
    can_bear_weight: bool
    sleep_disturbed: bool
    daily_activities_limited: bool
    knee_locking: bool
    recent_knee_injury: bool
    sudden_onset: bool
    saddle_numbness: bool
    bladder_bowel_change: bool


# (name, default) of each fact, looked up once: facts_of runs for every log of a batch and
# of its history (some 1,500 for a 500-log sync).
_FACT_DEFAULTS = tuple(
    (name, rules.LogFacts.__dataclass_fields__[name].default) for name in FACT_FIELDS
)


def facts_of(values: Any) -> rules.LogFacts:
    """A SymptomLog (or a dict of its fields) as the plain data the rules read."""
    if isinstance(values, dict):
        get = values.get
        data = {name: get(name, default) for name, default in _FACT_DEFAULTS}
        data["recorded_at"] = get("recorded_at")
    else:
        data = {name: getattr(values, name, default) for name, default in _FACT_DEFAULTS}
        data["recorded_at"] = getattr(values, "recorded_at", None)
    for name in SET_FIELDS:
        data[name] = frozenset(data[name] or ())
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


@dataclass(frozen=True)
class Assessment:
    """What triage and the hint say of a log not yet saved (stored with it)."""

    triage_level: str
    triage_codes: list[str]
    hints: list[dict[str, Any]]

    def as_fields(self) -> dict[str, Any]:
        return {
            "triage_level": self.triage_level,
            "triage_codes": self.triage_codes,
            "hints": self.hints,
        }


def _assess(
    fields: Mapping[str, Any],
    earlier: Sequence[rules.LogFacts],
    history: Sequence[rules.LogFacts] | None = None,
    *,
    facts: rules.LogFacts | None = None,
) -> Assessment:
    """Triage and hints for a log not yet saved; `earlier` is newest
    first (so the triage history is read up to the first log older than TRIAGE_HISTORY,
    no further). `history`, when the caller already has it: the logs of the
    TRIAGE_HISTORY before; `facts`, the log's own when the caller has them."""
    new = facts or facts_of(fields)
    if history is None:
        since = new.recorded_at - TRIAGE_HISTORY
        history = list(
            takewhile(
                lambda f: f.recorded_at >= since,
                (f for f in earlier if f.recorded_at < new.recorded_at),
            )
        )
    result = rules.triage(new, history)
    return Assessment(
        triage_level=result.level,
        triage_codes=[flag.code for flag in result.flags],
        # The hint looks back HINT_WINDOW (14 days), as the physio's summary does; triage
        # only reads the last TRIAGE_HISTORY.
        hints=_hints(new, earlier),
    )


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
    log = SymptomLog(patient=patient, **fields, **_assess(fields, earlier).as_fields())
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

    # --- Offline sync: load, triage in time order, persist, announce ----------------------------


@dataclass
class Timeline:
    """The patient's logs around a batch, oldest first, as the rules read them. The new
    logs go in as they are assessed: each item sees the logs before it, stored or synced
    with it, exactly as if the logs had been sent one by one."""

    facts: list[rules.LogFacts]
    times: list[datetime]

    def before(self, at: datetime) -> tuple[list[rules.LogFacts], list[rules.LogFacts]]:
        """Newest first: the hint's last few logs of HINT_WINDOW, and triage's
        TRIAGE_HISTORY. Slices of the sorted timeline, no per-item filtering of the rest."""
        first, end = bisect_left(self.times, at - HINT_WINDOW), bisect_left(self.times, at)
        week = bisect_left(self.times, at - TRIAGE_HISTORY)
        earlier = self.facts[max(first, end - HINT_MAX_LOGS) : end][::-1]
        return earlier, self.facts[week:end][::-1]

    def add(self, facts: rules.LogFacts) -> None:
        position = bisect_right(self.times, facts.recorded_at)
        self.times.insert(position, facts.recorded_at)
        self.facts.insert(position, facts)


def _known_logs(patient: User, client_ids: set[UUID]) -> dict[UUID, SymptomLog]:
    """Load: the logs of these client_ids stored before (one query)."""
    return {
        log.client_id: log
        for log in SymptomLog.objects.filter(patient=patient, client_id__in=client_ids)
    }


def _timeline_around(patient: User, times: Sequence[datetime]) -> Timeline:
    """Load: the stored logs from HINT_WINDOW before the first of `times` to the last
    (one query, at most the newest 1,000)."""
    stored = SymptomLog.objects.filter(
        patient=patient,
        recorded_at__gte=min(times) - HINT_WINDOW,
        recorded_at__lt=max(times),
    ).order_by("-recorded_at")
    facts = [facts_of(row) for row in list(stored.values(*HISTORY_COLUMNS)[:1000])[::-1]]
    return Timeline(facts, [f.recorded_at for f in facts])


def _triaged(
    patient: User, items: Sequence[Valid[SymptomLogFields]], timeline: Timeline
) -> dict[UUID, SymptomLog]:
    """Triage: each item (in time order) as an unsaved log with its answer. No per-item
    `full_clean`: every field of a Valid item passed the input serializer in the batch's
    one validation pass (types, ranges, choices, lengths), the triage fields are the rules'
    own, and the database's constraints still stand; model validation again cost a 500-log
    sync some 70 ms (docs/decisions/one-bulk-pipeline.md)."""
    new: dict[UUID, SymptomLog] = {}
    for item in items:
        earlier, history = timeline.before(item.fields["recorded_at"])
        facts = facts_of(item.fields)
        assessment = _assess(item.fields, earlier, history, facts=facts)
        new[item.client_id] = SymptomLog(patient=patient, **item.fields, **assessment.as_fields())
        timeline.add(facts)
    return new


def _stored(
    patient: User, new: dict[UUID, SymptomLog], known: dict[UUID, SymptomLog]
) -> dict[UUID, SymptomLog]:
    """Persist: one insert. A copy synced at the same moment by another request is skipped
    by the database, and the insert says which rows it stored: the others are read back
    (into `known`), if any. Returns the logs this request stored."""
    if not new:
        return {}
    ours = insert_ignoring_conflicts(list(new.values()))
    lost = [client_id for client_id, log in new.items() if log.pk not in ours]
    if lost:
        for log in SymptomLog.objects.filter(patient=patient, client_id__in=lost):
            known[log.client_id] = log
    return {client_id: log for client_id, log in new.items() if log.pk in ours}


def _announce(patient: User, logs: list[SymptomLog]) -> None:
    """Announce: subscribers (alerts) raise red-flag alerts in this same transaction."""
    if logs:
        hooks.logs_recorded.send(
            sender=SymptomLog, patient_id=patient.pk, kind=hooks.LogKind.SYMPTOM, logs=logs
        )


@transaction.atomic
def symptom_logs_bulk_create(
    *, patient: User, items: Iterable[BulkItem[SymptomLogFields]]
) -> list[BulkResult[SymptomLog]]:
    """Offline sync: store every valid item in one bulk write; report each in order.

    Items are triaged in time order, so of two copies of one client_id the one recorded
    first is stored. Queries do not grow with the number of items: known client_ids are
    read once, the triage history once, new logs and their alerts are written in bulk.
    """
    items = list(items)
    valid = valid_items(items)
    known = _known_logs(patient, {item.client_id for item in valid})
    in_time_order = sorted(
        (item for item in valid if item.client_id not in known),
        key=lambda item: item.fields["recorded_at"],
    )
    new: dict[UUID, SymptomLog] = {}
    if in_time_order:
        timeline = _timeline_around(patient, [i.fields["recorded_at"] for i in in_time_order])
        new = _triaged(patient, first_copies(in_time_order, known=known), timeline)
    created = _stored(patient, new, known)
    _announce(patient, list(created.values()))
    return results_in_order(items, created=created, known=known)

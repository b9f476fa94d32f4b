"""The pain-monitoring model for exercise load (docs/domain.md, "Pain-monitoring model"):
pure functions over plain data, no database, no settings, no clock.

The caller (selectors.py) reads one plan item's prescription, its sessions, the patient's
symptom logs and whether an alert is open, and passes them here with `now` and the
patient's zone. tests/guidance/test_model.py covers every rule at its boundaries.

Windows and days (all half-open, the newer side owns the boundary, like alerts/worsening.py):
    sessions      (now - 7 days, now]                 and, when the item's dosage was
                                                      changed, after that change only
    this week     (now - 7 days, now]                 symptom logs for the weekly mean
    week before   (now - 14 days, now - 7 days]
    morning of D  the patient's first symptom log on local day D at or after 00:00 and
                  before 12:00 (11:59:59 is morning, 12:00:00 is not)
A session on local day D is compared by the morning of D + 1 (its "next morning") against
the morning of D (the "morning before"); a session without both is not compared (it
neither blocks `progress` nor counts as worse), and with no session compared at all the
answer is `insufficient_data`. A session without a difficulty rating does not block
`progress` either; the evidence counts both, for the physiotherapist to weigh. Sessions and
logs after `now` are ignored.

Precedence: `reduce` (any reason to reduce wins, however few the sessions), then
`insufficient_data`, then `progress` when every condition holds and no red-flag or
worsening alert is open, else `hold` naming each condition that failed.

A suggestion is advice for the physiotherapist, never applied by itself
(docs/decisions/guidance-is-advice.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from fractions import Fraction
from typing import Any

WINDOW = timedelta(days=7)
NOON = time(12, 0)
# Pain during exercise may reach 5/10 (Thomeé 1997; Silbernagel 2007).
MAX_PAIN_DURING = 5
# Progress only when the load is easy: pain during ≤ 2, difficulty ≤ 3 (of 1–5).
PROGRESS_MAX_PAIN = 2
PROGRESS_MAX_DIFFICULTY = 3
PROGRESS_MIN_SESSIONS = 4
MIN_SESSIONS = 3
# NPRS 0–10: a 2-point change is the smallest that matters (Farrar 2001), as in worsening.
WEEKLY_RISE = Fraction(2)

# One dosage step (docs/domain.md).
MAX_SETS = 3
MAX_REPS = 15
MIN_SETS = 1
MIN_REPS = 5
REPS_STEP = 2
HOLD_STEP = 5


class Suggestion(StrEnum):
    PROGRESS = "progress"
    HOLD = "hold"
    REDUCE = "reduce"
    INSUFFICIENT_DATA = "insufficient_data"


class Reason(StrEnum):
    """Why a suggestion was made; clients may rely on these codes (docs/domain.md)."""

    # reduce: any of these
    PAIN_DURING_ABOVE_5 = "pain_during_above_5"  # a session's pain during exercise > 5
    PAIN_DURING_ABOVE_MAX = "pain_during_above_max"  # a session's pain during > item max_pain
    NEXT_MORNING_WORSE = "next_morning_worse"  # a next morning > the morning before it
    WEEKLY_PAIN_RISE = "weekly_pain_rise"  # this week's mean pain ≥ 2 above the week before
    # insufficient_data: either or both
    TOO_FEW_SESSIONS = "too_few_sessions"  # under 3 sessions in the window
    NO_MORNING_LOGS = "no_morning_logs"  # no session has both mornings logged
    # progress
    LOAD_TOLERATED = "load_tolerated"  # every progress condition holds
    # hold: each progress condition that failed
    FEW_SESSIONS_AS_PRESCRIBED = "few_sessions_as_prescribed"  # under 4 with all sets and reps
    PAIN_DURING_ABOVE_2 = "pain_during_above_2"  # a session's pain during is 3–5
    DIFFICULTY_ABOVE_3 = "difficulty_above_3"  # a session rated 4 or 5
    OPEN_ALERT = "open_alert"  # would progress, but a red-flag or worsening alert is open


@dataclass(frozen=True)
class Prescription:
    sets: int
    reps: int | None
    hold_seconds: int | None
    max_pain: int
    days_of_week: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)

    @property
    def holds(self) -> bool:
        return bool(self.hold_seconds)


@dataclass(frozen=True)
class Session:
    """One exercise log of the item."""

    performed_at: datetime  # aware
    sets_done: int
    reps_done: int | None
    pain_during: int
    difficulty: int | None


@dataclass(frozen=True)
class PainLog:
    """One symptom log of the patient."""

    recorded_at: datetime  # aware
    pain: int


@dataclass(frozen=True)
class Guidance:
    suggestion: Suggestion
    reasons: list[Reason]
    evidence: dict[str, Any]  # JSON-safe numbers and dates: what the rules used

    @property
    def applicable(self) -> bool:
        return self.suggestion in (Suggestion.PROGRESS, Suggestion.REDUCE)

    def as_dict(self) -> dict[str, Any]:
        """`{suggestion, reasons, evidence}` with plain strings."""
        return {
            "suggestion": self.suggestion.value,
            "reasons": [reason.value for reason in self.reasons],
            "evidence": self.evidence,
        }

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


# --- Helpers ------------------------------------------------------------------------------------


def mornings(logs: Sequence[PainLog], zone: tzinfo, now: datetime) -> dict[date, PainLog]:
    """Each local day's morning log: the first log before noon, local time."""
    result: dict[date, PainLog] = {}
    for log in sorted(logs, key=lambda log: log.recorded_at):
        if log.recorded_at > now:
            continue
        local = log.recorded_at.astimezone(zone)
        if local.time() < NOON and local.date() not in result:
            result[local.date()] = log
    return result


def weekly_from_sums(
    this_sum: int, this_count: int, before_sum: int, before_count: int
) -> dict[str, Any]:
    """This week's mean pain, the week before's, and the change (None without logs on
    both sides: no baseline, no rise), from each week's sum and count of pain scores."""
    current = Fraction(this_sum, this_count) if this_count else None
    previous = Fraction(before_sum, before_count) if before_count else None
    change = None if current is None or previous is None else current - previous
    return {"this_week": current, "week_before": previous, "change": change}


def weekly_mean_change(logs: Sequence[PainLog], now: datetime) -> dict[str, Any]:
    """The weekly means over `logs`: this week (now - 7 days, now], the week before
    (now - 14 days, now - 7 days]."""
    this_week = [log.pain for log in logs if now - WINDOW < log.recorded_at <= now]
    week_before = [log.pain for log in logs if now - 2 * WINDOW < log.recorded_at <= now - WINDOW]
    return weekly_from_sums(sum(this_week), len(this_week), sum(week_before), len(week_before))


@dataclass(frozen=True)
class PatientPain:
    """What the model needs from a patient's symptom logs, the same for each of their
    items: computed once per patient."""

    mornings: dict[date, PainLog]
    weekly: dict[str, Any]


def patient_pain(
    pain_logs: Sequence[PainLog],
    zone: tzinfo,
    now: datetime,
    weekly: dict[str, Any] | None = None,
) -> PatientPain:
    """`weekly` may come from the database's sums (weekly_from_sums), and `pain_logs` then
    need only cover the mornings: the last 8 days."""
    return PatientPain(
        mornings=mornings(pain_logs, zone, now),
        weekly=weekly if weekly is not None else weekly_mean_change(pain_logs, now),
    )


def _rounded(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 2)


def done_as_prescribed(session: Session, prescription: Prescription) -> bool:
    """All the prescribed sets, and all the reps when reps are prescribed."""
    if session.sets_done < prescription.sets:
        return False
    if prescription.reps:
        return session.reps_done is not None and session.reps_done >= prescription.reps
    return True


# --- The model ----------------------------------------------------------------------------------


def _plain(
    prescription: Prescription | Mapping[str, Any],
    sessions: Sequence[Session | Mapping[str, Any]],
    pain_logs: Sequence[PainLog | Mapping[str, Any]],
) -> tuple[Prescription, list[Session], list[PainLog]]:
    if isinstance(prescription, Mapping):
        prescription = Prescription(
            sets=prescription["sets"],
            reps=prescription.get("reps"),
            hold_seconds=prescription.get("hold_seconds"),
            max_pain=prescription["max_pain"],
            days_of_week=tuple(prescription.get("days_of_week", range(7))),
        )
    plain_sessions = [
        Session(
            s["performed_at"],
            s["sets_done"],
            s.get("reps_done"),
            s["pain_during"],
            s.get("difficulty"),
        )
        if isinstance(s, Mapping)
        else s
        for s in sessions
    ]
    plain_logs = [
        PainLog(log["recorded_at"], log["pain"] if "pain" in log else log["pain_score"])
        if isinstance(log, Mapping)
        else log
        for log in pain_logs
    ]
    return prescription, plain_sessions, plain_logs


def _judged_sessions(
    sessions: Sequence[Session],
    pain: PatientPain,
    zone: tzinfo,
    now: datetime,
    dosage_changed_at: datetime | None,
) -> tuple[datetime, list[dict[str, Any]]]:
    """The window's start and its sessions, oldest first, each with its local day and
    the pain of the morning before and of the next morning (None when not logged)."""
    since = now - WINDOW
    if dosage_changed_at is not None and dosage_changed_at > since:
        # Sessions before the last dosage change were done at another load.
        since = dosage_changed_at
    rows = []
    for session in sorted(sessions, key=lambda s: s.performed_at):
        if not since < session.performed_at <= now:
            continue
        day = session.performed_at.astimezone(zone).date()
        before, after = pain.mornings.get(day), pain.mornings.get(day + timedelta(days=1))
        rows.append(
            {
                "session": session,
                "day": day,
                "before": before.pain if before else None,
                "after": after.pain if after else None,
            }
        )
    return since, rows


def _reduce_reasons(
    prescription: Prescription,
    rows: list[dict[str, Any]],
    compared: list[dict[str, Any]],
    weekly: dict[str, Any],
) -> list[Reason]:
    reasons: list[Reason] = []
    if any(row["session"].pain_during > MAX_PAIN_DURING for row in rows):
        reasons.append(Reason.PAIN_DURING_ABOVE_5)
    if any(row["session"].pain_during > prescription.max_pain for row in rows):
        reasons.append(Reason.PAIN_DURING_ABOVE_MAX)
    if any(row["after"] > row["before"] for row in compared):
        reasons.append(Reason.NEXT_MORNING_WORSE)
    if weekly["change"] is not None and weekly["change"] >= WEEKLY_RISE:
        reasons.append(Reason.WEEKLY_PAIN_RISE)
    return reasons


def suggests_reduce(
    *,
    prescription: Prescription,
    sessions: Sequence[Session],
    pain: PatientPain,
    zone: tzinfo,
    now: datetime,
    dosage_changed_at: datetime | None = None,
) -> bool:
    """Whether load_guidance would answer `reduce` (the same rules, without building the
    evidence): for counts over a whole caseload. Alerts never change a reduce."""
    _, rows = _judged_sessions(sessions, pain, zone, now, dosage_changed_at)
    compared = [row for row in rows if row["before"] is not None and row["after"] is not None]
    return bool(_reduce_reasons(prescription, rows, compared, pain.weekly))


def load_guidance(
    *,
    prescription: Prescription,
    sessions: Sequence[Session],
    zone: tzinfo,
    now: datetime,
    has_open_blocking_alert: bool,
    pain_logs: Sequence[PainLog] = (),
    pain: PatientPain | None = None,
    dosage_changed_at: datetime | None = None,
) -> Guidance:
    """The suggestion for one plan item: reduce, progress, insufficient_data or hold, in
    that order of precedence (a reason to reduce is never hidden by a lack of data).

    The patient's symptom logs come as `pain_logs` (14 days), or already digested as
    `pain` (patient_pain), which a caller with many items computes once per patient.
    Weekly means are exact fractions: a 2-point rise is never 1.9999999.

    Plain mappings are accepted for the prescription, sessions and logs (the dataclasses'
    field names; a log's pain as `pain` or `pain_score`)."""
    prescription, plain_sessions, plain_logs = _plain(prescription, sessions, pain_logs)
    if pain is None:
        pain = patient_pain(plain_logs, zone, now)
    since, rows = _judged_sessions(plain_sessions, pain, zone, now, dosage_changed_at)
    compared = [row for row in rows if row["before"] is not None and row["after"] is not None]
    weekly = pain.weekly
    reasons = _reduce_reasons(prescription, rows, compared, weekly)

    as_prescribed = sum(1 for row in rows if done_as_prescribed(row["session"], prescription))
    evidence = {
        "window_start": since.isoformat(),
        "sessions": len(rows),
        "sessions_as_prescribed": as_prescribed,
        "max_pain_during": max((row["session"].pain_during for row in rows), default=None),
        "item_max_pain": prescription.max_pain,
        "max_difficulty": max(
            (row["session"].difficulty for row in rows if row["session"].difficulty is not None),
            default=None,
        ),
        "sessions_without_difficulty": sum(1 for row in rows if row["session"].difficulty is None),
        "mornings_compared": len(compared),
        "mornings_worse": sum(1 for row in compared if row["after"] > row["before"]),
        "weekly_mean_pain": _rounded(weekly["this_week"]),
        "previous_weekly_mean_pain": _rounded(weekly["week_before"]),
        "weekly_mean_change": _rounded(weekly["change"]),
        "open_blocking_alert": has_open_blocking_alert,
        "days": [
            {
                "date": row["day"].isoformat(),
                "pain_during": row["session"].pain_during,
                "sets_done": row["session"].sets_done,
                "reps_done": row["session"].reps_done,
                "difficulty": row["session"].difficulty,
                "morning_before": row["before"],
                "next_morning": row["after"],
            }
            for row in rows
        ],
    }
    if reasons:
        return Guidance(Suggestion.REDUCE, reasons, evidence)

    if len(rows) < MIN_SESSIONS:
        reasons.append(Reason.TOO_FEW_SESSIONS)
    if not compared:
        reasons.append(Reason.NO_MORNING_LOGS)
    if reasons:
        return Guidance(Suggestion.INSUFFICIENT_DATA, reasons, evidence)

    if as_prescribed < PROGRESS_MIN_SESSIONS:
        reasons.append(Reason.FEW_SESSIONS_AS_PRESCRIBED)
    if any(row["session"].pain_during > PROGRESS_MAX_PAIN for row in rows):
        reasons.append(Reason.PAIN_DURING_ABOVE_2)
    if any(
        row["session"].difficulty is not None
        and row["session"].difficulty > PROGRESS_MAX_DIFFICULTY
        for row in rows
    ):
        reasons.append(Reason.DIFFICULTY_ABOVE_3)
    if reasons:
        return Guidance(Suggestion.HOLD, reasons, evidence)
    if has_open_blocking_alert:
        return Guidance(Suggestion.HOLD, [Reason.OPEN_ALERT], evidence)
    return Guidance(Suggestion.PROGRESS, [Reason.LOAD_TOLERATED], evidence)


# --- One dosage step ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dosage:
    sets: int
    reps: int | None
    hold_seconds: int | None

    def as_dict(self) -> dict[str, int | None]:
        return {"sets": self.sets, "reps": self.reps, "hold_seconds": self.hold_seconds}


def dosage_step(
    prescription: Prescription | Dosage | Mapping[str, Any], direction: Suggestion | str
) -> Any:
    """The next dosage one step up (progress) or down (reduce), or None when no step is
    possible (at the caps, at the floors, or for hold and insufficient_data).

    Progress: a set (up to 3), else 2 reps (up to 15, for items with reps), else 5 s of hold
    (for items that hold). Reduce takes them back in reverse: hold first, then reps, then
    sets, never under 1 set, 5 reps or 5 s of hold. A step never jumps a cap or a floor: 14
    reps progress to 15, 6 reps reduce to 5; an item already past a cap (4 sets) is not
    stepped further that way, and reduce brings it back towards it.

    Given a mapping (`{"sets", "reps", "hold_seconds", ...}`), answers a copy of it with the
    new dosage; otherwise a Dosage."""
    if isinstance(prescription, Mapping):
        step = dosage_step(
            Dosage(
                prescription["sets"], prescription.get("reps"), prescription.get("hold_seconds")
            ),
            direction,
        )
        return None if step is None else {**prescription, **step.as_dict()}
    sets, reps, hold = prescription.sets, prescription.reps, prescription.hold_seconds
    if direction == Suggestion.PROGRESS:
        if sets < MAX_SETS:
            return Dosage(sets + 1, reps, hold)
        if reps and reps < MAX_REPS:
            return Dosage(sets, min(reps + REPS_STEP, MAX_REPS), hold)
        if hold:
            return Dosage(sets, reps, hold + HOLD_STEP)
        return None
    if direction == Suggestion.REDUCE:
        if hold and hold > HOLD_STEP:
            return Dosage(sets, reps, max(hold - HOLD_STEP, HOLD_STEP))
        if reps and reps > MIN_REPS:
            return Dosage(sets, max(reps - REPS_STEP, MIN_REPS), hold)
        if sets > MIN_SETS:
            return Dosage(sets - 1, reps, hold)
        return None
    return None

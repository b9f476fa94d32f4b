"""Worsening rules: pure functions over a patient's recent logs (docs/domain.md, "Worsening:
checked in the background").

No database, no settings, no clock: the caller passes `now` and the logs as plain data, and
tests/alerts/test_worsening_rules.py covers every rule at its boundaries.

Windows, all measured back from `now` (a log exactly on a boundary belongs to the newer side,
the same half-open intervals the database prefilter in services.worsening_candidates uses):
    recent    (now - 3 days,  now]
    baseline  (now - 10 days, now - 3 days]      the 7 days before the recent window
    exercise  (now - 14 days, now]
Logs after `now` (a clock skewed phone, an offline upload stamped ahead) are ignored.

INTERFACE (services.worsening_check_patient and worsening_candidates rely on these names):
    PainPoint, ExercisePoint, Finding, RECENT, BASELINE, MIN_RISE, EXERCISE_WINDOW,
    worsening_findings(), findings_level(), PATIENT_ADVICE
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from django.db import models

from apps.symptoms.vocabulary import Level

RECENT = timedelta(days=3)
BASELINE = timedelta(days=7)
EXERCISE_WINDOW = timedelta(days=14)
# NPRS 0–10: a change of 2 points is the smallest that matters to patients (clinical
# standard: Farrar et al., Pain 2001; Salaffi et al., Eur J Pain 2004).
MIN_RISE = 2.0
# "Twice in a row" (docs/domain.md): two sessions of the same plan item, one after the other.
EXERCISE_STREAK = 2
# Pain during exercise may reach 5/10 whatever the item allows (Thomeé 1997; Silbernagel et
# al., Am J Sports Med 2007): the same ceiling the pain-monitoring model (apps.guidance)
# applies, so the worsening rule and load guidance agree on what is "above the limit".
MAX_PAIN_DURING = 5


class WorseningCode(models.TextChoices):
    PAIN_RISING = "pain_rising", "Pain is rising"
    NEW_SWELLING = "new_swelling", "New swelling"
    NEW_NUMBNESS = "new_numbness", "New numbness, tingling or weakness"
    NEW_CANNOT_BEAR_WEIGHT = "new_cannot_bear_weight", "Newly cannot put weight on the leg"
    EXERCISE_PAIN_ABOVE_LIMIT = "exercise_pain_above_limit", "Exercise pain above the limit"


@dataclass(frozen=True)
class PainPoint:
    """What the worsening rules need from one symptom log."""

    recorded_at: datetime
    pain_score: int
    swelling: bool = False  # swelling != "none"
    numbness: bool = False  # numbness_tingling or weakness
    cannot_bear_weight: bool = False


@dataclass(frozen=True)
class ExercisePoint:
    """What the worsening rules need from one exercise session: when, which plan item
    (sessions are judged per item), the pain during it and the item's limit."""

    performed_at: datetime
    plan_item: Any  # the item's id: any hashable value
    pain_during: int
    max_pain: int
    exercise: str = ""  # the exercise's name, for the clinician's figures

    @property
    def above_limit(self) -> bool:
        return self.pain_during > min(self.max_pain, MAX_PAIN_DURING)


@dataclass(frozen=True)
class Finding:
    code: str
    detail: dict[str, Any]  # JSON-safe: stored on the alert
    message: str
    # When the patient recorded what shows it (the alert's `recorded_at`).
    recorded_at: datetime | None = None


# Safety advice ("... an urgent care service today"): not in any gettext catalogue, so it is
# served in English to every reader. A translation of safety text reaches a patient only
# once a clinician has reviewed it (docs/decisions/safety-translations-reviewed.md), and
# this text has no reviewed translation yet; the title around it is translated.
PATIENT_ADVICE = (
    "Your recent logs suggest your symptoms may be getting worse. Ease off any exercise that "
    "hurts more than your plan allows, and contact your physiotherapist or doctor so they can "
    "check how you are doing. If you cannot put weight on your leg, or your leg becomes red, "
    "hot or very swollen, contact your doctor or an urgent care service today."
)

MESSAGES: dict[str, str] = {
    WorseningCode.PAIN_RISING: "Your pain has been higher over the last few days than the week before.",
    WorseningCode.NEW_SWELLING: "You have reported swelling that was not there before.",
    WorseningCode.NEW_NUMBNESS: "You have reported numbness, tingling or weakness that was not there before.",
    WorseningCode.NEW_CANNOT_BEAR_WEIGHT: "You have reported that you cannot put weight on your leg, which is new.",
    WorseningCode.EXERCISE_PAIN_ABOVE_LIMIT: "An exercise hurt more than your plan allows twice in a row.",
}


def _mean(points: Sequence[PainPoint]) -> Fraction:
    # Exact: means of whole scores compared in floats can land at 1.9999999 for a 2-point rise.
    return Fraction(sum(p.pain_score for p in points), len(points))


def _pain_rising(recent: Sequence[PainPoint], baseline: Sequence[PainPoint]) -> Finding | None:
    # Without logs on both sides there is nothing to compare: no baseline, no rise.
    if not recent or not baseline:
        return None
    recent_mean, baseline_mean = _mean(recent), _mean(baseline)
    if recent_mean - baseline_mean < Fraction(MIN_RISE):
        return None
    return Finding(
        code=WorseningCode.PAIN_RISING,
        detail={
            "recent_mean": round(float(recent_mean), 1),
            "baseline_mean": round(float(baseline_mean), 1),
            "rise": round(float(recent_mean - baseline_mean), 1),
        },
        message=MESSAGES[WorseningCode.PAIN_RISING],
        recorded_at=max(p.recorded_at for p in recent),
    )


def _new_symptom(
    code: str,
    has_it: Callable[[PainPoint], bool],
    recent: Sequence[PainPoint],
    baseline: Sequence[PainPoint],
) -> Finding | None:
    # "New" needs earlier logs that show its absence; without them we cannot tell new from
    # long-standing (and an acute red flag is triage's job, not this background check's).
    if not baseline or any(has_it(p) for p in baseline):
        return None
    with_it = [p for p in recent if has_it(p)]
    if not with_it:
        return None
    first_seen = min(p.recorded_at for p in with_it)
    return Finding(
        code=code,
        detail={"first_seen": first_seen.isoformat()},
        message=MESSAGES[code],
        recorded_at=first_seen,
    )


def _item_streak(sessions: Sequence[ExercisePoint]) -> list[ExercisePoint] | None:
    """The item's latest EXERCISE_STREAK sessions, newest first, if all were above its
    limit. Two sessions logged at the same instant have no order; the one with more pain is
    taken as the later, so a tie never hides a streak."""
    latest = sorted(sessions, key=lambda e: (e.performed_at, e.pain_during), reverse=True)
    streak = latest[:EXERCISE_STREAK]
    if len(streak) < EXERCISE_STREAK or not all(e.above_limit for e in streak):
        return None
    return streak


def _exercise_pain_above_limit(now: datetime, exercises: Sequence[ExercisePoint]) -> Finding | None:
    """Judged per plan item: the item's own latest two sessions both above its limit,
    whatever other exercises were logged between them (a painless stretch after each calf
    raise must not hide the calf raises' streak)."""
    by_item: dict[Any, list[ExercisePoint]] = defaultdict(list)
    for session in exercises:
        if now - EXERCISE_WINDOW < session.performed_at <= now:
            by_item[session.plan_item].append(session)
    streaks = [streak for sessions in by_item.values() if (streak := _item_streak(sessions))]
    if not streaks:
        return None
    streaks.sort(key=lambda streak: streak[0].performed_at, reverse=True)
    last = streaks[0][0].performed_at
    return Finding(
        code=WorseningCode.EXERCISE_PAIN_ABOVE_LIMIT,
        detail={
            "times": EXERCISE_STREAK,
            "last": last.isoformat(),
            # Newest streak first; pains oldest to newest, as the patient lived them.
            "items": [
                {
                    "plan_item": str(streak[0].plan_item),
                    "exercise": streak[0].exercise,
                    "pains": [session.pain_during for session in reversed(streak)],
                    "max_pain": streak[0].max_pain,
                    "last": streak[0].performed_at.isoformat(),
                }
                for streak in streaks
            ],
        },
        message=MESSAGES[WorseningCode.EXERCISE_PAIN_ABOVE_LIMIT],
        recorded_at=last,
    )


NEW_SYMPTOMS: tuple[tuple[str, Callable[[PainPoint], bool]], ...] = (
    (WorseningCode.NEW_SWELLING, lambda p: p.swelling),
    (WorseningCode.NEW_NUMBNESS, lambda p: p.numbness),
    (WorseningCode.NEW_CANNOT_BEAR_WEIGHT, lambda p: p.cannot_bear_weight),
)


def worsening_findings(
    *, now: datetime, pains: Sequence[PainPoint], exercises: Sequence[ExercisePoint]
) -> list[Finding]:
    """Every worsening finding in the logs, in WorseningCode order; empty when none."""
    recent_from = now - RECENT
    baseline_from = recent_from - BASELINE
    recent = [p for p in pains if recent_from < p.recorded_at <= now]
    baseline = [p for p in pains if baseline_from < p.recorded_at <= recent_from]

    candidates = [
        _pain_rising(recent, baseline),
        *(_new_symptom(code, has_it, recent, baseline) for code, has_it in NEW_SYMPTOMS),
        _exercise_pain_above_limit(now, exercises),
    ]
    return [finding for finding in candidates if finding is not None]


def findings_level(findings: Sequence[Finding]) -> str:
    """The level stored on a worsening alert: worth a professional's look within days."""
    return Level.SOON if findings else Level.SELF_CARE

"""Red-flag triage: pure functions over a symptom log and the patient's recent logs.

No database, no framework: the rules are plain data and predicates, tested
exhaustively in tests/symptoms/test_triage.py. Every rule names its seed article.
When a rule cannot tell, it fires: a missed red flag is far worse than an extra
"please get this checked" (docs/domain.md).

INTERFACE (implemented by the triage work; other modules rely on these names):
    LogFacts, Flag, TriageResult, Hint, RULES, triage(), flag_for(), referred_pain_hint()
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext_noop

from apps.content.vocabulary import DISCLAIMER, RedFlagCode, Region, Side, Source

from .vocabulary import LEVEL_RANK, Level, Quality, Swelling, Trigger


@dataclass(frozen=True)
class LogFacts:
    """What one symptom log says, as plain data."""

    recorded_at: datetime
    pain_score: int
    side: str = ""
    locations: frozenset[str] = frozenset()
    qualities: frozenset[str] = frozenset()
    swelling: str = "none"
    redness: bool = False
    warmth: bool = False
    tenderness: bool = False
    fever: bool = False
    numbness_tingling: bool = False
    weakness: bool = False
    neuro_worsening: bool = False
    can_bear_weight: bool = True
    sleep_disturbed: bool = False
    daily_activities_limited: bool = False
    knee_locking: bool = False
    recent_knee_injury: bool = False
    sudden_onset: bool = False
    saddle_numbness: bool = False
    bladder_bowel_change: bool = False
    triggers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Flag:
    code: str
    level: str
    title: str
    advice: str
    source: str  # a vocabulary.Source code


@dataclass(frozen=True)
class TriageResult:
    level: str
    flags: tuple[Flag, ...]
    disclaimer: str


@dataclass(frozen=True)
class Hint:
    code: str
    message: str
    matched: tuple[str, ...]


# --- Regions --------------------------------------------------------------------------

KNEE_REGIONS = frozenset(
    {Region.FRONT_OF_KNEE, Region.INNER_KNEE, Region.OUTER_KNEE, Region.BACK_OF_KNEE}
)
# Seed 003 puts DVT in "the calf or back of the leg"; a whole-leg pain includes the calf.
CALF_REGIONS = frozenset({Region.CALF, Region.BACK_OF_KNEE, Region.WHOLE_LEG})
# A clot can sit higher up the back of the leg too.
DVT_REGIONS = CALF_REGIONS | {Region.BACK_OF_THIGH}
LEG_REGIONS = frozenset(Region) - {Region.LOWER_BACK}

# History windows. The caller passes about 7 days of history; rules that need less filter
# by time themselves, and none may assume more.
INFECTION_PERSISTING_WINDOW = timedelta(hours=72)
SWELLING_GROWTH_WINDOW = timedelta(hours=48)
NEURO_BASELINE_WINDOW = timedelta(days=7)
# Severe on the 0–10 NPRS (clinical standard: 7–10 is severe).
SEVERE_PAIN = 7


def _has_pain(log: LogFacts) -> bool:
    return log.pain_score > 0


def _at(log: LogFacts, regions: frozenset[str]) -> bool:
    return bool(log.locations & regions)


def _within(log: LogFacts, history: Sequence[LogFacts], window: timedelta) -> list[LogFacts]:
    """Earlier logs no older than `window` before `log`; later or simultaneous ones are
    ignored even if a caller passes them."""
    return [h for h in history if timedelta(0) < log.recorded_at - h.recorded_at <= window]


def _has_neuro(log: LogFacts) -> bool:
    return log.numbness_tingling or log.weakness


# --- Predicates, one per row of docs/domain.md's red-flag table -------------------------------


def _possible_dvt(log: LogFacts, history: Sequence[LogFacts]) -> bool:
    # "Especially with no injury" only strengthens the suspicion; an injury does not rule it out.
    complaint = _has_pain(log) or log.swelling != Swelling.NONE
    visible_signs = log.redness or log.warmth or log.swelling == Swelling.SIGNIFICANT
    if not log.locations:
        # Where is unknown, so it may be the calf: escalate on the signs one can see
        # (tenderness alone, with no place named, is too vague to call a clot).
        return complaint and visible_signs
    return _at(log, DVT_REGIONS) and complaint and (visible_signs or log.tenderness)


def _possible_infection(log: LogFacts, history: Sequence[LogFacts]) -> bool:
    # Fever alone escalates: in a knee and calf app it comes with the leg complaint.
    if log.fever:
        return True
    # docs/domain.md names no region for redness with warmth: wherever it is, escalate.
    if log.redness and log.warmth:
        return True
    # One log cannot show "increasing" redness or warmth; signs persisting across logs
    # within 72 hours are treated as increasing.
    if log.redness or log.warmth:
        return any(
            h.redness or h.warmth for h in _within(log, history, INFECTION_PERSISTING_WINDOW)
        )
    return False


def _cannot_bear_weight(log: LogFacts, history: Sequence[LogFacts]) -> bool:
    return not log.can_bear_weight


def _sudden_severe_pain_swelling(log: LogFacts, history: Sequence[LogFacts]) -> bool:
    if (
        log.sudden_onset
        and log.pain_score >= SEVERE_PAIN
        and log.swelling != Swelling.NONE
        and _at(log, KNEE_REGIONS | CALF_REGIONS)
    ):
        return True
    # Seed 003: sudden sharp pain, then the knee will not move or swells a lot
    # (ruptured cyst, large tear). Sudden severe pain counts as sharp whatever words the
    # patient picked (or none): the picture is the same and the rule must not miss it.
    if (
        log.sudden_onset
        and (Quality.SHARP in log.qualities or log.pain_score >= SEVERE_PAIN)
        and (log.knee_locking or log.swelling == Swelling.SIGNIFICANT)
    ):
        return True
    # Rapidly growing swelling: significant now, none or mild within the last 48 hours.
    return log.swelling == Swelling.SIGNIFICANT and any(
        h.swelling in (Swelling.NONE, Swelling.MILD)
        for h in _within(log, history, SWELLING_GROWTH_WINDOW)
    )


def _calf_pain_after_knee_injury(log: LogFacts, history: Sequence[LogFacts]) -> bool:
    return log.recent_knee_injury and _at(log, CALF_REGIONS) and _has_pain(log)


def _worsening_neuro(log: LogFacts, history: Sequence[LogFacts]) -> bool:
    if log.neuro_worsening:
        return True
    if not _has_neuro(log):
        return False
    # New symptoms count as worsening. Without any earlier log we cannot tell new from
    # long-standing, so we escalate (to `soon`: book a check); once there is a baseline
    # with the same symptoms, they are long-standing and the referred-pain hint covers them.
    baseline = _within(log, history, NEURO_BASELINE_WINDOW)
    return not any(_has_neuro(h) for h in baseline)


def _daily_life_or_sleep(log: LogFacts, history: Sequence[LogFacts]) -> bool:
    return log.daily_activities_limited or log.sleep_disturbed


def _mechanical_locking(log: LogFacts, history: Sequence[LogFacts]) -> bool:
    return log.knee_locking


def _cauda_equina(log: LogFacts, history: Sequence[LogFacts]) -> bool:
    if log.saddle_numbness or log.bladder_bowel_change:
        return True
    return (
        log.side == Side.BOTH
        and Region.LOWER_BACK in log.locations
        and (_has_neuro(log) or _at(log, LEG_REGIONS))
    )


# --- The table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    code: str
    level: str
    title: str
    advice: str
    source: str
    applies: Callable[[LogFacts, Sequence[LogFacts]], bool]
    # Further seeds that name the same red flag.
    also_in: tuple[str, ...] = ()

    @property
    def flag(self) -> Flag:
        return Flag(
            code=self.code,
            level=self.level,
            title=self.title,
            advice=self.advice,
            source=self.source,
        )


RULES: tuple[Rule, ...] = (
    Rule(
        code=RedFlagCode.POSSIBLE_DVT,
        level=Level.URGENT,
        title="Possible blood clot",
        advice=(
            "Calf pain or swelling with redness, warmth or tenderness can be a sign of a blood "
            "clot in a leg vein and needs to be checked today. Contact your doctor or an urgent "
            "care service now. Until you have been checked, do not massage or stretch the calf "
            "and stop the exercises for that leg. If it gets much worse, or you have chest pain "
            "or are short of breath, call your local emergency number."
        ),
        source=Source.KNEE_AND_CALF,
        also_in=(Source.BACK_OF_KNEE_WALKING,),
        applies=_possible_dvt,
    ),
    Rule(
        code=RedFlagCode.POSSIBLE_INFECTION,
        level=Level.URGENT,
        title="Possible infection",
        advice=(
            "A fever, or redness and warmth around the knee or calf, can be a sign of an "
            "infection and needs to be checked today. Contact your doctor or an urgent care "
            "service now. Stop the exercises and stretches for that leg until you have been "
            "checked. If you feel very unwell or it gets much worse, call your local "
            "emergency number."
        ),
        source=Source.KNEE_AND_CALF,
        also_in=(Source.BACK_OF_KNEE_WALKING,),
        applies=_possible_infection,
    ),
    Rule(
        code=RedFlagCode.CANNOT_BEAR_WEIGHT,
        level=Level.URGENT,
        title="Cannot put weight on the leg",
        advice=(
            "Not being able to put weight on your leg needs to be checked today. Contact your "
            "doctor or an urgent care service now. Until then, keep weight off the leg as much "
            "as you can and stop the exercises for that leg. If it gets much worse, call your "
            "local emergency number."
        ),
        source=Source.KNEE_AND_CALF,
        also_in=(Source.BACK_OF_KNEE_WALKING,),
        applies=_cannot_bear_weight,
    ),
    Rule(
        code=RedFlagCode.SUDDEN_SEVERE_PAIN_SWELLING,
        level=Level.URGENT,
        title="Sudden severe pain or swelling",
        advice=(
            "Sudden severe pain, a knee you cannot move, or swelling that grows quickly can be "
            "a sign of an injury inside the knee or leg and needs to be checked today. Contact "
            "your doctor or an urgent care service now. Rest the leg and stop the exercises and "
            "stretches for it until you have been checked. If it gets much worse, or you have "
            "chest pain or are short of breath, call your local emergency number."
        ),
        source=Source.KNEE_AND_CALF,
        also_in=(Source.BACK_OF_KNEE_WALKING,),
        applies=_sudden_severe_pain_swelling,
    ),
    Rule(
        code=RedFlagCode.CALF_PAIN_AFTER_KNEE_INJURY,
        level=Level.SOON,
        title="Calf pain after a knee injury",
        advice=(
            "Calf pain that follows a direct injury to the knee needs to be checked by a "
            "professional. Book an appointment with your doctor or physiotherapist within the "
            "next few days. Seek care sooner if the pain or swelling gets worse, or if you "
            "cannot put weight on the leg."
        ),
        source=Source.KNEE_AND_CALF,
        applies=_calf_pain_after_knee_injury,
    ),
    Rule(
        code=RedFlagCode.WORSENING_NEURO,
        level=Level.SOON,
        title="New or worsening numbness, tingling or weakness",
        advice=(
            "Numbness, tingling or weakness in your leg that is new or getting worse needs to be "
            "checked. Book an appointment with your doctor or physiotherapist within the next "
            "few days, and seek care sooner if it keeps getting worse. If you notice numbness "
            "between your legs or a change in bladder or bowel control, call your local "
            "emergency number."
        ),
        source=Source.KNEE_AND_CALF,
        applies=_worsening_neuro,
    ),
    Rule(
        code=RedFlagCode.DAILY_LIFE_OR_SLEEP,
        level=Level.SOON,
        title="Pain stopping daily life or sleep",
        advice=(
            "Pain that stops you doing everyday things or keeps you from sleeping needs to be "
            "looked at. Book an appointment with your doctor or physiotherapist within the next "
            "few days, and seek care sooner if it gets worse."
        ),
        source=Source.KNEE_AND_CALF,
        applies=_daily_life_or_sleep,
    ),
    Rule(
        code=RedFlagCode.MECHANICAL_LOCKING,
        level=Level.SOON,
        title="Knee locking or catching",
        advice=(
            "A knee that locks or catches and will not straighten needs to be checked. Do not "
            "force it straight. Book an appointment with your doctor or physiotherapist within "
            "the next few days, and seek care sooner if it gets worse or you cannot move the "
            "knee at all."
        ),
        source=Source.BACK_OF_KNEE_WALKING,
        applies=_mechanical_locking,
    ),
    Rule(
        code=RedFlagCode.CAUDA_EQUINA,
        level=Level.EMERGENCY,
        title="Possible pressure on the nerves in the lower back",
        advice=(
            "Numbness between your legs or around your bottom, new trouble controlling your "
            "bladder or bowels, or symptoms in both legs with back pain can be a sign of "
            "pressure on the nerves at the base of the spine. This needs emergency care: call "
            "your local emergency number now."
        ),
        source=Source.CLINICAL_STANDARD,
        applies=_cauda_equina,
    ),
)

_FLAGS: dict[str, Flag] = {rule.code: rule.flag for rule in RULES}


def triage(log: LogFacts, history: Sequence[LogFacts] = ()) -> TriageResult:
    """Every red flag `log` raises, most severe first (then table order), and the highest
    level among them. `history` is the patient's earlier logs, newest first."""
    matched = [rule for rule in RULES if rule.applies(log, history)]
    # sorted() is stable, so flags of one level keep the table's order.
    matched.sort(key=lambda rule: LEVEL_RANK[rule.level], reverse=True)
    level = matched[0].level if matched else Level.SELF_CARE
    return TriageResult(
        level=level, flags=tuple(rule.flag for rule in matched), disclaimer=DISCLAIMER
    )


def flag_for(code: str) -> Flag:
    """The catalogue flag for a stored code, to render a log's triage again later."""
    try:
        return _FLAGS[code]
    except KeyError:
        raise ValueError(f"Unknown red-flag code: {code!r}") from None


# --- Referred pain from the lower back (seed 004): a hint, not a flag ----------------------

REFERRED_PAIN_HINT_CODE = "possible_referred_pain"
REFERRED_PAIN_MESSAGE = gettext_noop(  # stored in English with the log; served translated
    "This pattern is sometimes caused by the lower back rather than the knee. "
    "Mention it to your physiotherapist or doctor."
)
HINT_MAX_LOGS = 10
HINT_MIN_PAINFUL_LOGS = 2
HINT_MIN_CRITERIA = 4
SPINE_TRIGGERS = frozenset({Trigger.BENDING_BACK, Trigger.TWISTING})
KNEE_LOADING_TRIGGERS = frozenset({Trigger.STAIRS, Trigger.SQUATTING})

_DULL_OR_ACHING = frozenset({Quality.DULL, Quality.ACHING})
_FRONT_OR_INNER_KNEE = frozenset({Region.FRONT_OF_KNEE, Region.INNER_KNEE})
_SHARP = str(Quality.SHARP)
_NO_SWELLING = str(Swelling.NONE)

# Seed 004's signs in its order; the reduced knee-jerk reflex is a clinician finding and
# never in a log. (Sets and values looked up once: a bulk sync evaluates these thousands
# of times.)
REFERRED_PAIN_CRITERIA: tuple[tuple[str, Callable[[LogFacts], bool]], ...] = (
    (
        "dull_diffuse_ache",
        lambda log: bool(log.qualities & _DULL_OR_ACHING) and _SHARP not in log.qualities,
    ),
    (
        "no_local_signs",
        lambda log: log.swelling == _NO_SWELLING and not log.redness and not log.warmth,
    ),
    ("no_knee_injury", lambda log: not log.recent_knee_injury),
    (
        "spine_movements_provoke",
        lambda log: (
            bool(log.triggers & SPINE_TRIGGERS) and not log.triggers & KNEE_LOADING_TRIGGERS
        ),
    ),
    (
        "front_inner_knee",
        lambda log: bool(log.locations & _FRONT_OR_INNER_KNEE),
    ),
    ("neuro_signs", _has_neuro),
)
# What defines the pattern: pain brought on by the spine, not by the knee (seed 004).
DEFINING_CRITERION = "spine_movements_provoke"


def referred_pain_hint(logs: Sequence[LogFacts]) -> Hint | None:
    """A hint when the patient's recent logs look like pain referred from the lower back.

    A criterion is met when it holds in more than half of the painful logs among the
    newest ten; the hint needs four of the six, including the defining one."""
    newest = sorted(logs, key=lambda log: log.recorded_at, reverse=True)[:HINT_MAX_LOGS]
    painful = [log for log in newest if _has_pain(log)]
    if len(painful) < HINT_MIN_PAINFUL_LOGS:
        return None
    matched = tuple(
        name
        for name, holds in REFERRED_PAIN_CRITERIA
        if 2 * sum(1 for log in painful if holds(log)) > len(painful)
    )
    if len(matched) < HINT_MIN_CRITERIA or DEFINING_CRITERION not in matched:
        return None
    return Hint(code=REFERRED_PAIN_HINT_CODE, message=REFERRED_PAIN_MESSAGE, matched=matched)

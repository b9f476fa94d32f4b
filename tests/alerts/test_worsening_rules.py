"""Worsening rules (docs/domain.md, "Worsening: checked in the background"): every rule, its
window boundaries, and how findings combine.

Pure functions over plain data: no database, no clock. Windows from NOW: recent
(NOW-3d, NOW], baseline (NOW-10d, NOW-3d], exercise (NOW-14d, NOW]; later logs are ignored.
The `_not_` cases sit just outside a rule's boundary.
"""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from apps.alerts.worsening import (
    BASELINE,
    MESSAGES,
    MIN_RISE,
    PATIENT_ADVICE,
    RECENT,
    ExercisePoint,
    Finding,
    PainPoint,
    WorseningCode,
    findings_level,
    worsening_findings,
)
from apps.symptoms.vocabulary import Level

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)

RISING = WorseningCode.PAIN_RISING
SWELLING = WorseningCode.NEW_SWELLING
NUMBNESS = WorseningCode.NEW_NUMBNESS
NO_WEIGHT = WorseningCode.NEW_CANNOT_BEAR_WEIGHT
EXERCISE = WorseningCode.EXERCISE_PAIN_ABOVE_LIMIT


def pain(ago: timedelta, score: int = 3, **symptoms: bool) -> PainPoint:
    """A symptom log `ago` before NOW (negative: after NOW) with no symptoms unless given."""
    return PainPoint(recorded_at=NOW - ago, pain_score=score, **symptoms)


def days(n: float) -> timedelta:
    return timedelta(days=n)


def exercise(
    ago: timedelta, above: bool = True, *, item: str = "calf-raise", pain: int | None = None
) -> ExercisePoint:
    """A session of one plan item (limit 4) `ago` before NOW: pain 6 when `above`, else 2."""
    return ExercisePoint(
        performed_at=NOW - ago,
        plan_item=item,
        pain_during=pain if pain is not None else (6 if above else 2),
        max_pain=4,
        exercise=item.replace("-", " ").capitalize(),
    )


def stretch(ago: timedelta) -> ExercisePoint:
    """A painless session of another item: what hid a calf-raise streak before wave 3."""
    return exercise(ago, above=False, item="calf-stretch", pain=0)


def codes(pains=(), exercises=()) -> list[str]:
    return [f.code for f in worsening_findings(now=NOW, pains=pains, exercises=exercises)]


def the_finding(code, pains=(), exercises=()) -> Finding:
    (finding,) = [
        f for f in worsening_findings(now=NOW, pains=pains, exercises=exercises) if f.code == code
    ]
    return finding


# The scenario: one log a day for ten days, pain rising steadily from 2 to 6.
TEN_DAYS_RISING = [
    pain(days(ago), score)
    for ago, score in zip(range(9, -1, -1), [2, 2, 3, 3, 4, 4, 5, 5, 6, 6], strict=True)
]

# --- pain_rising: (symptom logs, expected codes) ---------------------------------------
PAIN_CASES = [
    pytest.param(TEN_DAYS_RISING, [RISING], id="issue_daily_logs_rising_from_2_to_6"),
    pytest.param([pain(days(5), 2), pain(days(1), 4)], [RISING], id="rise_of_exactly_2"),
    pytest.param([pain(days(5), 0), pain(days(1), 10)], [RISING], id="rise_from_0_to_10"),
    pytest.param(
        # 13/3 - 7/3 is 1.9999999999999996 in floats: the rule must compare exactly.
        [pain(days(d), s) for d, s in [(6, 2), (5, 3), (4, 2), (2, 5), (1, 4), (0.5, 4)]],
        [RISING],
        id="rise_of_exactly_2_between_thirds",
    ),
    pytest.param(
        # Baseline 2.1 (nine 2s and a 3), recent 4.
        [pain(days(4 + d / 2), 2) for d in range(9)] + [pain(days(9), 3), pain(days(1), 4)],
        [],
        id="rise_not_1_9",
    ),
    pytest.param([pain(days(5), 3), pain(days(1), 4)], [], id="rise_not_1"),
    pytest.param([pain(days(5), 6), pain(days(1), 2)], [], id="rise_not_falling_pain"),
    pytest.param([pain(days(1), 9), pain(days(2), 10)], [], id="rise_not_without_baseline"),
    pytest.param([pain(days(5), 1), pain(days(8), 2)], [], id="rise_not_without_recent_logs"),
    pytest.param([], [], id="rise_not_without_any_log"),
    pytest.param(
        # Exactly NOW-3d is baseline: here it is the only baseline log, so the rule fires.
        [pain(RECENT, 2), pain(days(1), 4)],
        [RISING],
        id="rise_log_exactly_3_days_ago_is_baseline",
    ),
    pytest.param(
        # One second later it is recent, leaving no baseline.
        [pain(RECENT - SECOND, 2), pain(days(1), 4)],
        [],
        id="rise_not_log_just_under_3_days_ago_is_recent",
    ),
    pytest.param(
        [pain(RECENT + BASELINE - SECOND, 2), pain(days(1), 4)],
        [RISING],
        id="rise_baseline_reaches_just_under_10_days",
    ),
    pytest.param(
        [pain(RECENT + BASELINE, 2), pain(days(1), 4)],
        [],
        id="rise_not_log_exactly_10_days_ago_is_outside_baseline",
    ),
    pytest.param(
        # Would pull the baseline down to 1.5 if it counted.
        [pain(days(11), 0), pain(days(5), 3), pain(days(1), 4)],
        [],
        id="rise_not_older_low_log_ignored",
    ),
    pytest.param(
        [pain(days(5), 2), pain(timedelta(0), 4)],
        [RISING],
        id="rise_log_exactly_now_is_recent",
    ),
    pytest.param(
        [pain(days(5), 2), pain(days(1), 3), pain(-SECOND, 10)],
        [],
        id="rise_not_log_after_now_ignored",
    ),
    pytest.param(
        [pain(days(5), 2), pain(-days(1), 9)], [], id="rise_not_only_recent_log_is_future"
    ),
]


@pytest.mark.parametrize(("pains", "expected"), PAIN_CASES)
def test_pain_rising_fires_exactly_at_its_boundaries(pains, expected):
    assert codes(pains=pains) == expected


def test_pain_rising_reports_both_means_and_the_rise_to_one_decimal():
    finding = the_finding(RISING, pains=TEN_DAYS_RISING)

    # Recent 5, 6, 6 (mean 5.67); baseline 2, 2, 3, 3, 4, 4, 5 (mean 3.29).
    assert finding.detail == {"recent_mean": 5.7, "baseline_mean": 3.3, "rise": 2.4}


# --- new_swelling, new_numbness, new_cannot_bear_weight ----------------------------------
SYMPTOMS = [
    pytest.param("swelling", SWELLING, id="swelling"),
    pytest.param("numbness", NUMBNESS, id="numbness"),
    pytest.param("cannot_bear_weight", NO_WEIGHT, id="cannot_bear_weight"),
]

# (logs with or without the symptom as {ago: has_it}, whether the finding is raised)
NEW_SYMPTOM_CASES = [
    pytest.param({days(5): False, days(1): True}, True, id="new_after_a_clear_baseline"),
    pytest.param(
        {days(9): False, days(5): False, days(2): False, days(1): True, days(0.5): False},
        True,
        id="new_once_among_clear_logs",
    ),
    pytest.param(
        {days(11): True, days(5): False, days(1): True},
        True,
        id="new_older_than_the_baseline_window_ignored",
    ),
    pytest.param({RECENT: False, days(1): True}, True, id="new_clear_log_exactly_3_days_ago"),
    pytest.param({timedelta(0): True, days(5): False}, True, id="new_log_exactly_now"),
    pytest.param({days(1): True}, False, id="new_not_without_baseline"),
    pytest.param(
        {RECENT + BASELINE: False, days(1): True},
        False,
        id="new_not_clear_log_exactly_10_days_ago_is_no_baseline",
    ),
    pytest.param({days(5): True, days(1): True}, False, id="new_not_already_in_baseline"),
    pytest.param(
        {days(9): False, days(6): True, days(4): False, days(1): True},
        False,
        id="new_not_once_in_baseline",
    ),
    pytest.param(
        {RECENT: True, days(1): True},
        False,
        id="new_not_log_exactly_3_days_ago_is_baseline",
    ),
    pytest.param({days(5): True, days(1): False}, False, id="new_not_gone_now"),
    pytest.param({days(5): False, days(1): False}, False, id="new_not_never_there"),
    pytest.param({days(5): False, -SECOND: True}, False, id="new_not_log_after_now_ignored"),
]


@pytest.mark.parametrize(("logs", "raised"), NEW_SYMPTOM_CASES)
@pytest.mark.parametrize(("symptom", "code"), SYMPTOMS)
def test_new_symptom_fires_only_when_baseline_logs_lacked_it(symptom, code, logs, raised):
    pains = [pain(ago, **{symptom: has_it}) for ago, has_it in logs.items()]

    assert codes(pains=pains) == ([code] if raised else [])


@pytest.mark.parametrize(("symptom", "code"), SYMPTOMS)
def test_new_symptom_reports_the_earliest_recent_log_with_it(symptom, code):
    pains = [
        pain(days(0.5), **{symptom: True}),
        pain(days(2), **{symptom: True}),
        pain(days(2.5), **{symptom: False}),
        pain(days(5), **{symptom: False}),
    ]

    finding = the_finding(code, pains=pains)

    assert finding.detail == {"first_seen": (NOW - days(2)).isoformat()}


# --- exercise_pain_above_limit: (exercise logs, expected codes) --------------------------
EXERCISE_CASES = [
    pytest.param([exercise(days(2)), exercise(days(1))], [EXERCISE], id="twice_in_a_row"),
    pytest.param(
        [exercise(days(1)), exercise(days(13), above=False), exercise(days(2))],
        [EXERCISE],
        id="twice_in_a_row_given_out_of_order",
    ),
    pytest.param(
        [exercise(days(3), above=False), exercise(days(2)), exercise(days(1))],
        [EXERCISE],
        id="twice_in_a_row_after_a_session_within_limit",
    ),
    pytest.param(
        [exercise(days(14) - SECOND), exercise(days(1))],
        [EXERCISE],
        id="twice_in_a_row_just_within_14_days",
    ),
    pytest.param([exercise(days(1)), exercise(timedelta(0))], [EXERCISE], id="twice_up_to_now"),
    pytest.param(
        # Same instant: the above-limit session counts as the later one.
        [exercise(days(2), above=False), exercise(days(2)), exercise(days(1))],
        [EXERCISE],
        id="twice_in_a_row_tie_resolved_towards_the_streak",
    ),
    pytest.param([exercise(days(1))], [], id="exercise_not_only_once"),
    pytest.param(
        [exercise(days(3)), exercise(days(2), above=False), exercise(days(1))],
        [],
        id="exercise_not_above_below_above",
    ),
    pytest.param(
        [exercise(days(3)), exercise(days(2)), exercise(days(1), above=False)],
        [],
        id="exercise_not_latest_within_limit",
    ),
    pytest.param([exercise(days(21)), exercise(days(20))], [], id="exercise_not_twice_20_days_ago"),
    pytest.param(
        [exercise(days(14)), exercise(days(1))],
        [],
        id="exercise_not_one_exactly_14_days_ago",
    ),
    pytest.param(
        [exercise(days(15)), exercise(days(1))],
        [],
        id="exercise_not_one_outside_14_days",
    ),
    pytest.param(
        [exercise(days(1)), exercise(-SECOND)], [], id="exercise_not_one_after_now_ignored"
    ),
    pytest.param(
        [exercise(days(2)), exercise(days(1)), exercise(-days(1), above=False)],
        [EXERCISE],
        id="twice_in_a_row_later_session_after_now_ignored",
    ),
    pytest.param([], [], id="exercise_not_without_sessions"),
]


@pytest.mark.parametrize(("exercises", "expected"), EXERCISE_CASES)
def test_exercise_pain_above_limit_fires_on_the_two_latest_sessions_only(exercises, expected):
    assert codes(exercises=exercises) == expected


def test_exercise_pain_above_limit_reports_the_latest_session():
    exercises = [exercise(days(3)), exercise(days(0.5)), exercise(days(2))]

    finding = the_finding(EXERCISE, exercises=exercises)

    assert finding.detail == {
        "times": 2,
        "last": (NOW - days(0.5)).isoformat(),
        "items": [
            {
                "plan_item": "calf-raise",
                "exercise": "Calf raise",
                "pains": [6, 6],
                "max_pain": 4,
                "last": (NOW - days(0.5)).isoformat(),
            }
        ],
    }
    assert finding.recorded_at == NOW - days(0.5)


# --- Per plan item: other exercises logged in between never hide a streak ------------------
def calf_raises_each_followed_by_a_stretch(times: int) -> list[ExercisePoint]:
    """The reported day: calf raises at 6/10 against a limit of 4, each followed an hour
    later by a painless stretch, so the latest two sessions overall are never two raises."""
    sessions = []
    for n in range(times):
        sessions += [exercise(days(n + 1)), stretch(days(n + 1) - timedelta(hours=1))]
    return sessions


PER_ITEM_CASES = [
    pytest.param(
        calf_raises_each_followed_by_a_stretch(7), [EXERCISE], id="seven_raises_interleaved"
    ),
    pytest.param(
        calf_raises_each_followed_by_a_stretch(2), [EXERCISE], id="two_raises_interleaved"
    ),
    pytest.param(
        [exercise(days(2)), stretch(days(1.5)), stretch(days(1.2)), exercise(days(1))],
        [EXERCISE],
        id="two_stretches_between_two_raises",
    ),
    pytest.param(
        [exercise(days(2)), stretch(days(1.5)), exercise(days(1), above=False), stretch(days(0.5))],
        [],
        id="not_latest_raise_within_limit",
    ),
    pytest.param(
        [exercise(days(2), item="a"), exercise(days(1), item="b")],
        [],
        id="not_two_items_once_each",
    ),
    pytest.param(
        [exercise(days(3), item="a"), exercise(days(2), item="b"), exercise(days(1), item="b")],
        [EXERCISE],
        id="one_item_twice_after_another_once",
    ),
    pytest.param(
        [exercise(days(2), pain=5), exercise(days(1), pain=5)],
        [EXERCISE],
        id="pain_5_above_a_limit_of_4",
    ),
    pytest.param(
        [exercise(days(2), pain=4), exercise(days(1), pain=6)],
        [],
        id="not_pain_4_at_a_limit_of_4",
    ),
]


@pytest.mark.parametrize(("exercises", "expected"), PER_ITEM_CASES)
def test_exercise_pain_is_judged_per_plan_item(exercises, expected):
    assert codes(exercises=exercises) == expected


CEILING_CASES = [
    pytest.param(6, 7, [EXERCISE], id="pain_6_above_the_ceiling_of_5_with_a_limit_of_7"),
    pytest.param(5, 7, [], id="not_pain_5_at_the_ceiling_with_a_limit_of_7"),
    pytest.param(3, 2, [EXERCISE], id="pain_3_above_a_limit_of_2"),
    pytest.param(2, 2, [], id="not_pain_2_at_a_limit_of_2"),
]


@pytest.mark.parametrize(("pain_during", "max_pain", "expected"), CEILING_CASES)
def test_above_the_limit_means_above_the_items_limit_or_above_5(pain_during, max_pain, expected):
    sessions = [
        ExercisePoint(
            performed_at=NOW - days(n), plan_item="i", pain_during=pain_during, max_pain=max_pain
        )
        for n in (1, 2)
    ]
    assert codes(exercises=sessions) == expected


def test_several_items_above_their_limit_are_each_named_newest_first():
    sessions = [exercise(days(4), item="a"), exercise(days(3), item="a")]
    sessions += [exercise(days(2), item="b"), exercise(days(1), item="b")]

    finding = the_finding(EXERCISE, exercises=sessions)

    assert [item["plan_item"] for item in finding.detail["items"]] == ["b", "a"]
    assert finding.detail["last"] == (NOW - days(1)).isoformat()


# --- Combinations --------------------------------------------------------------------------
COMBINED_CASES = [
    pytest.param(
        [pain(days(5), 2), pain(days(1), 5, swelling=True)],
        [],
        [RISING, SWELLING],
        id="rising_with_new_swelling",
    ),
    pytest.param(
        [
            pain(days(6), 1),
            pain(days(4), 2),
            pain(days(2), 6, swelling=True),
            pain(days(1), 7, numbness=True, cannot_bear_weight=True),
        ],
        [exercise(days(2)), exercise(days(1))],
        [RISING, SWELLING, NUMBNESS, NO_WEIGHT, EXERCISE],
        id="every_finding_at_once",
    ),
    pytest.param(
        [pain(days(5), 3, numbness=True), pain(days(1), 3, numbness=True, swelling=True)],
        [exercise(days(2)), exercise(days(1))],
        [SWELLING, EXERCISE],
        id="old_numbness_new_swelling_and_exercise_pain",
    ),
    pytest.param(
        [pain(days(5), 3), pain(days(1), 4)],
        [exercise(days(2), above=False), exercise(days(1))],
        [],
        id="nothing_worsening",
    ),
]


@pytest.mark.parametrize(("pains", "exercises", "expected"), COMBINED_CASES)
def test_it_lists_every_finding_in_code_order(pains, exercises, expected):
    assert codes(pains=pains, exercises=exercises) == expected


def test_every_finding_carries_its_message_and_json_safe_detail():
    pains = [pain(days(5), 0), pain(days(1), 9, swelling=True, numbness=True)]
    pains.append(pain(days(0.5), 9, cannot_bear_weight=True))

    findings = worsening_findings(
        now=NOW, pains=pains, exercises=[exercise(days(2)), exercise(days(1))]
    )

    assert [f.code for f in findings] == list(WorseningCode.values)
    for finding in findings:
        assert finding.message == MESSAGES[finding.code]
        assert json.loads(json.dumps(finding.detail)) == finding.detail


# --- Level and advice ------------------------------------------------------------------------
LEVEL_CASES = [
    pytest.param([], Level.SELF_CARE, id="no_findings_self_care"),
    pytest.param(
        [Finding(code=EXERCISE, detail={}, message="")], Level.SOON, id="one_finding_soon"
    ),
    pytest.param(
        [Finding(code=code, detail={}, message="") for code in WorseningCode.values],
        Level.SOON,
        id="all_findings_soon",
    ),
]


@pytest.mark.parametrize(("findings", "level"), LEVEL_CASES)
def test_findings_level(findings, level):
    assert findings_level(findings) == level


def test_patient_advice_says_ease_off_and_contact_the_care_team_without_doses():
    advice = PATIENT_ADVICE.lower()

    assert "getting worse" in advice
    assert "ease off" in advice
    assert "more than your plan allows" in advice
    assert "physiotherapist or doctor" in advice
    assert not re.search(r"\d", advice)


@pytest.mark.parametrize("code", list(WorseningCode.values))
def test_each_code_has_a_short_plain_message(code):
    message = MESSAGES[code]

    assert message.endswith(".")
    assert len(message) <= 100
    assert not re.search(r"\d", message)


def test_windows_match_the_domain():
    # services.worsening_candidates prefilters in SQL with these same constants.
    assert (timedelta(days=3), timedelta(days=7)) == (RECENT, BASELINE)
    # NPRS minimal clinically important change (clinical standard).
    assert MIN_RISE == 2.0

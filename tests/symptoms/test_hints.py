"""The referred-pain hint (docs/domain.md, Referred pain from the lower back; seed 004)."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.symptoms.triage import LogFacts, referred_pain_hint

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)
SET_FIELDS = ("locations", "qualities", "triggers")
ALL_CRITERIA = (
    "dull_diffuse_ache",
    "no_local_signs",
    "no_knee_injury",
    "spine_movements_provoke",
    "front_inner_knee",
    "neuro_signs",
)


def referred(days_ago: float = 0, **overrides) -> LogFacts:
    """A log that fits seed 004's pattern on every criterion, with `overrides`."""
    values = {
        "recorded_at": NOW - timedelta(days=days_ago),
        "pain_score": 4,
        "side": "left",
        "locations": {"front_of_knee", "inner_knee"},
        "qualities": {"dull", "aching"},
        "triggers": {"bending_back"},
        "numbness_tingling": True,
    }
    values.update(overrides)
    for name in SET_FIELDS:
        values[name] = frozenset(values[name])
    return LogFacts(**values)


def local_knee(days_ago: float = 0, **overrides) -> LogFacts:
    """A log that fits no criterion: a swollen, sharp, injured outer knee hurting on stairs."""
    values = {
        "qualities": {"sharp"},
        "locations": {"outer_knee"},
        "triggers": {"stairs"},
        "swelling": "mild",
        "recent_knee_injury": True,
        "numbness_tingling": False,
    }
    values.update(overrides)
    return referred(days_ago, **values)


def without(*names: str) -> tuple[str, ...]:
    return tuple(name for name in ALL_CRITERIA if name not in names)


# (logs newest first, the criteria matched, or None when there is no hint)
CASES = [
    pytest.param(
        [referred(0), referred(2), referred(5)], ALL_CRITERIA, id="typical_referred_pattern"
    ),
    pytest.param(
        [referred(0, triggers={"twisting"}), referred(3, triggers={"twisting", "sitting"})],
        ALL_CRITERIA,
        id="two_logs_provoked_by_twisting",
    ),
    pytest.param(
        [referred(d, swelling="mild", triggers={"bending_back", "stairs"}) for d in (0, 2, 5)],
        None,
        id="not_with_knee_swelling_and_stairs",
    ),
    pytest.param([referred(0)], None, id="not_a_single_log"),
    pytest.param(
        [referred(0), referred(1, pain_score=0), referred(2, pain_score=0)],
        None,
        id="not_a_single_painful_log",
    ),
    pytest.param(
        [referred(0), local_knee(1, pain_score=0), local_knee(2, pain_score=0), referred(3)],
        ALL_CRITERIA,
        id="painless_logs_do_not_count",
    ),
    pytest.param(
        [
            referred(0),
            referred(1),
            referred(2, numbness_tingling=False),
            referred(3, numbness_tingling=False),
        ],
        without("neuro_signs"),
        id="neuro_signs_in_only_half_not_met",
    ),
    pytest.param(
        [referred(0), referred(1), referred(2), referred(3, numbness_tingling=False)],
        ALL_CRITERIA,
        id="neuro_signs_in_three_of_four_met",
    ),
    pytest.param(
        [
            referred(0),
            referred(1),
            referred(2, triggers={"bending_back", "squatting"}),
            referred(3, triggers={"walking"}),
        ],
        None,
        id="not_spine_movements_in_only_half",
    ),
    pytest.param(
        [referred(d, triggers={"walking"}) for d in (0, 1, 2)],
        None,
        id="not_five_criteria_without_spine_movements",
    ),
    pytest.param(
        [
            referred(d, qualities={"dull", "sharp"}, swelling="mild", numbness_tingling=False)
            for d in (0, 1, 2)
        ],
        None,
        id="not_three_criteria",
    ),
    pytest.param(
        [referred(d, qualities={"dull", "sharp"}, swelling="mild") for d in (0, 1, 2)],
        ("no_knee_injury", "spine_movements_provoke", "front_inner_knee", "neuro_signs"),
        id="four_criteria_with_spine_movements",
    ),
    pytest.param(
        [
            referred(d, redness=True, recent_knee_injury=True, locations={"back_of_knee"})
            for d in (0, 1, 2)
        ],
        None,
        id="not_three_criteria_with_local_signs_injury_and_back_of_knee",
    ),
    pytest.param(
        [referred(d, warmth=True, weakness=True, numbness_tingling=False) for d in (0, 1)],
        without("no_local_signs"),
        id="weakness_counts_and_warmth_is_a_local_sign",
    ),
    pytest.param(
        # The 10 newest hold 6 referred logs of 10 (met); all 12 would hold 6 of 12 (not met).
        [referred(d) for d in range(6)] + [local_knee(d) for d in range(6, 12)],
        ALL_CRITERIA,
        id="only_the_10_newest_logs_count",
    ),
    pytest.param(
        [local_knee(d) for d in range(5)],
        None,
        id="not_a_local_knee_problem",
    ),
]


@pytest.mark.parametrize(("logs", "matched"), CASES)
def test_it_hints_at_referred_pain_only_when_most_signs_hold(logs, matched):
    hint = referred_pain_hint(logs)

    if matched is None:
        assert hint is None
    else:
        assert hint is not None
        assert hint.matched == matched


def test_the_hint_tells_the_patient_to_mention_the_lower_back():
    hint = referred_pain_hint([referred(0), referred(1)])

    assert hint is not None
    assert hint.code == "possible_referred_pain"
    assert "lower back" in hint.message
    assert "physiotherapist or doctor" in hint.message


def test_no_logs_give_no_hint():
    assert referred_pain_hint([]) is None

"""Red-flag triage (docs/domain.md, Red flags): every rule, its boundaries, and how flags combine.

Pure functions over plain data: no database, no clock. Each case states what fires and at
which level; the `_not_` cases sit just outside a rule's boundary.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest

from apps.content.vocabulary import DISCLAIMER, RedFlagCode, Source
from apps.symptoms.triage import RULES, Flag, LogFacts, flag_for, triage
from apps.symptoms.vocabulary import Level

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)
SET_FIELDS = ("locations", "qualities", "triggers")


def facts(hours_ago: float = 0, **overrides) -> LogFacts:
    """An unremarkable painful knee log, `hours_ago` before NOW, with `overrides`."""
    values = {
        "recorded_at": NOW - timedelta(hours=hours_ago),
        "pain_score": 3,
        "side": "left",
        "locations": {"front_of_knee"},
        "qualities": {"aching"},
        "triggers": {"stairs"},
    }
    values.update(overrides)
    for name in SET_FIELDS:
        values[name] = frozenset(values[name])
    return LogFacts(**values)


# Numbness already logged yesterday: not new, so the worsening_neuro rule stays quiet and a
# case can judge another rule alone.
LONG_STANDING_NEURO = facts(hours_ago=24, numbness_tingling=True)


def codes_of(result) -> set[str]:
    return {flag.code for flag in result.flags}


DVT = RedFlagCode.POSSIBLE_DVT
INFECTION = RedFlagCode.POSSIBLE_INFECTION
NO_WEIGHT = RedFlagCode.CANNOT_BEAR_WEIGHT
SUDDEN = RedFlagCode.SUDDEN_SEVERE_PAIN_SWELLING
CALF_AFTER_INJURY = RedFlagCode.CALF_PAIN_AFTER_KNEE_INJURY
NEURO = RedFlagCode.WORSENING_NEURO
DAILY = RedFlagCode.DAILY_LIFE_OR_SLEEP
LOCKING = RedFlagCode.MECHANICAL_LOCKING
CAUDA = RedFlagCode.CAUDA_EQUINA

# (log, history newest first, expected codes, expected level)
CASES = [
    # --- nothing to flag ---
    pytest.param(facts(), [], set(), Level.SELF_CARE, id="plain_painful_knee_log"),
    pytest.param(
        facts(pain_score=0, locations=(), qualities=(), triggers=()),
        [],
        set(),
        Level.SELF_CARE,
        id="pain_0_with_nothing",
    ),
    # --- possible_dvt ---
    pytest.param(
        facts(locations={"calf"}, tenderness=True),
        [],
        {DVT},
        Level.URGENT,
        id="dvt_calf_pain_tender",
    ),
    pytest.param(
        facts(locations={"back_of_knee"}, redness=True),
        [],
        {DVT},
        Level.URGENT,
        id="dvt_back_of_knee_pain_red",
    ),
    pytest.param(
        facts(locations={"whole_leg"}, tenderness=True),
        [],
        {DVT},
        Level.URGENT,
        id="dvt_whole_leg_pain_tender",
    ),
    pytest.param(
        facts(locations={"calf"}, swelling="significant"),
        [],
        {DVT},
        Level.URGENT,
        id="dvt_calf_pain_significant_swelling",
    ),
    pytest.param(
        facts(pain_score=0, locations={"calf"}, swelling="mild", tenderness=True),
        [],
        {DVT},
        Level.URGENT,
        id="dvt_painless_calf_swelling_tender",
    ),
    pytest.param(
        facts(locations={"calf"}, tenderness=True, recent_knee_injury=True),
        [],
        {DVT, CALF_AFTER_INJURY},
        Level.URGENT,
        id="dvt_fires_even_after_injury",
    ),
    pytest.param(
        facts(locations={"front_of_knee"}, tenderness=True),
        [],
        set(),
        Level.SELF_CARE,
        id="dvt_not_front_of_knee_tender",
    ),
    pytest.param(
        facts(locations={"calf"}, swelling="mild"),
        [],
        set(),
        Level.SELF_CARE,
        id="dvt_not_calf_pain_mild_swelling_only",
    ),
    pytest.param(
        facts(pain_score=0, locations={"calf"}, tenderness=True),
        [],
        set(),
        Level.SELF_CARE,
        id="dvt_not_calf_without_pain_or_swelling",
    ),
    pytest.param(
        facts(locations={"back_of_thigh"}, tenderness=True),
        [],
        {DVT},
        Level.URGENT,
        id="dvt_back_of_thigh_pain_tender",
    ),
    pytest.param(
        facts(locations={"front_of_thigh"}, tenderness=True),
        [],
        set(),
        Level.SELF_CARE,
        id="dvt_not_front_of_thigh_tender",
    ),
    pytest.param(
        facts(pain_score=0, locations=(), swelling="significant", tenderness=True),
        [],
        {DVT},
        Level.URGENT,
        id="dvt_no_location_big_swelling_escalates",
    ),
    pytest.param(
        facts(locations=(), redness=True),
        [],
        {DVT},
        Level.URGENT,
        id="dvt_no_location_pain_red_escalates",
    ),
    pytest.param(
        facts(locations=(), tenderness=True),
        [],
        set(),
        Level.SELF_CARE,
        id="dvt_not_no_location_tenderness_alone",
    ),
    # --- possible_infection ---
    pytest.param(
        facts(pain_score=0, locations=(), fever=True),
        [],
        {INFECTION},
        Level.URGENT,
        id="infection_fever_with_pain_0",
    ),
    pytest.param(facts(fever=True), [], {INFECTION}, Level.URGENT, id="infection_fever_knee_pain"),
    pytest.param(
        facts(redness=True, warmth=True),
        [],
        {INFECTION},
        Level.URGENT,
        id="infection_red_warm_front_of_knee",
    ),
    pytest.param(
        facts(locations={"calf"}, redness=True, warmth=True),
        [],
        {INFECTION, DVT},
        Level.URGENT,
        id="infection_and_dvt_red_warm_calf",
    ),
    pytest.param(
        facts(pain_score=0, locations=(), redness=True, warmth=True),
        [],
        {INFECTION},
        Level.URGENT,
        id="infection_red_warm_no_location_escalates",
    ),
    pytest.param(
        facts(locations={"front_of_thigh"}, redness=True, warmth=True),
        [],
        {INFECTION},
        Level.URGENT,
        id="infection_red_warm_thigh_escalates",
    ),
    pytest.param(
        facts(redness=True), [], set(), Level.SELF_CARE, id="infection_not_redness_alone_first_time"
    ),
    pytest.param(
        facts(redness=True),
        [facts(hours_ago=72, warmth=True)],
        {INFECTION},
        Level.URGENT,
        id="infection_redness_persisting_72h",
    ),
    pytest.param(
        facts(locations={"front_of_thigh"}, warmth=True),
        [facts(hours_ago=10), facts(hours_ago=30, locations={"front_of_thigh"}, warmth=True)],
        {INFECTION},
        Level.URGENT,
        id="infection_warmth_persisting_behind_a_clean_log",
    ),
    pytest.param(
        facts(redness=True),
        [facts(hours_ago=73, redness=True)],
        set(),
        Level.SELF_CARE,
        id="infection_not_redness_73h_ago",
    ),
    pytest.param(
        facts(redness=True),
        [facts(hours_ago=24)],
        set(),
        Level.SELF_CARE,
        id="infection_not_earlier_log_without_signs",
    ),
    pytest.param(
        facts(),
        [facts(hours_ago=24, redness=True, warmth=True)],
        set(),
        Level.SELF_CARE,
        id="infection_not_signs_only_in_history",
    ),
    pytest.param(
        facts(redness=True),
        [facts(hours_ago=0, redness=True), facts(hours_ago=-1, warmth=True)],
        set(),
        Level.SELF_CARE,
        id="infection_not_history_at_or_after_the_log",
    ),
    # --- cannot_bear_weight ---
    pytest.param(
        facts(can_bear_weight=False), [], {NO_WEIGHT}, Level.URGENT, id="cannot_bear_weight"
    ),
    pytest.param(
        facts(pain_score=0, locations=(), can_bear_weight=False),
        [],
        {NO_WEIGHT},
        Level.URGENT,
        id="cannot_bear_weight_with_pain_0",
    ),
    # --- sudden_severe_pain_swelling ---
    pytest.param(
        facts(sudden_onset=True, pain_score=7, swelling="mild"),
        [],
        {SUDDEN},
        Level.URGENT,
        id="sudden_pain_7_swollen_knee",
    ),
    pytest.param(
        facts(sudden_onset=True, pain_score=10, swelling="mild", locations={"calf"}),
        [],
        {SUDDEN},
        Level.URGENT,
        id="sudden_pain_10_swollen_calf",
    ),
    pytest.param(
        facts(sudden_onset=True, pain_score=6, swelling="mild"),
        [],
        set(),
        Level.SELF_CARE,
        id="sudden_not_pain_6",
    ),
    pytest.param(
        facts(pain_score=9, swelling="mild"),
        [],
        set(),
        Level.SELF_CARE,
        id="sudden_not_gradual_onset",
    ),
    pytest.param(
        facts(sudden_onset=True, pain_score=9),
        [],
        set(),
        Level.SELF_CARE,
        id="sudden_not_without_swelling",
    ),
    pytest.param(
        facts(sudden_onset=True, pain_score=9, swelling="mild", locations={"front_of_thigh"}),
        [],
        set(),
        Level.SELF_CARE,
        id="sudden_not_thigh",
    ),
    pytest.param(
        facts(sudden_onset=True, qualities={"sharp"}, knee_locking=True),
        [],
        {SUDDEN, LOCKING},
        Level.URGENT,
        id="sudden_sharp_then_knee_will_not_move",
    ),
    pytest.param(
        facts(sudden_onset=True, qualities={"sharp"}, swelling="significant"),
        [],
        {SUDDEN},
        Level.URGENT,
        id="sudden_sharp_with_big_swelling",
    ),
    pytest.param(
        facts(sudden_onset=True, qualities={"sharp"}, swelling="mild"),
        [],
        set(),
        Level.SELF_CARE,
        id="sudden_not_sharp_with_mild_swelling",
    ),
    pytest.param(
        facts(sudden_onset=True, qualities={"aching"}, knee_locking=True),
        [],
        {LOCKING},
        Level.SOON,
        id="sudden_not_aching_with_locking",
    ),
    pytest.param(
        facts(sudden_onset=True, pain_score=7, qualities=(), knee_locking=True),
        [],
        {SUDDEN, LOCKING},
        Level.URGENT,
        id="sudden_severe_pain_any_words_then_locking",
    ),
    pytest.param(
        facts(sudden_onset=True, pain_score=6, qualities=(), knee_locking=True),
        [],
        {LOCKING},
        Level.SOON,
        id="sudden_not_moderate_pain_without_sharp_then_locking",
    ),
    pytest.param(
        facts(qualities={"sharp"}, knee_locking=True),
        [],
        {LOCKING},
        Level.SOON,
        id="sudden_not_gradual_sharp_with_locking",
    ),
    pytest.param(
        facts(swelling="significant"),
        [facts(hours_ago=48, swelling="mild")],
        {SUDDEN},
        Level.URGENT,
        id="sudden_swelling_grew_from_mild_within_48h",
    ),
    pytest.param(
        facts(swelling="significant"),
        [facts(hours_ago=12)],
        {SUDDEN},
        Level.URGENT,
        id="sudden_swelling_grew_from_none_within_48h",
    ),
    pytest.param(
        facts(swelling="significant"),
        [facts(hours_ago=49, swelling="mild")],
        set(),
        Level.SELF_CARE,
        id="sudden_not_swelling_mild_49h_ago",
    ),
    pytest.param(
        facts(swelling="significant"),
        [facts(hours_ago=12, swelling="significant")],
        set(),
        Level.SELF_CARE,
        id="sudden_not_swelling_already_significant",
    ),
    pytest.param(
        facts(swelling="mild"),
        [facts(hours_ago=12)],
        set(),
        Level.SELF_CARE,
        id="sudden_not_swelling_grew_to_mild_only",
    ),
    pytest.param(
        facts(swelling="significant"),
        [],
        set(),
        Level.SELF_CARE,
        id="sudden_not_swelling_no_history",
    ),
    # --- calf_pain_after_knee_injury ---
    pytest.param(
        facts(recent_knee_injury=True, locations={"calf"}),
        [],
        {CALF_AFTER_INJURY},
        Level.SOON,
        id="calf_pain_after_knee_injury",
    ),
    pytest.param(
        facts(recent_knee_injury=True, locations={"back_of_knee", "front_of_knee"}),
        [],
        {CALF_AFTER_INJURY},
        Level.SOON,
        id="back_of_leg_pain_after_knee_injury",
    ),
    pytest.param(
        facts(recent_knee_injury=True, locations={"front_of_knee"}),
        [],
        set(),
        Level.SELF_CARE,
        id="calf_after_injury_not_front_of_knee",
    ),
    pytest.param(
        facts(recent_knee_injury=True, locations={"calf"}, pain_score=0),
        [],
        set(),
        Level.SELF_CARE,
        id="calf_after_injury_not_without_pain",
    ),
    pytest.param(
        facts(locations={"calf"}), [], set(), Level.SELF_CARE, id="calf_after_injury_not_no_injury"
    ),
    # --- worsening_neuro ---
    pytest.param(
        facts(neuro_worsening=True),
        [],
        {NEURO},
        Level.SOON,
        id="neuro_worsening_without_numbness",
    ),
    pytest.param(
        facts(numbness_tingling=True),
        [facts(hours_ago=24)],
        {NEURO},
        Level.SOON,
        id="neuro_new_numbness",
    ),
    pytest.param(
        facts(weakness=True),
        [facts(hours_ago=24), facts(hours_ago=168)],
        {NEURO},
        Level.SOON,
        id="neuro_new_weakness_over_7_days",
    ),
    pytest.param(
        facts(numbness_tingling=True),
        [facts(hours_ago=24), facts(hours_ago=169, numbness_tingling=True)],
        {NEURO},
        Level.SOON,
        id="neuro_new_numbness_older_numbness_ignored",
    ),
    pytest.param(
        facts(numbness_tingling=True, weakness=True),
        [],
        {NEURO},
        Level.SOON,
        id="neuro_first_log_cannot_tell_new_so_escalates",
    ),
    pytest.param(
        facts(numbness_tingling=True),
        [facts(hours_ago=169)],
        {NEURO},
        Level.SOON,
        id="neuro_numbness_history_only_older_than_7_days_escalates",
    ),
    pytest.param(
        facts(numbness_tingling=True),
        [facts(hours_ago=24), facts(hours_ago=100, numbness_tingling=True)],
        set(),
        Level.SELF_CARE,
        id="neuro_not_numbness_already_there",
    ),
    pytest.param(
        facts(numbness_tingling=True),
        [facts(hours_ago=24, weakness=True)],
        set(),
        Level.SELF_CARE,
        id="neuro_not_numbness_after_weakness",
    ),
    pytest.param(
        facts(),
        [facts(hours_ago=24, numbness_tingling=True)],
        set(),
        Level.SELF_CARE,
        id="neuro_not_numbness_gone",
    ),
    # --- daily_life_or_sleep ---
    pytest.param(
        facts(daily_activities_limited=True),
        [],
        {DAILY},
        Level.SOON,
        id="daily_activities_limited",
    ),
    pytest.param(facts(sleep_disturbed=True), [], {DAILY}, Level.SOON, id="sleep_disturbed"),
    # --- mechanical_locking ---
    pytest.param(facts(knee_locking=True), [], {LOCKING}, Level.SOON, id="knee_locking"),
    # --- cauda_equina ---
    pytest.param(
        facts(saddle_numbness=True), [], {CAUDA}, Level.EMERGENCY, id="cauda_saddle_numbness"
    ),
    pytest.param(
        facts(pain_score=0, locations=(), bladder_bowel_change=True),
        [],
        {CAUDA},
        Level.EMERGENCY,
        id="cauda_bladder_change_alone",
    ),
    pytest.param(
        facts(side="both", locations={"lower_back"}, numbness_tingling=True),
        [LONG_STANDING_NEURO],
        {CAUDA},
        Level.EMERGENCY,
        id="cauda_both_sides_back_pain_numbness",
    ),
    pytest.param(
        facts(side="both", locations={"lower_back"}, weakness=True),
        [LONG_STANDING_NEURO],
        {CAUDA},
        Level.EMERGENCY,
        id="cauda_both_sides_back_pain_weakness",
    ),
    pytest.param(
        facts(side="both", locations={"lower_back", "back_of_thigh"}),
        [],
        {CAUDA},
        Level.EMERGENCY,
        id="cauda_both_legs_with_back_pain",
    ),
    pytest.param(
        facts(side="left", locations={"lower_back", "back_of_thigh"}, numbness_tingling=True),
        [LONG_STANDING_NEURO],
        set(),
        Level.SELF_CARE,
        id="cauda_not_one_side",
    ),
    pytest.param(
        facts(side="both", locations={"lower_back"}),
        [],
        set(),
        Level.SELF_CARE,
        id="cauda_not_back_pain_both_sides_only",
    ),
    pytest.param(
        facts(side="both", locations={"front_of_knee"}, numbness_tingling=True),
        [LONG_STANDING_NEURO],
        set(),
        Level.SELF_CARE,
        id="cauda_not_both_legs_without_back",
    ),
    # --- combinations ---
    pytest.param(
        facts(bladder_bowel_change=True, sleep_disturbed=True),
        [],
        {CAUDA, DAILY},
        Level.EMERGENCY,
        id="combo_emergency_beats_soon",
    ),
    pytest.param(
        facts(locations={"calf"}, fever=True, redness=True, can_bear_weight=False),
        [],
        {DVT, INFECTION, NO_WEIGHT},
        Level.URGENT,
        id="combo_several_urgent",
    ),
    pytest.param(
        facts(knee_locking=True, daily_activities_limited=True, can_bear_weight=False),
        [],
        {NO_WEIGHT, DAILY, LOCKING},
        Level.URGENT,
        id="combo_urgent_beats_soon",
    ),
]


@pytest.mark.parametrize(("log", "history", "codes", "level"), CASES)
def test_it_raises_exactly_the_expected_flags_at_the_highest_level(log, history, codes, level):
    result = triage(log, history)

    assert codes_of(result) == codes
    assert result.level == level
    assert result.disclaimer == DISCLAIMER


def test_it_lists_flags_most_severe_first_then_in_table_order():
    log = facts(
        locations={"calf"},
        knee_locking=True,
        sleep_disturbed=True,
        can_bear_weight=False,
        tenderness=True,
        saddle_numbness=True,
    )

    result = triage(log, [])

    assert [flag.code for flag in result.flags] == [CAUDA, DVT, NO_WEIGHT, DAILY, LOCKING]
    assert result.level == Level.EMERGENCY


def test_it_returns_the_catalogue_flag_for_each_match():
    result = triage(facts(fever=True, knee_locking=True), [])

    assert result.flags == (flag_for(INFECTION), flag_for(LOCKING))


def test_the_table_has_one_rule_per_red_flag_code_in_domain_order():
    assert [rule.code for rule in RULES] == list(RedFlagCode.values)


EXPECTED_LEVELS = {
    DVT: Level.URGENT,
    INFECTION: Level.URGENT,
    NO_WEIGHT: Level.URGENT,
    SUDDEN: Level.URGENT,
    CALF_AFTER_INJURY: Level.SOON,
    NEURO: Level.SOON,
    DAILY: Level.SOON,
    LOCKING: Level.SOON,
    CAUDA: Level.EMERGENCY,
}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_each_rule_is_complete_and_cites_its_source(rule):
    assert rule.level == EXPECTED_LEVELS[rule.code]
    assert rule.level in Level.values
    assert rule.title.strip()
    assert rule.advice.strip()
    assert rule.source in Source.values
    assert set(rule.also_in) <= set(Source.values) - {rule.source}
    assert (rule.source == Source.CLINICAL_STANDARD) == (rule.code == CAUDA)


ADVICE_BY_LEVEL = {
    Level.EMERGENCY: ("call your local emergency number now",),
    Level.URGENT: ("today", "contact your doctor or an urgent care service now"),
    Level.SOON: ("within the next few days", "sooner if"),
}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_each_rule_advises_how_fast_to_act_for_its_level(rule):
    advice = rule.advice.lower()

    for phrase in ADVICE_BY_LEVEL[rule.level]:
        assert phrase in advice
    # Plain advice for a patient: no doses, no numbers at all.
    assert not re.search(r"\d", advice)


def test_dvt_advice_warns_against_massage_and_names_the_emergency_signs():
    advice = flag_for(DVT).advice.lower()

    assert "do not massage or stretch the calf" in advice
    assert "chest pain" in advice
    assert "emergency number" in advice


@pytest.mark.parametrize("code", list(RedFlagCode.values))
def test_flag_for_renders_every_stored_code(code):
    flag = flag_for(code)

    assert isinstance(flag, Flag)
    assert flag.code == code
    assert flag.level == EXPECTED_LEVELS[code]


@pytest.mark.parametrize("code", ["", "possible_stroke", "POSSIBLE_DVT"])
def test_flag_for_refuses_an_unknown_code(code):
    with pytest.raises(ValueError, match="Unknown red-flag code"):
        flag_for(code)

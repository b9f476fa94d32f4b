"""Scoring and judging as pure functions, table-tested with worked examples
(docs/domain.md, "Outcome measures")."""

from decimal import Decimal

import pytest

from apps.outcomes import scoring
from apps.outcomes.scoring import Answer, Method, Problem, Responder
from apps.outcomes.services import _version_fields

D = Decimal
ZERO_TO_FOUR = tuple(scoring.Option(v, str(v)) for v in range(5))
ZERO_TO_TEN = tuple(scoring.Option(v, str(v)) for v in range(11))

LEFS = scoring.Definition(
    code="lefs",
    items=tuple(scoring.Item(str(n), f"activity {n}", ZERO_TO_FOUR) for n in range(1, 21)),
    method=Method.SUM,
    score_min=D(0),
    score_max=D(80),
    higher_is_better=True,
    mcid=D(9),
)
PSFS = scoring.Definition(
    code="psfs",
    items=tuple(scoring.Item(str(n), f"activity {n}", ZERO_TO_TEN) for n in range(1, 6)),
    method=Method.MEAN,
    score_min=D(0),
    score_max=D(10),
    higher_is_better=True,
    mcid=D(2),
    named_by_patient=True,
    min_items=1,
    max_items=5,
)
PAIN_WEEK = scoring.Definition(
    code="pain_week",
    items=(
        scoring.Item("average", "average", ZERO_TO_TEN),
        scoring.Item("worst", "worst", ZERO_TO_TEN),
    ),
    method=Method.ITEM,
    score_item="average",
    score_min=D(0),
    score_max=D(10),
    higher_is_better=False,
    mcid=D(2),
    mcid_percent=D(30),
)


def lefs(values) -> list[Answer]:
    return [Answer(str(n), v) for n, v in enumerate(values, start=1)]


def psfs(*values, labels=None) -> list[Answer]:
    labels = labels or [f"activity {n}" for n in range(1, len(values) + 1)]
    return [
        Answer(str(n), v, label)
        for n, (v, label) in enumerate(zip(values, labels, strict=True), start=1)
    ]


def pain(average: int, worst: int) -> list[Answer]:
    return [Answer("average", average), Answer("worst", worst)]


@pytest.mark.parametrize(
    ("definition", "answers", "score"),
    [
        (LEFS, lefs([4] * 20), D(80)),
        (LEFS, lefs([0] * 20), D(0)),
        (LEFS, lefs([2] * 20), D(40)),
        (LEFS, lefs([0, 1, 2, 3, 4] * 4), D(40)),
        (LEFS, lefs([4] * 19 + [3]), D(79)),
        (PSFS, psfs(2, 5, 8), D("5.00")),
        (PSFS, psfs(7), D(7)),
        (PSFS, psfs(0, 10), D(5)),
        (PSFS, psfs(3, 4, 4), D("3.67")),  # 11/3, two places
        (PSFS, psfs(1, 1, 2), D("1.33")),
        (PSFS, psfs(1, 2, 3, 4, 5), D(3)),
        (PSFS, psfs(10, 10, 10, 10, 9), D("9.80")),
        (PAIN_WEEK, pain(6, 9), D(6)),
        (PAIN_WEEK, pain(0, 0), D(0)),
        (PAIN_WEEK, pain(10, 10), D(10)),
    ],
)
def test_worked_examples_score_exactly(definition, answers, score):
    assert scoring.score_answers(definition, answers).score == score


def test_answers_come_back_in_the_instruments_order():
    shuffled = list(reversed(lefs([n % 5 for n in range(20)])))
    scored = scoring.score_answers(LEFS, shuffled)
    assert [a.item for a in scored.answers] == [str(n) for n in range(1, 21)]


def problems(definition, answers, activities=None) -> list[tuple[str, str]]:
    with pytest.raises(scoring.AnswersInvalid) as caught:
        scoring.score_answers(definition, answers, activities=activities)
    return [(e.attr, e.code) for e in caught.value.errors]


@pytest.mark.parametrize(
    ("definition", "answers", "activities", "expected"),
    [
        # A missing item is named in the message; attr is the list.
        (LEFS, lefs([4] * 19), None, [("answers", Problem.MISSING_ITEM)]),
        (LEFS, lefs([4] * 20)[1:], None, [("answers", Problem.MISSING_ITEM)]),
        (LEFS, lefs([4] * 19 + [5]), None, [("answers.19.value", Problem.OUT_OF_RANGE)]),
        (LEFS, lefs([-1] + [4] * 19), None, [("answers.0.value", Problem.OUT_OF_RANGE)]),
        (
            LEFS,
            [*lefs([4] * 20), Answer("21", 4)],
            None,
            [("answers.20.item", Problem.UNKNOWN_ITEM)],
        ),
        (
            LEFS,
            [*lefs([4] * 20), Answer("3", 4)],
            None,
            [("answers.20.item", Problem.DUPLICATE_ITEM)],
        ),
        (
            LEFS,
            [Answer("1", 4, "a label"), *lefs([4] * 20)[1:]],
            None,
            [("answers.0.label", Problem.LABEL_NOT_ACCEPTED)],
        ),
        (
            PSFS,
            [*psfs(1, 2, 3, 4, 5), Answer("6", 5, "six")],
            None,
            [("answers", Problem.TOO_MANY_ITEMS)],
        ),
        (PSFS, [], None, [("answers", Problem.TOO_FEW_ITEMS)]),
        (PSFS, psfs(11), None, [("answers.0.value", Problem.OUT_OF_RANGE)]),
        (PSFS, [Answer("1", 5)], None, [("answers.0.label", Problem.LABEL_REQUIRED)]),
        (PSFS, [Answer("1", 5, "   ")], None, [("answers.0.label", Problem.LABEL_REQUIRED)]),
        (PSFS, [Answer("9", 5, "x")], None, [("answers.0.item", Problem.UNKNOWN_ITEM)]),
        # Later responses rate the activities of the first one.
        (
            PSFS,
            psfs(5, 5, labels=["stairs", "kneeling"]),
            {"1": "stairs", "2": "running"},
            [("answers.1.label", Problem.ACTIVITY_RENAMED)],
        ),
        (
            PSFS,
            psfs(5, 5, 5, labels=["stairs", "running", "cycling"]),
            {"1": "stairs", "2": "running"},
            [("answers.2.item", Problem.NEW_ACTIVITY)],
        ),
        (
            PSFS,
            psfs(5, labels=["stairs"]),
            {"1": "stairs", "2": "running"},
            [("answers", Problem.MISSING_ACTIVITY)],
        ),
        (PAIN_WEEK, pain(6, 9)[:1], None, [("answers", Problem.MISSING_ITEM)]),
        (PAIN_WEEK, pain(11, 9), None, [("answers.0.value", Problem.OUT_OF_RANGE)]),
    ],
)
def test_bad_answers_name_the_item(definition, answers, activities, expected):
    assert problems(definition, answers, activities) == expected


def test_the_missing_items_are_named_in_the_message():
    with pytest.raises(scoring.AnswersInvalid) as caught:
        scoring.score_answers(LEFS, [a for a in lefs([4] * 20) if a.item not in {"3", "17"}])
    assert "item 3, item 17" in caught.value.errors[0].message


def test_every_bad_answer_is_reported_at_once():
    answers = lefs([4] * 18 + [7, 9])  # items 19 and 20 out of range
    assert problems(LEFS, answers) == [
        ("answers.18.value", Problem.OUT_OF_RANGE),
        ("answers.19.value", Problem.OUT_OF_RANGE),
    ]


def test_a_later_psfs_response_may_omit_labels_or_respell_them():
    activities = {"1": "Climbing stairs", "2": "running"}
    scored = scoring.score_answers(
        PSFS,
        [Answer("1", 6, "  climbing   STAIRS "), Answer("2", 8)],
        activities=activities,
    )
    assert scored.score == D(7)
    assert [a.label for a in scored.answers] == ["Climbing stairs", "running"]


def test_first_psfs_labels_are_kept_with_their_spaces_tidied():
    scored = scoring.score_answers(PSFS, [Answer("1", 6, " walking  the dog ")])
    assert scored.answers[0].label == "walking the dog"


# --- Change, MCID and responder ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("definition", "baseline", "score", "change", "responder"),
    [
        (LEFS, None, D(40), None, None),  # the first response: no baseline yet
        (LEFS, D(40), D(49), D(9), Responder.IMPROVED),  # exactly the MCID
        (LEFS, D(40), D(48), D(8), Responder.NO_CHANGE),
        (LEFS, D(40), D(40), D(0), Responder.NO_CHANGE),
        (LEFS, D(40), D(32), D(-8), Responder.NO_CHANGE),
        (LEFS, D(40), D(31), D(-9), Responder.WORSENED),
        (LEFS, D(60), D(20), D(-40), Responder.WORSENED),
        (PSFS, D(3), D(5), D(2), Responder.IMPROVED),
        (PSFS, D("3.33"), D("5.33"), D(2), Responder.IMPROVED),
        (PSFS, D(3), D("4.80"), D("1.80"), Responder.NO_CHANGE),
        (PSFS, D(5), D(3), D(-2), Responder.WORSENED),
        (PSFS, D(5), D("3.20"), D("-1.80"), Responder.NO_CHANGE),
        # pain_week: lower is better; 2 points or 30% of the baseline, whichever comes first.
        (PAIN_WEEK, D(8), D(6), D(-2), Responder.IMPROVED),  # 2 points (30% would be 2.4)
        (PAIN_WEEK, D(8), D(7), D(-1), Responder.NO_CHANGE),
        (PAIN_WEEK, D(3), D(2), D(-1), Responder.IMPROVED),  # 1 ≥ 30% of 3 (0.9)
        (PAIN_WEEK, D(5), D(4), D(-1), Responder.NO_CHANGE),  # 30% of 5 is 1.5
        (PAIN_WEEK, D(5), D(7), D(2), Responder.WORSENED),
        (PAIN_WEEK, D(3), D(4), D(1), Responder.WORSENED),
        (PAIN_WEEK, D(0), D(1), D(1), Responder.NO_CHANGE),  # from 0, points only
        (PAIN_WEEK, D(0), D(2), D(2), Responder.WORSENED),
        (PAIN_WEEK, D(4), D(4), D(0), Responder.NO_CHANGE),
    ],
)
def test_change_and_responder_are_direction_aware(definition, baseline, score, change, responder):
    judged = scoring.judge(definition, baseline=baseline, score=score)
    assert (judged.change, judged.responder) == (change, responder)


@pytest.mark.parametrize(
    ("baseline", "threshold"),
    [(D(10), D(2)), (D(7), D(2)), (D(6), D("1.80")), (D(3), D("0.90")), (D(0), D(2))],
)
def test_the_pain_week_threshold_is_the_smaller_of_2_points_and_30_percent(baseline, threshold):
    assert scoring.mcid_threshold(PAIN_WEEK, baseline) == threshold


# --- Definitions -------------------------------------------------------------------------------


def test_the_shipped_definitions_have_no_problems():
    for definition in (LEFS, PSFS, PAIN_WEEK):
        assert scoring.definition_problems(definition) == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"items": ()}, "no items"),
        ({"score_max": D(70)}, "outside the declared range"),
        ({"mcid": D(0)}, "MCID must be above 0"),
        ({"method": Method.ITEM, "score_item": "nope"}, "score_item"),
        ({"method": Method.LOOKUP, "table": {0: D(0)}}, "lookup table lacks"),
        (
            {"items": (scoring.Item("1", "a", ZERO_TO_FOUR), scoring.Item("1", "b", ZERO_TO_FOUR))},
            "ids repeat",
        ),
    ],
)
def test_definition_problems_are_found(changes, problem):
    from dataclasses import replace

    found = scoring.definition_problems(replace(LEFS, **changes))
    assert any(problem in text for text in found), found


def test_a_lookup_table_converts_the_raw_total():
    two_items = scoring.Definition(
        code="koos_demo",
        items=(
            scoring.Item("P1", "a", ZERO_TO_FOUR[:3]),
            scoring.Item("P2", "b", ZERO_TO_FOUR[:3]),
        ),
        method=Method.LOOKUP,
        table={0: D(100), 1: D(75), 2: D(50), 3: D(25), 4: D(0)},
        score_min=D(0),
        score_max=D(100),
        higher_is_better=True,
        mcid=D(10),
    )
    assert scoring.definition_problems(two_items) == []
    assert scoring.score_answers(two_items, [Answer("P1", 1), Answer("P2", 2)]).score == D(25)


def test_fixture_numbers_become_decimals():
    fields = _version_fields(
        {
            "title": "t",
            "items": [{"id": "1", "text": "x"}],
            "answers": [{"value": 0, "label": "a"}],
            "scoring": {"method": "sum", "min": 0, "max": 1, "higher_is_better": True, "mcid": 0.5},
            "source": "s",
            "licence": "l",
        }
    )
    assert fields["mcid"] == D("0.5")
    assert fields["mcid_percent"] is None

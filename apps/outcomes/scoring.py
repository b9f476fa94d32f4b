"""Scoring outcome questionnaires: pure functions over plain data (no ORM, no DRF).

An instrument version is data (docs/domain.md, "Outcome measures"): its items, the answers
each item takes, how the answers become a score, the score's range and direction, and the
smallest change that matters to patients (MCID). This module checks a patient's answers
against that data, scores them, and judges a score against the schedule's baseline.

Scores are Decimals with two places: a PSFS mean of three activities (5/3) is 1.67. The
MCID comparison is inclusive: a LEFS 9 points under its baseline has worsened.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

TWO_PLACES = Decimal("0.01")


class Method(StrEnum):
    SUM = "sum"  # the total of every item (LEFS: 20 items of 0–4, 0–80)
    MEAN = "mean"  # the mean of the items answered (PSFS: 1 to 5 activities of 0–10)
    ITEM = "item"  # one item's answer is the score (pain_week: the average pain)
    LOOKUP = "lookup"  # the raw total converted through the instrument's published table


class Responder(StrEnum):
    IMPROVED = "improved"
    NO_CHANGE = "no_change"
    WORSENED = "worsened"


class Problem(StrEnum):
    """Why answers are refused; clients may rely on these codes (docs/api.md)."""

    MISSING_ITEM = "missing_item"  # attr `answers`: an item every response must answer
    UNKNOWN_ITEM = "unknown_item"  # attr `answers.N.item`
    DUPLICATE_ITEM = "duplicate_item"  # attr `answers.N.item`: the same item twice
    OUT_OF_RANGE = "out_of_range"  # attr `answers.N.value`: not one of the item's answers
    TOO_MANY_ITEMS = "too_many_items"  # attr `answers`: PSFS names at most 5 activities
    TOO_FEW_ITEMS = "too_few_items"  # attr `answers`: PSFS names at least 1
    LABEL_REQUIRED = "label_required"  # attr `answers.N.label`: name the activity
    LABEL_NOT_ACCEPTED = "label_not_accepted"  # attr `answers.N.label`: fixed items have text
    NEW_ACTIVITY = "new_activity"  # attr `answers.N.item`: not named at the first response
    ACTIVITY_RENAMED = "activity_renamed"  # attr `answers.N.label`: named otherwise before
    MISSING_ACTIVITY = "missing_activity"  # attr `answers`: an activity of the first response


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    options: tuple[Option, ...]

    @property
    def values(self) -> frozenset[int]:
        return frozenset(option.value for option in self.options)


@dataclass(frozen=True)
class Definition:
    """What scoring needs of an instrument version."""

    code: str
    items: tuple[Item, ...]
    method: Method
    score_min: Decimal
    score_max: Decimal
    higher_is_better: bool
    mcid: Decimal
    # pain_week: "2 points or 30%" (Farrar 2001); see `mcid_threshold`.
    mcid_percent: Decimal | None = None
    # PSFS: the patient names 1 to 5 activities, answered in the item slots "1".."5".
    named_by_patient: bool = False
    min_items: int | None = None
    max_items: int | None = None
    score_item: str = ""  # Method.ITEM: the item whose answer is the score
    table: Mapping[int, Decimal] = field(default_factory=dict)  # Method.LOOKUP: raw → score

    def item(self, item_id: str) -> Item | None:
        return next((item for item in self.items if item.id == item_id), None)


@dataclass(frozen=True)
class Answer:
    item: str
    value: int
    label: str | None = None


@dataclass(frozen=True)
class Error:
    attr: str
    code: Problem
    message: str


class AnswersInvalid(Exception):
    def __init__(self, errors: Sequence[Error]) -> None:
        super().__init__("; ".join(f"{e.attr}: {e.message}" for e in errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class Scored:
    score: Decimal
    answers: tuple[Answer, ...]  # in the instrument's item order, labels filled in


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def activity_key(label: str) -> str:
    """Two spellings of one activity compare equal ("Climbing stairs " and "climbing
    stairs"); anything else is a different activity."""
    return " ".join(label.split()).casefold()


def _count_problem(definition: Definition, answers: Sequence[Answer]) -> Error | None:
    """For items the patient names (PSFS): too many or too few activities."""
    if not definition.named_by_patient:
        return None
    if definition.max_items is not None and len(answers) > definition.max_items:
        return Error(
            "answers",
            Problem.TOO_MANY_ITEMS,
            f"Name at most {definition.max_items} activities.",
        )
    if len(answers) < (definition.min_items or 1):
        return Error(
            "answers",
            Problem.TOO_FEW_ITEMS,
            f"Name at least {definition.min_items or 1} activity.",
        )
    return None


def _label_of(
    definition: Definition,
    index: int,
    answer: Answer,
    activities: Mapping[str, str] | None,
) -> tuple[str | None, Error | None]:
    """The answer's label as stored (a named activity, tidied or taken from the first
    response), or what is wrong with it."""
    label = answer.label
    if not definition.named_by_patient:
        if label is None:
            return None, None
        return label, Error(
            f"answers.{index}.label",
            Problem.LABEL_NOT_ACCEPTED,
            f"Item {answer.item} has fixed wording; send no label.",
        )
    if activities is None:
        if not (label or "").strip():
            return label, Error(
                f"answers.{index}.label",
                Problem.LABEL_REQUIRED,
                f"Name the activity of item {answer.item}.",
            )
        return " ".join((label or "").split()), None
    if answer.item not in activities:
        return label, Error(
            f"answers.{index}.item",
            Problem.NEW_ACTIVITY,
            f"Item {answer.item} was not named at the first response of this "
            "schedule; later responses rate the same activities.",
        )
    if label is not None and activity_key(label) != activity_key(activities[answer.item]):
        return label, Error(
            f"answers.{index}.label",
            Problem.ACTIVITY_RENAMED,
            f"Item {answer.item} is \u201c{activities[answer.item]}\u201d since the "
            "first response of this schedule; it cannot be renamed.",
        )
    return activities[answer.item], None


def _answer_problems(
    definition: Definition, index: int, answer: Answer, seen: set[str]
) -> tuple[Item | None, list[Error]]:
    """The item an answer answers, or why it answers none (unknown, or answered twice);
    and whether its value is one of the item's answers."""
    item = definition.item(answer.item)
    if item is None:
        return None, [
            Error(
                f"answers.{index}.item",
                Problem.UNKNOWN_ITEM,
                f"Item {answer.item} is not an item of {definition.code}.",
            )
        ]
    if answer.item in seen:
        return None, [
            Error(
                f"answers.{index}.item",
                Problem.DUPLICATE_ITEM,
                f"Item {answer.item} is answered twice.",
            )
        ]
    if answer.value not in item.values:
        low, high = min(item.values), max(item.values)
        return item, [
            Error(
                f"answers.{index}.value",
                Problem.OUT_OF_RANGE,
                f"Item {answer.item} takes a whole number from {low} to {high}.",
            )
        ]
    return item, []


def _missing_problem(
    definition: Definition, seen: set[str], activities: Mapping[str, str] | None
) -> Error | None:
    """An activity of the first response, or a fixed item, left unanswered."""
    if definition.named_by_patient:
        missing = [item_id for item_id in activities or {} if item_id not in seen]
        if not missing:
            return None
        return Error(
            "answers",
            Problem.MISSING_ACTIVITY,
            "Rate every activity named at the first response; missing: "
            + ", ".join(
                f"item {item_id} (\u201c{(activities or {})[item_id]}\u201d)" for item_id in missing
            )
            + ".",
        )
    missing = [item.id for item in definition.items if item.id not in seen]
    if not missing:
        return None
    return Error(
        "answers",
        Problem.MISSING_ITEM,
        "Every item needs an answer; missing: item " + ", item ".join(missing) + ".",
    )


def _check_answers(
    definition: Definition,
    answers: Sequence[Answer],
    activities: Mapping[str, str] | None,
) -> list[Answer]:
    count = _count_problem(definition, answers)
    if count is not None:
        raise AnswersInvalid([count])
    errors: list[Error] = []
    seen: set[str] = set()
    labelled: list[Answer] = []
    for index, answer in enumerate(answers):
        item, problems = _answer_problems(definition, index, answer, seen)
        errors += problems
        if item is None:
            continue
        seen.add(answer.item)
        label, problem = _label_of(definition, index, answer, activities)
        if problem is not None:
            errors.append(problem)
        labelled.append(Answer(answer.item, answer.value, label))
    missing = _missing_problem(definition, seen, activities)
    if missing is not None:
        errors.append(missing)
    if errors:
        raise AnswersInvalid(errors)
    order = {item.id: position for position, item in enumerate(definition.items)}
    return sorted(labelled, key=lambda answer: order[answer.item])


def score_answers(
    definition: Definition,
    answers: Sequence[Answer],
    *,
    activities: Mapping[str, str] | None = None,
) -> Scored:
    """Check the answers and score them, or raise AnswersInvalid naming every bad item.

    `activities`: for an instrument whose items the patient names (PSFS), the item → label
    named at the first response of the schedule; None when this is the first response."""
    checked = _check_answers(definition, answers, activities)
    values = [answer.value for answer in checked]
    if definition.method == Method.SUM:
        score = Decimal(sum(values))
    elif definition.method == Method.MEAN:
        score = Decimal(sum(values)) / Decimal(len(values))
    elif definition.method == Method.ITEM:
        score = Decimal(next(a.value for a in checked if a.item == definition.score_item))
    elif definition.method == Method.LOOKUP:
        raw = sum(values)
        if raw not in definition.table:
            raise ValueError(f"{definition.code}: the lookup table has no row for raw {raw}")
        score = Decimal(definition.table[raw])
    else:  # pragma: no cover - definitions are checked when loaded
        raise ValueError(f"unknown scoring method {definition.method!r}")
    return Scored(score=_quantize(score), answers=tuple(checked))


# --- Change against the baseline --------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    change: Decimal | None
    responder: Responder | None


def mcid_threshold(definition: Definition, baseline: Decimal) -> Decimal:
    """The smallest change that matters, in points, from this baseline.

    For an instrument with an MCID in points and in percent of the baseline (pain_week,
    "2 points or 30%", Farrar et al. 2001) the change matters when it reaches either: the
    threshold is the smaller of the two. From a baseline of 0 a percentage means nothing,
    so the points apply."""
    if definition.mcid_percent is None or baseline == 0:
        return definition.mcid
    return min(definition.mcid, _quantize(abs(baseline) * definition.mcid_percent / 100))


def judge(definition: Definition, *, baseline: Decimal | None, score: Decimal) -> Judgement:
    """Change from the baseline (the schedule's first response) and the responder status,
    direction-aware: for pain_week a fall in score is an improvement. Without a baseline
    (this is the first response) both are None."""
    if baseline is None:
        return Judgement(change=None, responder=None)
    change = _quantize(score - baseline)
    better = change if definition.higher_is_better else -change
    threshold = mcid_threshold(definition, baseline)
    if better > 0 and better >= threshold:
        responder = Responder.IMPROVED
    elif better < 0 and -better >= threshold:
        responder = Responder.WORSENED
    else:
        responder = Responder.NO_CHANGE
    return Judgement(change=change, responder=responder)


# --- Checking a definition (when instruments are loaded) ----------------------------------


def _item_problems(definition: Definition) -> list[str]:
    problems: list[str] = []
    ids = [item.id for item in definition.items]
    if not ids:
        problems.append("it has no items")
    if len(set(ids)) != len(ids):
        problems.append("item ids repeat")
    for item in definition.items:
        if not item.options:
            problems.append(f"item {item.id} has no answers")
        values = [option.value for option in item.options]
        if len(set(values)) != len(values):
            problems.append(f"item {item.id} repeats an answer value")
    return problems


def _range_problems(definition: Definition) -> list[str]:
    problems: list[str] = []
    if definition.score_min >= definition.score_max:
        problems.append("the score's minimum is not below its maximum")
    if definition.mcid <= 0:
        problems.append("the MCID must be above 0")
    if definition.mcid_percent is not None and not 0 < definition.mcid_percent <= 100:
        problems.append("the MCID percentage must be above 0 and at most 100")
    return problems


def _method_problems(definition: Definition) -> list[str]:
    problems: list[str] = []
    if definition.named_by_patient:
        count = len(definition.items)
        low, high = definition.min_items or 1, definition.max_items or count
        if not 1 <= low <= high <= count:
            problems.append("min_items and max_items must satisfy 1 ≤ min ≤ max ≤ items")
        if definition.method not in (Method.MEAN, Method.SUM):
            problems.append("items named by the patient are scored by sum or mean")
    if definition.method == Method.ITEM and definition.item(definition.score_item) is None:
        problems.append("score_item must name one of the items")
    if definition.method == Method.LOOKUP and definition.items:
        low = sum(min(item.values) for item in definition.items if item.options)
        high = sum(max(item.values) for item in definition.items if item.options)
        missing = [raw for raw in range(low, high + 1) if raw not in definition.table]
        if missing:
            problems.append(f"the lookup table lacks raw totals {missing}")
    return problems


def definition_problems(definition: Definition) -> list[str]:
    """What is wrong with an instrument version's data, for the loader and the admin."""
    problems = [
        *_item_problems(definition),
        *_range_problems(definition),
        *_method_problems(definition),
    ]
    if not problems:
        extremes = _score_extremes(definition)
        if extremes and (extremes[0] < definition.score_min or extremes[1] > definition.score_max):
            problems.append(
                f"answers can score {extremes[0]} to {extremes[1]}, outside the declared "
                f"range {definition.score_min} to {definition.score_max}"
            )
    return problems


def _score_extremes(definition: Definition) -> tuple[Decimal, Decimal] | None:
    lows = [min(item.values) for item in definition.items]
    highs = [max(item.values) for item in definition.items]
    if definition.method == Method.SUM:
        if definition.named_by_patient:
            return Decimal(min(lows)), Decimal(sum(sorted(highs)[-(definition.max_items or 0) :]))
        return Decimal(sum(lows)), Decimal(sum(highs))
    if definition.method == Method.MEAN:
        return Decimal(min(lows)), Decimal(max(highs))
    if definition.method == Method.ITEM:
        item = definition.item(definition.score_item)
        if item is None:  # definition_problems reports the missing item
            return None
        return Decimal(min(item.values)), Decimal(max(item.values))
    if definition.method == Method.LOOKUP:
        scores = [Decimal(value) for value in definition.table.values()]
        return min(scores), max(scores)
    return None


def answers_from(rows: Iterable[Mapping[str, Any]]) -> list[Answer]:
    """Answers from JSON-like rows {item, value, label?}."""
    return [Answer(str(row["item"]), row["value"], row.get("label")) for row in rows]

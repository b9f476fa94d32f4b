"""The pain-monitoring model (apps/guidance/model.py) at every boundary of docs/domain.md,
"Pain-monitoring model": plain data in, no database.

The scene: now is Wednesday 18 November 2026, 12:30 UTC; the patient lives in London
(UTC+0 in November) unless a test says otherwise. A "good week" is four sessions on the
four days before today, done as prescribed (3 × 10, pain 2, difficulty 3), with a morning
log at 08:00 of pain 3 on each of those days and today: every next morning equals the
morning before. Each test changes one thing from it.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.guidance.model import (
    Dosage,
    PainLog,
    Prescription,
    Reason,
    Session,
    Suggestion,
    dosage_step,
    load_guidance,
    mornings,
    weekly_mean_change,
)

NOW = datetime(2026, 11, 18, 12, 30, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")
ITEM = Prescription(sets=3, reps=10, hold_seconds=None, max_pain=5)


def at(days_ago: int, hour: int = 10, minute: int = 0, zone=LONDON) -> datetime:
    """Local time `hour:minute` on the day `days_ago` days before today, in `zone`."""
    day = NOW.astimezone(zone).date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def session(days_ago: int, **fields) -> Session:
    values = {
        "performed_at": at(days_ago, 10),
        "sets_done": 3,
        "reps_done": 10,
        "pain_during": 2,
        "difficulty": 3,
    }
    return Session(**{**values, **fields})


def good_sessions(n: int = 4) -> list[Session]:
    return [session(days_ago) for days_ago in range(n, 0, -1)]


def good_mornings(pain: int = 3, days: range = range(0, 5)) -> list[PainLog]:
    return [PainLog(at(days_ago, 8), pain) for days_ago in days]


def guide(
    sessions=None,
    logs=None,
    item: Prescription = ITEM,
    alert: bool = False,
    zone=LONDON,
    now: datetime = NOW,
    dosage_changed_at=None,
):
    return load_guidance(
        prescription=item,
        sessions=good_sessions() if sessions is None else sessions,
        pain_logs=good_mornings() if logs is None else logs,
        zone=zone,
        now=now,
        has_open_blocking_alert=alert,
        dosage_changed_at=dosage_changed_at,
    )


def test_a_good_week_progresses():
    result = guide()
    assert (result.suggestion, result.reasons) == (Suggestion.PROGRESS, [Reason.LOAD_TOLERATED])
    assert result.evidence["sessions"] == 4
    assert result.evidence["sessions_as_prescribed"] == 4
    assert result.evidence["mornings_compared"] == 4
    assert result.evidence["max_pain_during"] == 2


# --- Pain during exercise: 5 is allowed, 6 is not; and the item's own limit ---------------------


@pytest.mark.parametrize(
    ("pain", "max_pain", "suggestion", "reasons"),
    [
        (5, 10, Suggestion.HOLD, [Reason.PAIN_DURING_ABOVE_2]),
        (6, 10, Suggestion.REDUCE, [Reason.PAIN_DURING_ABOVE_5]),
        (10, 10, Suggestion.REDUCE, [Reason.PAIN_DURING_ABOVE_5]),
        # The item's max_pain, when lower than 5, is the limit.
        (3, 3, Suggestion.HOLD, [Reason.PAIN_DURING_ABOVE_2]),
        (4, 3, Suggestion.REDUCE, [Reason.PAIN_DURING_ABOVE_MAX]),
        (3, 2, Suggestion.REDUCE, [Reason.PAIN_DURING_ABOVE_MAX]),
        (2, 2, Suggestion.PROGRESS, [Reason.LOAD_TOLERATED]),
        # Both limits passed: both reasons.
        (7, 6, Suggestion.REDUCE, [Reason.PAIN_DURING_ABOVE_5, Reason.PAIN_DURING_ABOVE_MAX]),
        (6, 6, Suggestion.REDUCE, [Reason.PAIN_DURING_ABOVE_5]),
        # Progress needs every pain during ≤ 2.
        (3, 10, Suggestion.HOLD, [Reason.PAIN_DURING_ABOVE_2]),
    ],
)
def test_pain_during_exercise(pain, max_pain, suggestion, reasons):
    sessions = good_sessions()
    sessions[1] = replace(sessions[1], pain_during=pain)
    result = guide(sessions, item=replace(ITEM, max_pain=max_pain))
    assert (result.suggestion, result.reasons) == (suggestion, reasons)


def test_one_painful_session_reduces_even_with_too_few_sessions():
    # A reason to reduce is never hidden by a lack of data.
    result = guide([session(1, pain_during=6)], logs=[], item=replace(ITEM, max_pain=10))
    assert (result.suggestion, result.reasons) == (Suggestion.REDUCE, [Reason.PAIN_DURING_ABOVE_5])


# --- The next morning against the morning before ------------------------------------------------


@pytest.mark.parametrize(
    ("next_morning", "suggestion", "reasons"),
    [
        (4, Suggestion.REDUCE, [Reason.NEXT_MORNING_WORSE]),  # worse by 1
        (3, Suggestion.PROGRESS, [Reason.LOAD_TOLERATED]),  # equal
        (2, Suggestion.PROGRESS, [Reason.LOAD_TOLERATED]),  # better
    ],
)
def test_the_next_morning(next_morning, suggestion, reasons):
    # The session 2 days ago: the morning before is 2 days ago, the next morning yesterday.
    logs = good_mornings()  # days 0 (today) to 4
    logs[1] = PainLog(at(1, 8), next_morning)
    # Yesterday's session is then compared with today's morning, which must match it.
    logs[0] = PainLog(at(0, 8), next_morning)
    result = guide(logs=logs)
    assert (result.suggestion, result.reasons) == (suggestion, reasons)


def test_a_better_morning_before_a_worse_one_is_still_worse_than_its_own_morning_before():
    # Mornings 3, 2, 3: the session of the day with pain 2 is followed by a 3: worse by 1.
    logs = [PainLog(at(d, 8), p) for d, p in [(4, 3), (3, 3), (2, 2), (1, 3), (0, 3)]]
    result = guide(logs=logs)
    assert result.suggestion == Suggestion.REDUCE
    assert result.reasons == [Reason.NEXT_MORNING_WORSE]
    assert result.evidence["mornings_worse"] == 1


@pytest.mark.parametrize(
    ("hour", "minute", "second", "is_morning"),
    [(0, 0, 0, True), (11, 59, 59, True), (12, 0, 0, False), (12, 0, 1, False), (18, 0, 0, False)],
)
def test_noon_ends_the_morning(hour, minute, second, is_morning):
    log = PainLog(at(1, hour, minute).replace(second=second), 5)
    assert (mornings([log], LONDON, NOW) != {}) is is_morning


def test_the_first_log_of_the_morning_counts_not_a_later_one():
    first, later = PainLog(at(1, 7), 2), PainLog(at(1, 9), 8)
    assert mornings([later, first], LONDON, NOW)[at(1).date()] == first


def test_an_afternoon_log_is_not_a_next_morning():
    # Mornings only before noon: the worse pain logged at 12:00 the next day is not compared.
    logs = [*good_mornings(days=range(2, 5)), PainLog(at(1, 12), 9), PainLog(at(0, 8), 3)]
    result = guide([*good_sessions(3), session(4)], logs=logs)
    assert Reason.NEXT_MORNING_WORSE not in result.reasons
    worse = guide(logs=[*good_mornings(days=range(2, 5)), PainLog(at(1, 11, 59), 9)])
    assert worse.reasons == [Reason.NEXT_MORNING_WORSE]


def test_mornings_are_the_patients_local_mornings():
    # 10:30 in Tokyo is 01:30 UTC: a morning there, though UTC calls it the night.
    tokyo = ZoneInfo("Asia/Tokyo")
    log = PainLog(datetime(2026, 11, 17, 1, 30, tzinfo=UTC), 5)
    assert list(mornings([log], tokyo, NOW)) == [datetime(2026, 11, 17).date()]
    # 11:30 in New York is 16:30 UTC: still a morning in New York, not in London.
    new_york = ZoneInfo("America/New_York")
    log = PainLog(datetime(2026, 11, 17, 16, 30, tzinfo=UTC), 5)
    assert list(mornings([log], new_york, NOW)) == [datetime(2026, 11, 17).date()]
    assert mornings([log], LONDON, NOW) == {}


def test_a_whole_scene_in_another_zone_reads_its_local_days():
    # Sessions at 20:00 in New York (UTC-5) fall on the next day in UTC: the local day
    # decides which mornings are compared.
    new_york = ZoneInfo("America/New_York")
    sessions = [session(d, performed_at=at(d, 20, zone=new_york)) for d in range(4, 0, -1)]
    logs = [PainLog(at(d, 8, zone=new_york), 6 - d) for d in range(0, 5)]
    result = guide(sessions, logs, zone=new_york, now=at(0, 11, zone=new_york))
    days = [
        (day["date"], day["morning_before"], day["next_morning"]) for day in result.evidence["days"]
    ]
    assert days == [
        ("2026-11-14", 2, 3),
        ("2026-11-15", 3, 4),
        ("2026-11-16", 4, 5),
        ("2026-11-17", 5, 6),
    ]
    assert result.reasons == [Reason.NEXT_MORNING_WORSE]


# --- Weekly mean pain -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("this_week", "week_before", "reduces"),
    [
        ([5, 5, 5, 5, 5], [3, 3, 3, 3, 3], True),  # +2
        ([5, 5, 5, 5, 5, 5, 5, 5, 5, 4], [3, 3, 3, 3, 3], False),  # +1.9
        ([5, 5, 4], [3, 3, 3], False),  # +1.67
        ([6, 5], [3, 4], True),  # +2 exactly from fractions
    ],
)
def test_weekly_mean_boundary_with_equal_mornings(this_week, week_before, reduces):
    # Every log of this week is a morning of the scene (same pain each morning, so no next
    # morning is worse), the week before's are afternoons.
    logs = [PainLog(at(d, 8, minute=i), p) for i, (d, p) in enumerate(zip_days(this_week))]
    logs += [PainLog(at(8 + i % 6, 14, minute=i), p) for i, p in enumerate(week_before)]
    result = guide(logs=logs)
    assert (Reason.WEEKLY_PAIN_RISE in result.reasons) is reduces
    assert (result.suggestion == Suggestion.REDUCE) is reduces


def zip_days(pains: list[int]) -> list[tuple[int, int]]:
    """Pains for this week: the first five on the mornings of days 4..0 (minutes apart so
    the first of each morning is the first given), the rest on day 6 and 5 mornings."""
    days = [4, 3, 2, 1, 0, 6, 5, 6, 5, 6]
    return list(zip(days, pains, strict=False))


def test_weekly_mean_windows_are_half_open():
    # Exactly 7 days ago belongs to the week before; exactly 14 days ago to neither.
    logs = [
        PainLog(NOW - timedelta(days=7), 9),
        PainLog(NOW - timedelta(days=14), 0),
        PainLog(NOW - timedelta(days=1), 5),
        PainLog(NOW + timedelta(minutes=5), 10),  # a clock-skewed phone: ignored
    ]
    weekly = weekly_mean_change(logs, NOW)
    assert (weekly["this_week"], weekly["week_before"], weekly["change"]) == (5, 9, -4)


def test_no_week_before_means_no_rise():
    result = guide(logs=[PainLog(at(d, 8), 8) for d in range(0, 5)])
    assert result.evidence["weekly_mean_change"] is None
    assert result.suggestion == Suggestion.PROGRESS


# --- Sessions: 3 vs 4 for progress, 2 vs 3 for enough data ----------------------------------------


@pytest.mark.parametrize(
    ("count", "suggestion", "reasons"),
    [
        (0, Suggestion.INSUFFICIENT_DATA, [Reason.TOO_FEW_SESSIONS, Reason.NO_MORNING_LOGS]),
        (1, Suggestion.INSUFFICIENT_DATA, [Reason.TOO_FEW_SESSIONS]),
        (2, Suggestion.INSUFFICIENT_DATA, [Reason.TOO_FEW_SESSIONS]),
        (3, Suggestion.HOLD, [Reason.FEW_SESSIONS_AS_PRESCRIBED]),
        (4, Suggestion.PROGRESS, [Reason.LOAD_TOLERATED]),
        (5, Suggestion.PROGRESS, [Reason.LOAD_TOLERATED]),
    ],
)
def test_number_of_sessions(count, suggestion, reasons):
    logs = good_mornings(days=range(0, 6))
    result = guide(good_sessions(count), logs=logs)
    assert (result.suggestion, result.reasons) == (suggestion, reasons)


def test_sessions_older_than_7_days_do_not_count():
    sessions = [session(7, performed_at=NOW - timedelta(days=7)), *good_sessions(3)]
    result = guide(sessions, logs=good_mornings(days=range(0, 8)))
    assert result.evidence["sessions"] == 3
    assert result.suggestion == Suggestion.HOLD
    just_inside = [session(7, performed_at=NOW - timedelta(days=7) + timedelta(seconds=1))]
    result = guide(just_inside + good_sessions(3), logs=good_mornings(days=range(0, 8)))
    assert result.evidence["sessions"] == 4


def test_a_session_in_the_future_does_not_count():
    sessions = [*good_sessions(3), session(0, performed_at=NOW + timedelta(minutes=1))]
    assert guide(sessions).evidence["sessions"] == 3


def test_sessions_before_the_last_dosage_change_do_not_count():
    # The load changed two days ago: only sessions at the new dosage judge it.
    result = guide(dosage_changed_at=at(3, 12))
    assert result.evidence["sessions"] == 2
    assert result.suggestion == Suggestion.INSUFFICIENT_DATA


def test_two_sessions_on_one_day_are_two_sessions():
    sessions = [session(2), session(2, performed_at=at(2, 18)), session(1), session(3)]
    assert guide(sessions).suggestion == Suggestion.PROGRESS


# --- Morning logs ---------------------------------------------------------------------------------


def test_no_morning_logs_is_insufficient_data():
    afternoons = [PainLog(at(d, 14), 2) for d in range(0, 5)]
    result = guide(logs=afternoons)
    assert (result.suggestion, result.reasons) == (
        Suggestion.INSUFFICIENT_DATA,
        [Reason.NO_MORNING_LOGS],
    )


def test_next_mornings_without_mornings_before_are_not_enough():
    # Sessions every other day, mornings only the day after each: nothing to compare with.
    sessions = [session(d) for d in (7 - 1, 4, 2)] + [session(0, performed_at=at(0, 9))]
    logs = [PainLog(at(d, 8), 3) for d in (5, 3, 1)]
    result = guide(sessions, logs)
    assert result.reasons == [Reason.NO_MORNING_LOGS]


def test_one_compared_morning_is_enough_and_a_missing_one_does_not_block_progress():
    logs = [PainLog(at(2, 8), 3), PainLog(at(1, 8), 3)]
    result = guide(logs=logs)
    assert result.evidence["mornings_compared"] == 1
    assert result.suggestion == Suggestion.PROGRESS


# --- Done as prescribed, difficulty ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "suggestion", "reasons"),
    [
        ({"sets_done": 2}, Suggestion.HOLD, [Reason.FEW_SESSIONS_AS_PRESCRIBED]),
        ({"reps_done": 9}, Suggestion.HOLD, [Reason.FEW_SESSIONS_AS_PRESCRIBED]),
        ({"reps_done": None}, Suggestion.HOLD, [Reason.FEW_SESSIONS_AS_PRESCRIBED]),
        # More than prescribed is done as prescribed.
        ({"sets_done": 4, "reps_done": 12}, Suggestion.PROGRESS, [Reason.LOAD_TOLERATED]),
        ({"difficulty": 3}, Suggestion.PROGRESS, [Reason.LOAD_TOLERATED]),
        ({"difficulty": 4}, Suggestion.HOLD, [Reason.DIFFICULTY_ABOVE_3]),
        ({"difficulty": 5}, Suggestion.HOLD, [Reason.DIFFICULTY_ABOVE_3]),
        ({"difficulty": None}, Suggestion.PROGRESS, [Reason.LOAD_TOLERATED]),
        (
            {"difficulty": 4, "pain_during": 3, "sets_done": 1},
            Suggestion.HOLD,
            [
                Reason.FEW_SESSIONS_AS_PRESCRIBED,
                Reason.PAIN_DURING_ABOVE_2,
                Reason.DIFFICULTY_ABOVE_3,
            ],
        ),
    ],
)
def test_each_session_done_as_prescribed_and_easy(fields, suggestion, reasons):
    sessions = good_sessions()
    sessions[0] = replace(sessions[0], **fields)
    result = guide(sessions)
    assert (result.suggestion, result.reasons) == (suggestion, reasons)


def test_four_as_prescribed_among_five_sessions_progress():
    sessions = [session(5, sets_done=1), *good_sessions()]
    result = guide(sessions, logs=good_mornings(days=range(0, 6)))
    assert result.evidence["sessions_as_prescribed"] == 4
    assert result.suggestion == Suggestion.PROGRESS


def test_an_item_without_reps_needs_only_its_sets():
    item = Prescription(sets=2, reps=None, hold_seconds=30, max_pain=4)
    sessions = [replace(s, sets_done=2, reps_done=None) for s in good_sessions()]
    assert guide(sessions, item=item).suggestion == Suggestion.PROGRESS


# --- An open alert --------------------------------------------------------------------------------


def test_an_open_alert_turns_progress_into_hold():
    result = guide(alert=True)
    assert (result.suggestion, result.reasons) == (Suggestion.HOLD, [Reason.OPEN_ALERT])
    assert result.evidence["open_blocking_alert"] is True


@pytest.mark.parametrize(
    ("sessions", "suggestion"),
    [
        ([session(1, pain_during=6)], Suggestion.REDUCE),
        (good_sessions(2), Suggestion.INSUFFICIENT_DATA),
        (good_sessions(3), Suggestion.HOLD),
    ],
)
def test_an_open_alert_changes_nothing_but_progress(sessions, suggestion):
    with_alert, without = guide(sessions, alert=True), guide(sessions, alert=False)
    assert with_alert.suggestion == without.suggestion == suggestion
    assert with_alert.reasons == without.reasons


# --- One dosage step ------------------------------------------------------------------------------

P, R = Suggestion.PROGRESS, Suggestion.REDUCE


@pytest.mark.parametrize(
    ("before", "direction", "after"),
    [
        # Progress: a set up to 3, then 2 reps up to 15, then 5 s of hold for holding items.
        ((1, 10, None), P, (2, 10, None)),
        ((2, 10, None), P, (3, 10, None)),
        ((3, 10, None), P, (3, 12, None)),
        ((3, 13, None), P, (3, 15, None)),
        ((3, 14, None), P, (3, 15, None)),  # up to 15, never past it
        ((3, 15, None), P, None),  # no hold: nothing left to add
        ((3, 15, 0), P, None),  # a hold of 0 is no hold
        ((3, 15, 30), P, (3, 15, 35)),
        ((3, None, 30), P, (3, None, 35)),  # a held stretch: sets, then hold
        ((2, None, 30), P, (3, None, 30)),
        ((3, None, None), P, None),
        ((4, 10, None), P, (4, 12, None)),  # over the cap of sets already: reps next
        ((3, 20, None), P, None),  # over the cap of reps already
        ((2, 10, 5), P, (3, 10, 5)),
        # Reduce: hold first, then reps, then sets; never under 1 set of 5 reps (or 5 s).
        ((3, 15, 35), R, (3, 15, 30)),
        ((3, 15, 10), R, (3, 15, 5)),
        ((3, 15, 7), R, (3, 15, 5)),
        ((3, 15, 5), R, (3, 13, 5)),  # the hold at its floor: reps next
        ((3, 15, None), R, (3, 13, None)),
        ((3, 7, None), R, (3, 5, None)),
        ((3, 6, None), R, (3, 5, None)),  # never under 5 reps
        ((3, 5, None), R, (2, 5, None)),
        ((2, 5, None), R, (1, 5, None)),
        ((1, 5, None), R, None),  # the floor: 1 set of 5
        ((1, 4, None), R, None),  # already under 5 reps: no step takes it lower
        ((1, 6, None), R, (1, 5, None)),
        ((3, None, 30), R, (3, None, 25)),
        ((3, None, 5), R, (2, None, 5)),
        ((1, None, 5), R, None),
        ((1, None, None), R, None),
        ((4, 10, None), R, (4, 8, None)),
        # Neither hold nor insufficient_data moves anything.
        ((2, 10, None), Suggestion.HOLD, None),
        ((2, 10, None), Suggestion.INSUFFICIENT_DATA, None),
    ],
)
def test_dosage_step(before, direction, after):
    prescription = Prescription(*before, max_pain=5)
    expected = None if after is None else Dosage(*after)
    assert dosage_step(prescription, direction) == expected


def test_progress_then_reduce_walks_back_the_same_steps():
    dosage = Dosage(1, 11, 20)
    path = [dosage]
    while (step := dosage_step(path[-1], P)) is not None and len(path) < 8:
        path.append(step)
    assert [d.as_dict() for d in path[:5]] == [
        {"sets": 1, "reps": 11, "hold_seconds": 20},
        {"sets": 2, "reps": 11, "hold_seconds": 20},
        {"sets": 3, "reps": 11, "hold_seconds": 20},
        {"sets": 3, "reps": 13, "hold_seconds": 20},
        {"sets": 3, "reps": 15, "hold_seconds": 20},
    ]
    # From 3 × 15 with a 25 s hold, reduce takes the hold back first, then reps, then sets.
    down = [Dosage(3, 15, 25)]
    while (step := dosage_step(down[-1], R)) is not None:
        down.append(step)
    assert [(d.sets, d.reps, d.hold_seconds) for d in down] == [
        (3, 15, 25),
        (3, 15, 20),
        (3, 15, 15),
        (3, 15, 10),
        (3, 15, 5),
        (3, 13, 5),
        (3, 11, 5),
        (3, 9, 5),
        (3, 7, 5),
        (3, 5, 5),
        (2, 5, 5),
        (1, 5, 5),
    ]


def test_noon_follows_the_clock_change():
    # London leaves summer time on Sunday 25 October 2026. 11:30 UTC is 12:30 local the
    # day before (BST: not a morning) and 11:30 local the day after (GMT: a morning).
    now = datetime(2026, 10, 27, 13, 0, tzinfo=UTC)
    before = PainLog(datetime(2026, 10, 24, 11, 30, tzinfo=UTC), 4)
    after = PainLog(datetime(2026, 10, 26, 11, 30, tzinfo=UTC), 4)
    found = mornings([before, after], LONDON, now)
    assert list(found) == [datetime(2026, 10, 26).date()]


def test_plain_mappings_are_accepted():
    result = load_guidance(
        prescription={"sets": 3, "reps": 10, "hold_seconds": None, "max_pain": 5},
        sessions=[
            {
                "performed_at": s.performed_at,
                "sets_done": s.sets_done,
                "reps_done": s.reps_done,
                "pain_during": s.pain_during,
                "difficulty": s.difficulty,
            }
            for s in good_sessions()
        ],
        pain_logs=[{"recorded_at": log.recorded_at, "pain": log.pain} for log in good_mornings()],
        zone=LONDON,
        now=NOW,
        has_open_blocking_alert=False,
    )
    assert result["suggestion"] == "progress"
    assert result.as_dict() == {
        "suggestion": "progress",
        "reasons": ["load_tolerated"],
        "evidence": result.evidence,
    }
    assert dosage_step({"sets": 3, "reps": 15, "hold_seconds": 10, "max_pain": 4}, "reduce") == {
        "sets": 3,
        "reps": 15,
        "hold_seconds": 5,
        "max_pain": 4,
    }
    assert dosage_step({"sets": 1, "reps": 5}, "reduce") is None


def test_every_reason_code_is_documented():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    domain = (root / "docs" / "domain.md").read_text()
    section = domain[domain.index("## Pain-monitoring model") :]
    section = section[: section.index("\n## ", 1)]
    assert [r.value for r in Reason if f"`{r.value}`" not in section] == []
    api = (root / "docs" / "api.md").read_text()
    from apps.guidance.errors import GuidanceError

    assert [e.value for e in GuidanceError if f"`{e.value}`" not in api] == []

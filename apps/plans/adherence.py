"""Exercise adherence: the one definition every figure comes from (docs/domain.md,
"Adherence").

Adherence over a window of the patient's local days is sessions done / sessions
prescribed:

- a day prescribes, for each item of the plan in force at the day's end (created on or
  before that day, not retired on or before it) whose `days_of_week` holds the day's
  weekday, `times_per_day` sessions, and only while the day lies within the plan's
  `start_date`..`end_date`, before the day the plan was archived and on no day the plan
  was paused at any moment (a physiotherapist's pause: the patient was told to stop);
- a day's sessions done are the plan's exercise logs performed that local day, counted
  per exercise and capped at what the day prescribes of that exercise (doing it more
  often counts as done, not as more than done);
- so a log on a day its item did not yet exist (a backdated or offline session, a plan
  entered after it began) prescribes nothing and counts for nothing: it is kept, shown
  in the diary, and ignored by adherence, the same way everywhere.

`ratio` is done / prescribed rounded to two places; None when nothing was prescribed.
The 7-day figure (`adherence_7d`: the caseload, the patient summary, the missed-exercise
sweep, the report, FHIR) is the window of the seven local days ending today (the
patient's today) for the active plan. Every reader calls this module; nothing else
counts sessions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import ExerciseLog, ExercisePlan, PlanItem, PlanStatus

WINDOW_DAYS = 7


@dataclass(frozen=True)
class Adherence:
    """Sessions prescribed and done over `date_from`..`date_to` (local days, inclusive)."""

    date_from: date
    date_to: date
    expected: int
    done: int
    plan_id: Any = None  # the active plan's, for a 7-day figure

    @property
    def ratio(self) -> float | None:
        return ratio(self.done, self.expected)


def ratio(done: int, expected: int) -> float | None:
    return round(done / expected, 2) if expected else None


def window_ending(today: date, days: int = WINDOW_DAYS) -> tuple[date, date]:
    return today - timedelta(days=days - 1), today


def _day_end(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def _in_force(item: PlanItem, day_end: datetime) -> bool:
    return item.created_at < day_end and (item.retired_at is None or item.retired_at >= day_end)


def _paused_during(plan: ExercisePlan, day_start: datetime, day_end: datetime) -> bool:
    """Was the plan paused at any moment of [day_start, day_end)?"""
    for pause in plan.pauses:
        began = datetime.fromisoformat(pause["from"])
        ended = pause["to"] and datetime.fromisoformat(pause["to"])
        if began < day_end and (not ended or ended > day_start):
            return True
    return False


def prescribed_on(plan: ExercisePlan, items: Iterable[PlanItem], day: date) -> dict[Any, int]:
    """Sessions the plan prescribes on `day`, by exercise."""
    wanted: dict[Any, int] = defaultdict(int)
    if not plan.start_date <= day <= plan.end_date:
        return wanted
    zone = plan.patient.zone
    day_end = _day_end(day, zone)
    if plan.archived_at is not None and plan.archived_at < day_end:
        return wanted  # archived (replaced): prescribes nothing from that day on
    if plan.pauses and _paused_during(plan, datetime.combine(day, time.min, tzinfo=zone), day_end):
        return wanted  # the physiotherapist asked the patient to stop that day
    for item in items:
        if day.weekday() in item.days_of_week and _in_force(item, day_end):
            wanted[item.exercise_id] += item.times_per_day
    return wanted


def days_of(
    plan: ExercisePlan,
    items: Sequence[PlanItem],
    done_by_day: dict[date, dict[Any, int]],
    date_from: date,
    date_to: date,
) -> list[dict[str, Any]]:
    """Per local day: `{date, expected, done, ratio}` from the logs counted by day and
    exercise. Pure: no query."""
    days = []
    day = date_from
    while day <= date_to:
        wanted = prescribed_on(plan, items, day)
        logged = done_by_day.get(day, {})
        expected = sum(wanted.values())
        done = sum(min(logged.get(exercise, 0), count) for exercise, count in wanted.items())
        days.append(
            {"date": day, "expected": expected, "done": done, "ratio": ratio(done, expected)}
        )
        day += timedelta(days=1)
    return days


def _bucket(rows: Iterable[tuple[Any, datetime]], zone: tzinfo) -> dict[date, dict[Any, int]]:
    done: dict[date, dict[Any, int]] = defaultdict(lambda: defaultdict(int))
    for exercise_id, performed_at in rows:
        done[performed_at.astimezone(zone).date()][exercise_id] += 1
    return done


def _logs(plan_ids: Iterable[Any], start: datetime, end: datetime):
    return ExerciseLog.objects.filter(
        plan_item__plan__in=list(plan_ids), performed_at__gte=start, performed_at__lt=end
    ).values_list("plan_item__plan_id", "plan_item__exercise_id", "performed_at")


def plan_adherence(*, plan: ExercisePlan, date_from: date, date_to: date) -> dict[str, Any]:
    """The plan's adherence per local day and in all over `date_from`..`date_to`
    (plans/{id}/adherence/, the charts, the report): the plan's items (prefetched or one
    query) and one query for the logs."""
    zone = plan.patient.zone
    items = list(plan.items.all())
    start = datetime.combine(date_from, time.min, tzinfo=zone)
    rows = _logs([plan.pk], start, _day_end(date_to, zone))
    days = days_of(plan, items, _bucket(((e, at) for _, e, at in rows), zone), date_from, date_to)
    expected = sum(day["expected"] for day in days)
    done = sum(day["done"] for day in days)
    return {
        "plan": plan.id,
        "from": date_from,
        "to": date_to,
        "days": days,
        "expected": expected,
        "done": done,
        "ratio": ratio(done, expected),
    }


def plans_adherence(plans: Iterable[ExercisePlan], date_from: date, date_to: date) -> Adherence:
    """Several plans of one patient (an episode's) over one window, summed: each plan
    prescribes only its own days, so a replaced plan and its successor never overlap."""
    expected = done = 0
    for plan in plans:
        low, high = max(date_from, plan.start_date), min(date_to, plan.end_date)
        if low <= high:
            figure = plan_adherence(plan=plan, date_from=low, date_to=high)
            expected += figure["expected"]
            done += figure["done"]
    return Adherence(date_from=date_from, date_to=date_to, expected=expected, done=done)


def adherence_7d_for(
    patient_ids: Iterable[Any], *, now: datetime | None = None
) -> dict[Any, Adherence | None]:
    """Each patient's 7-day adherence on their active plan (None without one): three
    queries for any number of patients (the active plans, their items, the logs)."""
    now = now or timezone.now()
    ids = list(patient_ids)
    result: dict[Any, Adherence | None] = dict.fromkeys(ids)
    if not ids:
        return result
    plans = list(
        ExercisePlan.objects.filter(patient_id__in=ids, status=PlanStatus.ACTIVE)
        .select_related("patient")
        .only(
            "id",
            "patient_id",
            "start_date",
            "end_date",
            "archived_at",
            "pauses",
            "patient__timezone",
        )
        .prefetch_related("items")
    )
    if not plans:
        return result
    # Logs of the widest window any zone's "seven local days ending today" can span.
    rows = _logs(
        [plan.pk for plan in plans], now - timedelta(days=WINDOW_DAYS + 1), now + timedelta(days=2)
    )
    by_plan: dict[Any, list[tuple[Any, datetime]]] = defaultdict(list)
    for plan_id, exercise_id, performed_at in rows:
        by_plan[plan_id].append((exercise_id, performed_at))
    for plan in plans:
        zone = plan.patient.zone
        date_from, date_to = window_ending(now.astimezone(zone).date())
        days = days_of(
            plan, list(plan.items.all()), _bucket(by_plan[plan.pk], zone), date_from, date_to
        )
        result[plan.patient_id] = Adherence(
            date_from=date_from,
            date_to=date_to,
            expected=sum(day["expected"] for day in days),
            done=sum(day["done"] for day in days),
            plan_id=plan.pk,
        )
    return result


def adherence_7d_ratios(
    patient_ids: Iterable[Any], *, now: datetime | None = None
) -> dict[Any, float | None]:
    """`adherence_7d` as lists show it: the ratio, or None (no active plan, or nothing
    prescribed in the window)."""
    return {
        pk: None if figure is None else figure.ratio
        for pk, figure in adherence_7d_for(patient_ids, now=now).items()
    }


def adherence_7d_below(threshold: float, *, now: datetime | None = None) -> list[tuple[Any, float]]:
    """(patient id, adherence_7d) of every patient whose active plan, not paused, started
    at least a week ago and whose 7-day adherence is under `threshold`."""
    now = now or timezone.now()
    judged_from = (now - timedelta(days=WINDOW_DAYS - 1)).date()
    # A paused plan is not judged: the physiotherapist asked the patient to stop.
    judged = ExercisePlan.objects.filter(
        status=PlanStatus.ACTIVE, start_date__lte=judged_from, paused_at__isnull=True
    )
    figures: Iterable[tuple[Any, int, int]]
    if connection.vendor == "postgresql":
        figures = _sessions_in_sql(judged, now)
    else:
        figures = (
            (pk, figure.expected, figure.done)
            for pk, figure in adherence_7d_for(
                judged.values_list("patient_id", flat=True), now=now
            ).items()
            if figure is not None
        )
    below = []
    for patient_id, expected, done in figures:
        value = ratio(done, expected)
        if value is not None and value < threshold:
            below.append((patient_id, value))
    return below


# The rule above (prescribed_on, days_of) as one PostgreSQL query, for the nightly sweep
# over every patient in care: the same days, items in force, pauses and per-exercise caps,
# without loading each plan's items and logs into Python (docs/decisions/adherence-in-sql.md).
# Each zone's seven local days come from Python (window_ending, _day_end: the same
# boundaries, DST included), so SQL never works out a local date itself. Proven equal to
# the Python rule by tests/plans/test_adherence_sql.py.
_SESSIONS_SQL = """
WITH plan (id, patient_id, start_date, end_date, archived_at, pauses, zone) AS MATERIALIZED (
    {judged}
), item AS MATERIALIZED (
    SELECT plan.id AS plan_id, plan.zone, plan.start_date, plan.end_date, plan.archived_at,
           plan.pauses, i.exercise_id, i.times_per_day, i.days_of_week, i.created_at,
           i.retired_at
    FROM plan JOIN plans_planitem i ON i.plan_id = plan.id
), local_day AS (
    SELECT * FROM unnest(%s::text[], %s::date[], %s::int[], %s::timestamptz[], %s::timestamptz[])
        AS d(zone, day, weekday, day_start, day_end)
), sessions AS (
    -- What each item prescribes on each day of the window: on its weekdays, while in
    -- force, within the plan's dates, before it was archived, on no day it was paused
    SELECT item.plan_id, d.day, item.exercise_id, item.times_per_day AS wanted, 0 AS done
    FROM item JOIN local_day d ON d.zone = item.zone
    WHERE d.day BETWEEN item.start_date AND item.end_date
      AND item.days_of_week @> to_jsonb(d.weekday)
      AND item.created_at < d.day_end
      AND (item.retired_at IS NULL OR item.retired_at >= d.day_end)
      AND (item.archived_at IS NULL OR item.archived_at >= d.day_end)
      AND (item.pauses = '[]'::jsonb OR NOT EXISTS (
          SELECT 1 FROM jsonb_array_elements(item.pauses) AS pause
          WHERE (pause ->> 'from')::timestamptz < d.day_end
            AND (NULLIF(pause ->> 'to', '') IS NULL
                 OR (pause ->> 'to')::timestamptz > d.day_start)))
    UNION ALL
    -- and each session done, on the patient's local day
    SELECT plan.id, (log.performed_at AT TIME ZONE plan.zone)::date, i.exercise_id, 0, 1
    FROM plans_exerciselog log
    JOIN plans_planitem i ON i.id = log.plan_item_id
    JOIN plan ON plan.id = i.plan_id
    WHERE log.performed_at >= %s AND log.performed_at < %s
), per_exercise AS (
    -- capped per exercise and day: doing it more often counts as done, not as more
    SELECT plan_id, SUM(wanted) AS wanted, LEAST(SUM(done), SUM(wanted)) AS done
    FROM sessions GROUP BY plan_id, day, exercise_id
    HAVING SUM(wanted) > 0
)
SELECT plan.patient_id, x.wanted, x.done
FROM (SELECT plan_id, SUM(wanted)::int AS wanted, SUM(done)::int AS done
      FROM per_exercise GROUP BY plan_id) x
JOIN plan ON plan.id = x.plan_id
"""


def _sessions_in_sql(judged: QuerySet[ExercisePlan], now: datetime) -> list[tuple[Any, int, int]]:
    """(patient id, sessions prescribed, sessions done) over each judged plan's seven
    local days: two queries (the judged plans' zones, then the figures)."""
    zones = list(judged.order_by().values_list("patient__timezone", flat=True).distinct())
    if not zones:
        return []
    days: dict[str, list[Any]] = defaultdict(list)
    for name in zones:
        zone = ZoneInfo(name)
        date_from, date_to = window_ending(now.astimezone(zone).date())
        day = date_from
        while day <= date_to:
            days["zone"].append(name)
            days["day"].append(day)
            days["weekday"].append(day.weekday())
            days["day_start"].append(datetime.combine(day, time.min, tzinfo=zone))
            days["day_end"].append(_day_end(day, zone))
            day += timedelta(days=1)
    plans_sql, plans_params = (
        judged.order_by()
        .values_list(
            "pk",
            "patient_id",
            "start_date",
            "end_date",
            "archived_at",
            "pauses",
            "patient__timezone",
        )
        .query.sql_with_params()
    )
    params = (
        *plans_params,
        *(days[column] for column in ("zone", "day", "weekday", "day_start", "day_end")),
        min(days["day_start"]),
        max(days["day_end"]),
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # The grouping by plan, day and exercise holds a few rows per patient in care:
        # in memory, not spilled to disk by the default 4 MB.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(_SESSIONS_SQL.format(judged=plans_sql), params)
        return cursor.fetchall()

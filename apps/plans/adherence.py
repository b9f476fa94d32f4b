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
    patient_ids = ExercisePlan.objects.filter(
        status=PlanStatus.ACTIVE, start_date__lte=judged_from, paused_at__isnull=True
    ).values_list("patient_id", flat=True)
    return [
        (patient_id, value)
        for patient_id, value in adherence_7d_ratios(patient_ids, now=now).items()
        if value is not None and value < threshold
    ]

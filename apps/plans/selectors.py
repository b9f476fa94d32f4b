"""Reads for plans: scoped lists, today's exercises, adherence."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from uuid import UUID

from django.db.models import (
    Case,
    Count,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least, TruncDate
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.clinics.selectors import clinic_ids_of
from apps.content.models import Exercise
from apps.content.models import Status as ContentStatus
from apps.content.selectors import media_prefetch

from .models import (
    PRESCRIPTION_FIELDS,
    ExerciseLog,
    ExercisePlan,
    PlanItem,
    PlanStatus,
    PlanTemplate,
    PlanTemplateItem,
)


def plans_for(*, user: User) -> QuerySet[ExercisePlan]:
    """A patient's own plans; a physio's currently linked patients' plans in episodes of
    the physio's clinics."""
    plans = (
        ExercisePlan.objects.select_related("patient")
        .defer("patient__password")  # a display read: never the hash
        .prefetch_related(
            Prefetch(
                "items", queryset=PlanItem.objects.select_related("exercise").order_by("position")
            )
        )
    )
    if user.role == Role.PATIENT:
        return plans.filter(patient=user)
    if user.role == Role.PHYSIO:
        return plans.filter(
            patient__physio_links__physio=user,
            patient__physio_links__ended_at__isnull=True,
            episode__clinic__in=clinic_ids_of(user=user),
        )
    return plans.none()


def exercises_in_own_plans(sender: object, *, user: User, **kwargs: Any) -> Q | None:
    """hooks.exercise_audience: a patient keeps reading the exercises of their own plans
    (a physio's own exercise too, after that physio's link ended)."""
    if user.role != Role.PATIENT:
        return None
    return Q(pk__in=PlanItem.objects.filter(plan__patient=user).values("exercise_id"))


def prescribable_exercises(*, physio: User, plan: ExercisePlan | None = None) -> QuerySet[Exercise]:
    """What a physio may put in a plan or template: the published library, their own
    exercises and, when changing `plan`, the exercises already in it (another physio's
    own exercise in a shared patient's plan stays; it is not offered anywhere else)."""
    allowed = Q(owner__isnull=True) | Q(owner=physio)
    if plan is not None:
        allowed |= Q(pk__in=plan.items.filter(retired_at__isnull=True).values("exercise_id"))
    return Exercise.objects.filter(allowed, status=ContentStatus.PUBLISHED)


def templates_for(*, physio: User) -> QuerySet[PlanTemplate]:
    """A physio's own plan templates, with their items and exercises."""
    if physio.role != Role.PHYSIO:
        return PlanTemplate.objects.none()
    return PlanTemplate.objects.filter(physio=physio).prefetch_related(
        Prefetch(
            "items",
            queryset=PlanTemplateItem.objects.select_related("exercise").order_by("position"),
        )
    )


def plan_for_handout(*, user: User, plan_id: UUID | str) -> ExercisePlan | None:
    """The plan (the patient's own, or a linked physio's patient's), its current items
    with their exercises and media: what a printed handout shows; None otherwise."""
    items = (
        PlanItem.objects.filter(retired_at__isnull=True)
        .select_related("exercise")
        .prefetch_related(media_prefetch("exercise__"))
        .order_by("position", "id")
    )
    return (
        plans_for(user=user)
        .prefetch_related(None)
        .prefetch_related(Prefetch("items", queryset=items, to_attr="current_items"))
        .filter(pk=plan_id)
        .first()
    )


def plan_items_for(*, patient: User) -> QuerySet[PlanItem]:
    """Items of the patient's own plans (archived and retired ones too: an offline session
    may be synced after the plan changed)."""
    return PlanItem.objects.filter(plan__patient=patient)


def active_plan_of(*, patient: User) -> ExercisePlan | None:
    return plans_for(user=patient).filter(status=PlanStatus.ACTIVE).first()


def local_day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of a calendar day in a zone: 23 or 25 hours on a clock-change day."""
    return (
        datetime.combine(day, time.min, tzinfo=zone),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone),
    )


def _in_force_at(item: PlanItem, moment: datetime) -> bool:
    return item.created_at < moment and (item.retired_at is None or item.retired_at >= moment)


# What `today/` shows of each item: read as values, with the exercise's slug and name only.
TODAY_ITEM_COLUMNS = (
    "id",
    "days_of_week",
    "sets",
    "reps",
    "hold_seconds",
    "times_per_day",
    "max_pain",
    "notes",
    "exercise__slug",
    "exercise__name",
)


def today_for(*, patient: User, now: datetime | None = None) -> dict[str, Any]:
    """Today's due exercises in the patient's zone with what is done: two queries (the
    active plan's id and title; its items in force with today's session counts), no
    re-read of the patient and no column the answer does not show."""
    zone = patient.zone
    now = now or timezone.now()
    today = now.astimezone(zone).date()
    start, end = local_day_bounds(today, zone)
    result: dict[str, Any] = {
        "date": today,
        "timezone": patient.timezone,
        "plan": None,
        "items": [],
    }
    plan = (
        ExercisePlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE)
        .order_by("-created_at")
        .values("id", "title", "start_date", "end_date")
        .first()
    )
    if plan is None or not plan["start_date"] <= today <= plan["end_date"]:
        return result
    result["plan"] = {"id": str(plan["id"]), "title": plan["title"]}
    items = (
        PlanItem.objects.filter(plan_id=plan["id"], retired_at__isnull=True)
        .annotate(
            done=Count("logs", filter=Q(logs__performed_at__gte=start, logs__performed_at__lt=end))
        )
        .order_by("position", "id")
        .values(*TODAY_ITEM_COLUMNS, "done")
    )
    for item in items:
        if today.weekday() not in item["days_of_week"]:
            continue
        result["items"].append(
            {
                "plan_item": item["id"],
                "exercise": {"slug": item["exercise__slug"], "name": item["exercise__name"]},
                "sets": item["sets"],
                "reps": item["reps"],
                "hold_seconds": item["hold_seconds"],
                "times_per_day": item["times_per_day"],
                "max_pain": item["max_pain"],
                "notes": item["notes"],
                "done": item["done"],
                "remaining": max(item["times_per_day"] - item["done"], 0),
            }
        )
    return result


def plan_adherence(*, plan: ExercisePlan, date_from: date, date_to: date) -> dict[str, Any]:
    """Expected and done sessions per local day and exercise. Logs are counted by the
    database, grouped by day in the patient's zone and by exercise; an exercise done more
    often than prescribed counts as done, not as more than done.

    A day expects the items in force at its end; logs count by exercise, so a session done
    in the morning still counts when the physio replaced its item later that day."""
    zone = plan.patient.zone
    items = list(plan.items.all())
    start, _ = local_day_bounds(date_from, zone)
    _, end = local_day_bounds(date_to, zone)
    counted = (
        ExerciseLog.objects.filter(
            plan_item__plan=plan, performed_at__gte=start, performed_at__lt=end
        )
        .annotate(day=TruncDate("performed_at", tzinfo=zone))
        .values("day", "plan_item__exercise")
        .annotate(count=Count("id"))
    )
    done_by_day: dict[date, dict[Any, int]] = defaultdict(dict)
    for row in counted:
        done_by_day[row["day"]][row["plan_item__exercise"]] = row["count"]

    days, total_expected, total_done = [], 0, 0
    day = date_from
    while day <= date_to:
        _, day_end = local_day_bounds(day, zone)
        expected_by_exercise: dict[int, int] = defaultdict(int)
        if plan.start_date <= day <= plan.end_date:
            for item in items:
                if day.weekday() in item.days_of_week and _in_force_at(item, day_end):
                    expected_by_exercise[item.exercise_id] += item.times_per_day
        expected = sum(expected_by_exercise.values())
        done = sum(
            min(done_by_day[day].get(exercise, 0), wanted)
            for exercise, wanted in expected_by_exercise.items()
        )
        days.append(
            {
                "date": day,
                "expected": expected,
                "done": done,
                "ratio": round(done / expected, 2) if expected else None,
            }
        )
        total_expected += expected
        total_done += done
        day += timedelta(days=1)
    return {
        "plan": plan.id,
        "from": date_from,
        "to": date_to,
        "days": days,
        "expected": total_expected,
        "done": total_done,
        "ratio": round(total_done / total_expected, 2) if total_expected else None,
    }


# --- Figures for the physiotherapist's caseload (composed by apps.clinic) -------------------


def _count(queryset: QuerySet[Any], by: str = "patient") -> Subquery:
    return Subquery(
        queryset.order_by().values(by).annotate(n=Count("id")).values("n")[:1],
        output_field=IntegerField(),
    )


def with_adherence_7d(patients: QuerySet[User], *, now: datetime | None = None) -> QuerySet[User]:
    """Annotate `adherence_7d`: sessions logged in the last 7 days against the active
    plan's sessions per week, capped at 1 (the exact per-day figure is
    plans/{id}/adherence/). No active plan, or nothing expected: None. Two correlated
    subqueries, whatever the number of patients."""
    now = now or timezone.now()
    week_ago = now - timedelta(days=7)
    expected = Subquery(
        PlanItem.objects.filter(
            plan__patient=OuterRef("pk"), plan__status=PlanStatus.ACTIVE, retired_at__isnull=True
        )
        .order_by()
        .values("plan__patient")
        .annotate(total=Sum("sessions_per_week"))
        .values("total")[:1],
        output_field=IntegerField(),
    )
    done = _count(
        ExerciseLog.objects.filter(
            patient=OuterRef("pk"),
            performed_at__gte=week_ago,
            plan_item__plan__status=PlanStatus.ACTIVE,
        )
    )
    # Not NULLIF inside LEAST: PostgreSQL's LEAST skips NULLs and would answer 1.0.
    return patients.annotate(
        adherence_7d=Case(
            When(
                GreaterThan(expected, Value(0)),
                then=Least(
                    Cast(Coalesce(done, 0), FloatField()) / Cast(expected, FloatField()),
                    Value(1.0),
                ),
            ),
            default=None,
            output_field=FloatField(),
        ),
    )


def adherence_7d_below(threshold: float, *, now: datetime | None = None) -> list[tuple[Any, ...]]:
    """(patient id, adherence_7d) of every patient whose active plan started at least a
    week ago and whose adherence_7d (as with_adherence_7d computes it) is under
    `threshold`: two aggregate queries over all patients (expected sessions per week,
    sessions logged in the week), not a pair of correlated subqueries per patient."""
    now = now or timezone.now()
    judged_from = (now - timedelta(days=6)).date()
    # A patient has at most one active plan: its items' sessions are the week's expected.
    expected = (
        PlanItem.objects.filter(
            plan__status=PlanStatus.ACTIVE,
            plan__start_date__lte=judged_from,
            retired_at__isnull=True,
        )
        .order_by()
        .values("plan__patient_id")
        .annotate(total=Sum("sessions_per_week"))
        .values_list("plan__patient_id", "total")
    )
    done = dict(
        ExerciseLog.objects.filter(
            performed_at__gte=now - timedelta(days=7), plan_item__plan__status=PlanStatus.ACTIVE
        )
        .order_by()
        .values("patient_id")
        .annotate(count=Count("id"))
        .values_list("patient_id", "count")
    )
    below = []
    for patient_id, total in expected:
        if total and total > 0:
            adherence = min(done.get(patient_id, 0) / total, 1.0)
            if adherence < threshold:
                below.append((patient_id, adherence))
    return below


def export_for(patient: User) -> dict[str, Any]:
    """The patient's plans, their items (retired ones too) and exercise logs."""
    return {
        "exercise_plans": list(
            ExercisePlan.objects.filter(patient=patient)
            .order_by("created_at")
            .values(
                "id",
                "title",
                "start_date",
                "end_date",
                "reminder_times",
                "status",
                "physio__email",
                "created_at",
                "archived_at",
            )
        ),
        "plan_items": list(
            PlanItem.objects.filter(plan__patient=patient).values(
                "id", "plan_id", "exercise__slug", *PRESCRIPTION_FIELDS, "retired_at"
            )
        ),
        "exercise_logs": list(
            ExerciseLog.objects.filter(patient=patient)
            .order_by("performed_at")
            .values(
                "id",
                "client_id",
                "plan_item_id",
                "performed_at",
                "sets_done",
                "reps_done",
                "pain_during",
                "difficulty",
                "note",
                "pain_above_limit",
            )
        ),
    }


def exercise_logs_for(*, patient: User) -> QuerySet[ExerciseLog]:
    """A patient's own exercise logs, newest first."""
    return ExerciseLog.objects.filter(patient=patient).order_by("-performed_at", "-id")

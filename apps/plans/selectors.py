"""Reads for plans: scoped lists, today's exercises (adherence is adherence.py)."""

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from uuid import UUID

from django.db.models import (
    Count,
    FilteredRelation,
    Prefetch,
    Q,
    QuerySet,
)
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
        .select_related("episode__clinic")  # the handout names the clinic
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
        .values("id", "title", "start_date", "end_date", "paused_at")
        .first()
    )
    if plan is None or not plan["start_date"] <= today <= plan["end_date"]:
        return result
    paused = plan["paused_at"] is not None
    result["plan"] = {"id": str(plan["id"]), "title": plan["title"], "paused": paused}
    if paused:  # the physiotherapist asked to stop for now: nothing is due
        return result
    items = (
        PlanItem.objects.filter(plan_id=plan["id"], retired_at__isnull=True)
        # Today's window in the join itself (not a FILTER on the count), so that the
        # (plan_item, performed_at) index reads today's logs only, not the item's history.
        .annotate(
            todays_logs=FilteredRelation(
                "logs", condition=Q(logs__performed_at__gte=start, logs__performed_at__lt=end)
            )
        )
        .annotate(done=Count("todays_logs"))
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

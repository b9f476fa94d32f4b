"""Reads for plans: scoped lists, today's exercises, adherence."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
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
from apps.accounts.selectors import linked_patients_of
from apps.alerts.models import Alert, AlertStatus
from apps.symptoms.models import SymptomLog

from .models import ExerciseLog, ExercisePlan, PlanItem, PlanStatus


def plans_for(*, user: User) -> QuerySet[ExercisePlan]:
    """A patient's own plans; a physio's currently linked patients' plans."""
    plans = ExercisePlan.objects.select_related("patient").prefetch_related(
        Prefetch("items", queryset=PlanItem.objects.select_related("exercise").order_by("position"))
    )
    if user.role == Role.PATIENT:
        return plans.filter(patient=user)
    if user.role == Role.PHYSIO:
        return plans.filter(
            patient__physio_links__physio=user, patient__physio_links__ended_at__isnull=True
        )
    return plans.none()


def active_plan_of(*, patient: User) -> ExercisePlan | None:
    return plans_for(user=patient).filter(status=PlanStatus.ACTIVE).first()


def local_day_bounds(day: date, zone) -> tuple[datetime, datetime]:
    """[start, end) of a calendar day in a zone: 23 or 25 hours on a clock-change day."""
    return (
        datetime.combine(day, time.min, tzinfo=zone),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone),
    )


def _in_force_at(item: PlanItem, moment: datetime) -> bool:
    return item.created_at < moment and (item.retired_at is None or item.retired_at >= moment)


def today_for(*, patient: User, now: datetime | None = None) -> dict:
    zone = patient.zone
    now = now or timezone.now()
    today = now.astimezone(zone).date()
    start, end = local_day_bounds(today, zone)
    plan = active_plan_of(patient=patient)
    result = {"date": today, "timezone": patient.timezone, "plan": None, "items": []}
    if plan is None or not plan.start_date <= today <= plan.end_date:
        return result
    result["plan"] = {"id": str(plan.id), "title": plan.title}
    due = [
        item
        for item in plan.items.all()
        if item.retired_at is None and today.weekday() in item.days_of_week
    ]
    done = dict(
        ExerciseLog.objects.filter(plan_item__in=due, performed_at__gte=start, performed_at__lt=end)
        .values("plan_item")
        .annotate(count=Count("id"))
        .values_list("plan_item", "count")
    )
    for item in due:
        count = done.get(item.id, 0)
        result["items"].append(
            {
                "plan_item": item.id,
                "exercise": {"slug": item.exercise.slug, "name": item.exercise.name},
                "sets": item.sets,
                "reps": item.reps,
                "hold_seconds": item.hold_seconds,
                "times_per_day": item.times_per_day,
                "max_pain": item.max_pain,
                "notes": item.notes,
                "done": count,
                "remaining": max(item.times_per_day - count, 0),
            }
        )
    return result


def plan_adherence(*, plan: ExercisePlan, date_from: date, date_to: date) -> dict:
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
    done_by_day: dict[date, dict] = defaultdict(dict)
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


# --- The physiotherapist's view of linked patients ------------------------------------------

DASHBOARD_ORDERINGS = {
    "-open_alerts": [F("open_alerts").desc(), F("email").asc()],
    "-pain_change_7d": [F("pain_change_7d").desc(nulls_last=True), F("email").asc()],
    "-last_log_at": [F("last_log_at").desc(nulls_last=True), F("email").asc()],
    "-latest_pain": [F("latest_pain").desc(nulls_last=True), F("email").asc()],
    "adherence_7d": [F("adherence_7d").asc(nulls_last=True), F("email").asc()],
    "email": [F("email").asc()],
}


def _count(queryset, by: str = "patient") -> Subquery:
    return Subquery(
        queryset.order_by().values(by).annotate(n=Count("id")).values("n")[:1],
        output_field=IntegerField(),
    )


def with_overview(patients: QuerySet[User], *, now: datetime | None = None) -> QuerySet[User]:
    """Annotate each patient with the dashboard figures, as subqueries: one query for
    any number of patients.

    pain_change_7d: mean pain of the last 7 days minus the mean of the 7 days before.
    adherence_7d: sessions logged in the last 7 days against the active plan's
    sessions per week (capped at 1; the exact per-day figure is plans/{id}/adherence/).
    """
    now = now or timezone.now()
    week_ago, two_weeks_ago = now - timedelta(days=7), now - timedelta(days=14)
    logs = SymptomLog.objects.filter(patient=OuterRef("pk"))
    newest = logs.order_by("-recorded_at")
    # Each figure is one subquery: a derived figure that referred to two annotations would
    # make Django repeat both subqueries in the SQL.
    pain_change = Subquery(
        logs.filter(recorded_at__gte=two_weeks_ago, recorded_at__lt=now + timedelta(minutes=5))
        .order_by()
        .values("patient")
        .annotate(
            change=Avg("pain_score", filter=Q(recorded_at__gte=week_ago), output_field=FloatField())
            - Avg("pain_score", filter=Q(recorded_at__lt=week_ago), output_field=FloatField())
        )
        .values("change")[:1],
        output_field=FloatField(),
    )
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
    return patients.annotate(
        latest_pain=Subquery(newest.values("pain_score")[:1]),
        last_log_at=Subquery(newest.values("recorded_at")[:1]),
        pain_change_7d=pain_change,
        open_alerts=Coalesce(
            _count(Alert.objects.filter(patient=OuterRef("pk"), status=AlertStatus.OPEN)), 0
        ),
        # No active plan (NULL) or nothing expected (0): no figure. Not NULLIF inside
        # LEAST: PostgreSQL's LEAST skips NULLs and would answer 1.0.
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


def patients_overview(*, physio: User, ordering: str = "email") -> QuerySet[User]:
    return with_overview(linked_patients_of(physio=physio)).order_by(*DASHBOARD_ORDERINGS[ordering])

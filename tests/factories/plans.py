"""Exercise plans, their items and the patient's exercise logs.

Rows made here skip the plan services: no care-team link is checked and no reminders
are planned. Use `make_plan` (tests/conftest.py) for a plan as a physio makes one.
"""

import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from apps.plans.models import (
    ExerciseLog,
    ExercisePlan,
    PlanEvent,
    PlanEventAction,
    PlanItem,
    PlanStatus,
    PlanTemplate,
    PlanTemplateItem,
)

from .accounts import PatientFactory, PhysioFactory
from .content import ExerciseFactory
from .episodes import episode_of

ALL_DAYS = [0, 1, 2, 3, 4, 5, 6]


class ExercisePlanFactory(factory.django.DjangoModelFactory):
    """An active plan from yesterday for six weeks, for a new patient each time (a
    patient has at most one active plan: pass `archived=True` for an older one)."""

    class Meta:
        model = ExercisePlan

    patient = factory.SubFactory(PatientFactory)
    physio = factory.SubFactory(PhysioFactory)
    episode = factory.LazyAttribute(lambda o: episode_of(o.patient, o.physio))
    title = "Calf and knee"
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=42))
    reminder_times = factory.LazyFunction(list)
    status = PlanStatus.ACTIVE

    class Params:
        archived = factory.Trait(
            status=PlanStatus.ARCHIVED, archived_at=factory.LazyFunction(timezone.now)
        )


class PlanItemFactory(factory.django.DjangoModelFactory):
    """Three sets of ten, once a day, every day, stopping above pain 3."""

    class Meta:
        model = PlanItem

    plan = factory.SubFactory(ExercisePlanFactory)
    exercise = factory.SubFactory(ExerciseFactory)
    position = factory.Sequence(lambda n: n % 100)
    sets = 3
    reps = 10
    times_per_day = 1
    days_of_week = factory.LazyFunction(lambda: list(ALL_DAYS))
    # Kept by the service in production: times a day × days a week.
    sessions_per_week = factory.LazyAttribute(lambda o: o.times_per_day * len(o.days_of_week))
    max_pain = 3


class ExerciseLogFactory(factory.django.DjangoModelFactory):
    """One session of a plan item, done two minutes ago by the plan's patient."""

    class Meta:
        model = ExerciseLog

    plan_item = factory.SubFactory(PlanItemFactory)
    patient = factory.SelfAttribute("plan_item.plan.patient")
    client_id = factory.LazyFunction(uuid.uuid4)
    performed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=2))
    sets_done = 3
    reps_done = 10
    pain_during = 2
    difficulty = 3
    pain_above_limit = factory.LazyAttribute(lambda o: o.pain_during > o.plan_item.max_pain)


class PlanEventFactory(factory.django.DjangoModelFactory):
    """The plan's creation, by its physio."""

    class Meta:
        model = PlanEvent

    plan = factory.SubFactory(ExercisePlanFactory)
    action = PlanEventAction.CREATED
    actor = factory.LazyAttribute(lambda o: o.plan.physio)


class PlanTemplateFactory(factory.django.DjangoModelFactory):
    """A physio's template (no patient data by construction)."""

    class Meta:
        model = PlanTemplate

    physio = factory.SubFactory(PhysioFactory)
    title = factory.Sequence(lambda n: f"Template {n}")


class PlanTemplateItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanTemplateItem

    template = factory.SubFactory(PlanTemplateFactory)
    exercise = factory.SubFactory(ExerciseFactory)
    sets = 3
    reps = 10
    days_of_week = factory.LazyFunction(lambda: [0, 2, 4])
    max_pain = 3

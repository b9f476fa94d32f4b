"""Writes of the episodes API that need the apps above episodes: goals (checked against
the outcome instruments) and discharge (plans, schedules, reminders and the report)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.episodes import services as episodes
from apps.episodes.models import Episode, Goal
from apps.notifications.models import Reminder, ReminderStatus
from apps.notifications.reminders import reminders_cancel
from apps.outcomes import services as outcomes
from apps.outcomes.models import OutcomeSchedule, ScheduleEndReason
from apps.outcomes.reminders import schedule_source
from apps.outcomes.selectors import enabled_version_of
from apps.plans import services as plans
from apps.plans.models import ExercisePlan, PlanStatus
from apps.plans.reminders import plan_source

from .errors import GoalError
from .report import episode_report_build


def _number(value: Decimal) -> str:
    """A score bound for people: 80.00 as "80", 3.50 as "3.5" ("3,5" in Spanish)."""
    return number_format(value.normalize())


def goal_create(
    *,
    episode: Episode,
    by: User,
    description: str,
    instrument: str,
    target: Decimal,
    due_on: date,
) -> Goal:
    """A goal on an enabled instrument, its target within the instrument's score range."""
    version = enabled_version_of(instrument)
    if version is None:
        raise ValidationError(
            {
                "instrument": ValidationError(
                    _("'%(instrument)s' is not an instrument in use."),
                    code=GoalError.UNKNOWN_INSTRUMENT,
                    params={"instrument": instrument},
                )
            }
        )
    if not version.score_min <= target <= version.score_max:
        raise ValidationError(
            {
                "target": ValidationError(
                    _("Must be within the instrument's scores, %(min)s to %(max)s."),
                    code=GoalError.TARGET_OUT_OF_RANGE,
                    params={"min": _number(version.score_min), "max": _number(version.score_max)},
                )
            }
        )
    return episodes.goal_create(
        episode=episode,
        by=by,
        description=description,
        instrument=instrument,
        target=target,
        due_on=due_on,
    )


@transaction.atomic
def episode_start_change(*, episode: Episode, started_on: date) -> Episode:
    """Correct an episode's start (its lead physiotherapist): the episode is locked first,
    as plans and schedules joining it lock it, so their starts are read settled."""
    episode = episodes.episode_lock(episode_id=episode.pk)
    starts = [
        day
        for day in (
            ExercisePlan.objects.filter(episode=episode).aggregate(first=Min("start_date"))[
                "first"
            ],
            OutcomeSchedule.objects.filter(episode=episode).aggregate(first=Min("starts_on"))[
                "first"
            ],
        )
        if day is not None
    ]
    return episodes.episode_start_change(
        episode=episode, started_on=started_on, first_work=min(starts, default=None)
    )


@dataclass
class Discharge:
    episode: Episode
    plans_archived: list[UUID] = field(default_factory=list)
    schedules_ended: list[UUID] = field(default_factory=list)
    reminders_cancelled: int = 0


@transaction.atomic
def episode_discharge(
    *, episode: Episode, by: User, note: str = "", now: datetime | None = None
) -> Discharge:
    """Close a course of care, all or nothing: archive its active plans (each with its
    plan event), end its active outcome schedules, cancel every reminder they still had
    pending, and freeze the report. The episode's row is locked first: of two discharges
    at once one wins and the other is a 409; a plan or schedule being added at the same
    moment is either refused or archived with the rest."""
    now = now or timezone.now()
    episode = episodes.episode_lock(episode_id=episode.pk)
    episode = episodes.episode_mark_discharged(episode=episode, by=by, note=note, now=now)
    result = Discharge(episode=episode)
    sources = [plan_source(plan) for plan in ExercisePlan.objects.filter(episode=episode)]
    sources += [schedule_source(s) for s in OutcomeSchedule.objects.filter(episode=episode)]
    pending = list(
        Reminder.objects.filter(source__in=sources, status=ReminderStatus.SCHEDULED).values_list(
            "pk", flat=True
        )
    )
    for plan in ExercisePlan.objects.filter(episode=episode, status=PlanStatus.ACTIVE).order_by(
        "created_at"
    ):
        plans.plan_archive(plan=plan, by=by)
        result.plans_archived.append(plan.pk)
    for schedule in OutcomeSchedule.objects.filter(episode=episode, ended_at__isnull=True).order_by(
        "created_at"
    ):
        outcomes.outcome_schedule_end(
            schedule=schedule, by=by, reason=ScheduleEndReason.DISCHARGED, now=now
        )
        result.schedules_ended.append(schedule.pk)
    # Archiving and ending cancel future reminders; this also takes the ones whose time
    # has come but that no worker has claimed yet (of every plan and schedule of the
    # episode, archived earlier ones included): none is sent after the discharge.
    for source in sources:
        reminders_cancel(source=source)
    result.reminders_cancelled = Reminder.objects.filter(
        pk__in=pending, status=ReminderStatus.CANCELLED
    ).count()
    episodes.episode_report_freeze(episode=episode, report=episode_report_build(episode, now=now))
    return result

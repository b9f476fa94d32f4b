"""Writes for exercise plans and exercise logs."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts import selectors as accounts
from apps.accounts.models import User
from apps.episodes.services import (
    episode_for_new_work,
    episode_lock,
    episode_starts_by,
    patient_today,
)
from apps.notifications.reminders import reminders_cancel
from backend import hooks
from backend.bulk import (
    BulkItem,
    BulkResult,
    ItemError,
    Valid,
    first_copies,
    item_error,
    results_in_order,
    valid_items,
)
from backend.errors import Conflict

from .errors import PlanError
from .models import (
    ExerciseLog,
    ExercisePlan,
    PlanEvent,
    PlanEventAction,
    PlanItem,
    PlanStatus,
    PlanTemplate,
    PlanTemplateItem,
)
from .reminders import plan_reminders_sync, plan_source
from .selectors import plan_items_for, prescribable_exercises


def one_year_after(start: date) -> date:
    """The same day a year later; 29 February gives 28 February (never more than a year)."""
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return start.replace(year=start.year + 1, day=28)


def plan_dates_check(start: date, end: date) -> None:
    """Issue 5: the end comes after the start, and a plan lasts no more than a year."""
    if end <= start:
        raise ValidationError(
            {
                "end_date": ValidationError(
                    _("The end date must be after the start date."), code=PlanError.BEFORE_START
                )
            }
        )
    if end > one_year_after(start):
        raise ValidationError(
            {
                "end_date": ValidationError(
                    _("A plan lasts at most a year."), code=PlanError.TOO_LONG
                )
            }
        )


def exercises_check(
    *,
    physio: User,
    items: list[dict[str, Any]],
    plan: ExercisePlan | None = None,
    attr: str = "items",
) -> None:
    """Every item's exercise is one the physio may prescribe (the library, their own, or
    already in `plan`): another physio's own exercise is never reachable through a plan."""
    wanted = {item["exercise"].pk for item in items}
    allowed = set(
        prescribable_exercises(physio=physio, plan=plan)
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    if wanted - allowed:
        raise ValidationError(
            {
                attr: ValidationError(
                    _("An exercise of this list is not one you may prescribe."),
                    code=PlanError.EXERCISE_NOT_AVAILABLE,
                )
            }
        )


def _items(plan: ExercisePlan, items: list[dict[str, Any]]) -> list[PlanItem]:
    built = []
    for position, fields in enumerate(items):
        exercise = fields["exercise"]
        item = PlanItem(
            plan=plan,
            position=position,
            exercise=exercise,
            sets=fields["sets"],
            reps=fields.get("reps", exercise.default_reps),
            hold_seconds=fields.get("hold_seconds", exercise.default_hold_seconds),
            times_per_day=fields.get("times_per_day", 1),
            days_of_week=sorted(fields["days_of_week"]),
            max_pain=fields["max_pain"],
            notes=fields.get("notes", ""),
        )
        item.sessions_per_week = item.times_per_day * len(item.days_of_week)
        item.full_clean(exclude=["plan", "exercise"])
        built.append(item)
    return PlanItem.objects.bulk_create(built)


def _after_change(plan: ExercisePlan) -> None:
    """Reminders follow the plan (re-planned or cancelled)."""
    plan_reminders_sync(plan=plan)


@transaction.atomic
def plan_create(
    *,
    physio: User,
    patient_id: UUID | str,
    title: str,
    start_date: date,
    end_date: date,
    items: list[dict[str, Any]],
    reminder_times: list[str] | None = None,
    episode: UUID | str | None = None,
) -> ExercisePlan:
    """`episode` (an id, optional): the episode of care the plan joins; without it, the
    physio's active episode with the patient, opened if there is none."""
    patient = accounts.linked_patients_of(physio=physio).filter(pk=patient_id).first()
    if patient is None:
        raise ValidationError(
            {
                "patient": ValidationError(
                    _("You are not linked to this patient."), code=PlanError.NOT_LINKED
                )
            }
        )
    plan_dates_check(start_date, end_date)
    exercises_check(physio=physio, items=items)
    # Locked until the plan is stored: a discharge at the same moment waits, then archives it.
    joined = episode_for_new_work(
        physio=physio, patient=patient, episode_id=episode, starts_on=start_date
    )
    if ExercisePlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE).exists():
        raise Conflict(
            _("This patient already has an active plan: archive it first."),
            PlanError.ACTIVE_PLAN_EXISTS,
        )
    plan = ExercisePlan(
        patient=patient,
        physio=physio,
        episode=joined,
        title=title,
        start_date=start_date,
        end_date=end_date,
        reminder_times=sorted(set(reminder_times or [])),
    )
    plan.full_clean(exclude=["patient", "physio", "episode"], validate_constraints=False)
    try:
        with transaction.atomic():
            plan.save(force_insert=True)
    except IntegrityError as error:  # a concurrent request activated a plan first
        raise Conflict(
            _("This patient already has an active plan: archive it first."),
            PlanError.ACTIVE_PLAN_EXISTS,
        ) from error
    created_items = _items(plan, items)
    PlanEvent.objects.create(
        plan=plan,
        action=PlanEventAction.CREATED,
        actor=physio,
        details={"items": [str(item.pk) for item in created_items]},
    )
    _after_change(plan)
    return plan


@transaction.atomic
def plan_update(*, plan: ExercisePlan, by: User, **changes: Any) -> ExercisePlan:
    """Change a plan; `items`, when given, replaces the list (logs keep their items)."""
    # The episode before the plan, in the order discharge and plan_create lock them: an
    # earlier start moves the episode's start back with it.
    episode = episode_lock(episode_id=plan.episode_id) if "start_date" in changes else None
    plan = ExercisePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.ACTIVE:
        raise Conflict(_("An archived plan cannot be changed."), PlanError.PLAN_ARCHIVED)
    items = changes.pop("items", None)
    if items is not None:
        exercises_check(physio=by, items=items, plan=plan)
    for name, value in changes.items():
        setattr(plan, name, sorted(set(value)) if name == "reminder_times" else value)
    plan_dates_check(plan.start_date, plan.end_date)
    plan.full_clean(exclude=["patient", "physio", "episode"], validate_constraints=False)
    plan.save()
    if episode is not None:
        episode_starts_by(episode=episode, day=min(plan.start_date, patient_today(plan.patient)))
    details: dict[str, Any] = {
        "fields": sorted([*changes, *(["items"] if items is not None else [])])
    }
    if items is not None:
        # Retired, never deleted: past days' adherence still knows what was expected.
        retired = list(plan.items.filter(retired_at__isnull=True).values_list("pk", flat=True))
        plan.items.filter(pk__in=retired).update(retired_at=timezone.now())
        details["retired_items"] = [str(pk) for pk in retired]
        details["items"] = [str(item.pk) for item in _items(plan, items)]
    PlanEvent.objects.create(plan=plan, action=PlanEventAction.UPDATED, actor=by, details=details)
    _after_change(plan)
    return plan


# --- Plan templates --------------------------------------------------------------------------

# A template item is a plan item's prescription; what a plan copies back from it.
TEMPLATE_COPIED = ("sets", "reps", "hold_seconds", "times_per_day", "days_of_week", "max_pain")


@transaction.atomic
def plan_template_create(
    *,
    physio: User,
    title: str,
    items: list[dict[str, Any]] | None = None,
    from_plan: ExercisePlan | None = None,
) -> PlanTemplate:
    """A template of the physio's own, from `items` or from a plan they may read. A copy
    of a plan takes its current items' exercises and dosages only: no patient, dates,
    reminder times or notes (those were written for one patient)."""
    if (items is None) == (from_plan is None):
        raise ValidationError(
            {
                "items": ValidationError(
                    _("Give either items or from_plan."), code=PlanError.ITEMS_OR_PLAN
                )
            }
        )
    if from_plan is not None:
        items = [
            {"exercise": item.exercise, **{name: getattr(item, name) for name in TEMPLATE_COPIED}}
            for item in from_plan.items.filter(retired_at__isnull=True)
            .select_related("exercise")
            .order_by("position", "id")
        ]
        exercises_check(physio=physio, items=items, attr="from_plan")
    else:
        assert items is not None  # checked above: items or from_plan
        exercises_check(physio=physio, items=items)
    if not items:
        raise ValidationError(
            {
                "items": ValidationError(
                    _("A template needs at least one exercise."), code=PlanError.EMPTY
                )
            }
        )
    template = PlanTemplate(physio=physio, title=title)
    template.full_clean(exclude=["physio"])
    template.save()
    built = []
    for position, fields in enumerate(items):
        exercise = fields["exercise"]
        item = PlanTemplateItem(
            template=template,
            position=position,
            exercise=exercise,
            sets=fields["sets"],
            reps=fields.get("reps", exercise.default_reps),
            hold_seconds=fields.get("hold_seconds", exercise.default_hold_seconds),
            times_per_day=fields.get("times_per_day", 1),
            days_of_week=sorted(fields["days_of_week"]),
            max_pain=fields["max_pain"],
            notes=fields.get("notes", ""),
        )
        item.full_clean(exclude=["template", "exercise"])
        built.append(item)
    PlanTemplateItem.objects.bulk_create(built)
    return template


@transaction.atomic
def plan_template_delete(*, template: PlanTemplate) -> None:
    template.delete()


def template_plan_items(template: PlanTemplate) -> list[dict[str, Any]]:
    """A template's items as plan_create takes them (notes included: the physio wrote them
    for the template)."""
    return [
        {
            "exercise": item.exercise,
            "notes": item.notes,
            **{name: getattr(item, name) for name in TEMPLATE_COPIED},
        }
        for item in template.items.all()
    ]


@transaction.atomic
def plan_archive(*, plan: ExercisePlan, by: User) -> ExercisePlan:
    plan = ExercisePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == PlanStatus.ARCHIVED:
        return plan
    plan.status = PlanStatus.ARCHIVED
    plan.archived_at = timezone.now()
    plan.save(update_fields=["status", "archived_at", "updated_at"])
    PlanEvent.objects.create(plan=plan, action=PlanEventAction.ARCHIVED, actor=by)
    _after_change(plan)
    return plan


@transaction.atomic
def plan_pause(*, plan: ExercisePlan, by: User, now: datetime | None = None) -> ExercisePlan:
    """A physiotherapist pauses an active plan (while a red flag is assessed, say): its
    reminders stop at once, including any due now and not yet sent, and the patient sees
    the plan paused. Pausing a paused plan changes nothing. An archived plan: 409."""
    plan = ExercisePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.ACTIVE:
        raise Conflict(_("An archived plan cannot be paused."), PlanError.PLAN_ARCHIVED)
    if plan.paused_at is not None:
        return plan
    plan.paused_at = now or timezone.now()
    plan.pauses = [*plan.pauses, {"from": plan.paused_at.isoformat(), "to": None}]
    plan.save(update_fields=["paused_at", "pauses", "updated_at"])
    PlanEvent.objects.create(plan=plan, action=PlanEventAction.PAUSED, actor=by)
    _after_change(plan)
    reminders_cancel(source=plan_source(plan))
    return plan


@transaction.atomic
def plan_resume(*, plan: ExercisePlan, by: User, now: datetime | None = None) -> ExercisePlan:
    """Resume a paused plan: its reminders are planned again from now. Resuming a running
    plan changes nothing. An archived plan: 409."""
    plan = ExercisePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.ACTIVE:
        raise Conflict(_("An archived plan cannot be resumed."), PlanError.PLAN_ARCHIVED)
    if plan.paused_at is None:
        return plan
    plan.paused_at = None
    ended = (now or timezone.now()).isoformat()
    plan.pauses = [pause if pause["to"] else {**pause, "to": ended} for pause in plan.pauses]
    plan.save(update_fields=["paused_at", "pauses", "updated_at"])
    PlanEvent.objects.create(plan=plan, action=PlanEventAction.RESUMED, actor=by)
    _after_change(plan)
    return plan


@transaction.atomic
def plan_item_set_dosage(
    *,
    item: PlanItem,
    sets: int,
    reps: int | None,
    hold_seconds: int | None,
    by: User,
    reason: str,
) -> tuple[PlanItem, PlanEvent]:
    """Change one item's sets, reps and hold in place (the item keeps its logs), bump its
    `dosage_version` and record who did it, why (a code, never free text) and from what to
    what. `item` comes locked from `apps.plans.locks.plan_item_for_update`, with its plan,
    in the caller's transaction: the caller has judged it against its current state, and
    it is not read again here."""
    if item.plan.status != PlanStatus.ACTIVE or item.retired_at is not None:
        raise Conflict(
            _("An archived plan or a retired item cannot be changed."), PlanError.PLAN_ARCHIVED
        )
    before = {"sets": item.sets, "reps": item.reps, "hold_seconds": item.hold_seconds}
    after = {"sets": sets, "reps": reps, "hold_seconds": hold_seconds}
    for name, value in after.items():
        setattr(item, name, value)
    item.full_clean(exclude=["plan", "exercise"], validate_constraints=False)
    now = timezone.now()
    updated = PlanItem.objects.filter(pk=item.pk, dosage_version=item.dosage_version).update(
        **after, dosage_version=item.dosage_version + 1, dosage_changed_at=now
    )
    if not updated:
        # The row lock (or SQLite's one writer at a time) rules this out: a caller that
        # did not lock the item is a bug, not a conflict to report.
        raise RuntimeError(f"plan item {item.pk} changed while it was locked")
    item.dosage_version += 1
    item.dosage_changed_at = now
    event = PlanEvent.objects.create(
        plan=item.plan,
        action=PlanEventAction.DOSAGE_CHANGED,
        actor=by,
        details={
            "item": str(item.pk),
            "reason": reason,
            "from": before,
            "to": after,
            "dosage_version": item.dosage_version,
        },
    )
    # Sets, reps and hold never change when or how often the item is due: the plan's
    # reminders stay as they are (they name no dosage).
    return item, event


@dataclass(frozen=True)
class LogOutcome:
    log: ExerciseLog
    created: bool


def _log_insert(log: ExerciseLog) -> ExerciseLog | None:
    """Insert a new log; None when a racing copy of its client_id was stored first."""
    log.pain_above_limit = log.pain_during > log.plan_item.max_pain
    log.full_clean(
        exclude=["patient", "plan_item"], validate_unique=False, validate_constraints=False
    )
    try:
        with transaction.atomic():  # savepoint: losing a race must not spoil the outer one
            log.save(force_insert=True)
    except IntegrityError:
        return None
    return log


def _announce_logs(patient: User, logs: list[ExerciseLog]) -> None:
    # Subscribers (alerts) enqueue the debounced worsening check: pain above the limit
    # twice running is one of its rules.
    if logs:
        hooks.logs_recorded.send(
            sender=ExerciseLog, patient_id=patient.pk, kind=hooks.LogKind.EXERCISE, logs=logs
        )


@transaction.atomic
def exercise_log_create(*, patient: User, plan_item: PlanItem, **fields: Any) -> LogOutcome:
    """Store one exercise session; the same client_id again returns the stored log.
    Pain above the item's limit is recorded for the worsening check."""
    existing = ExerciseLog.objects.filter(patient=patient, client_id=fields["client_id"]).first()
    if existing:
        return LogOutcome(existing, created=False)
    log = _log_insert(ExerciseLog(patient=patient, plan_item=plan_item, **fields))
    if log is None:
        return LogOutcome(
            ExerciseLog.objects.get(patient=patient, client_id=fields["client_id"]), created=False
        )
    _announce_logs(patient, [log])
    return LogOutcome(log, created=True)


class ExerciseLogFields(TypedDict):
    """One exercise log of an offline sync, as validated by the HTTP layer."""

    client_id: UUID
    plan_item: UUID
    performed_at: datetime
    sets_done: int
    reps_done: int | None
    pain_during: int
    difficulty: int | None
    note: str


def _unknown_item() -> list[ItemError]:
    return [item_error("plan_item", PlanError.UNKNOWN_ITEM, "No such item in your plans.")]


@transaction.atomic
def exercise_logs_store(
    *, patient: User, items: Sequence[BulkItem[ExerciseLogFields]]
) -> list[BulkResult[ExerciseLog]]:
    """Offline sync: store every valid exercise log, one result per item in order.

    Load (the known client_ids and the plan items named, one query each), check (an item
    not of the patient's plans is refused), persist (the first copy of each new client_id,
    a racing copy read back), announce (one `logs_recorded` for all)."""
    valid = valid_items(items)
    ids = {item.client_id for item in valid}
    known = {
        log.client_id: log for log in ExerciseLog.objects.filter(patient=patient, client_id__in=ids)
    }
    plan_items = plan_items_for(patient=patient).in_bulk(
        {item.fields["plan_item"] for item in valid}
    )
    refused = {
        item.index: _unknown_item()
        for item in valid
        if item.client_id not in known and item.fields["plan_item"] not in plan_items
    }
    to_store: list[Valid[ExerciseLogFields]] = [item for item in valid if item.index not in refused]
    created: dict[UUID, ExerciseLog] = {}
    for item in first_copies(to_store, known=known):
        fields = {key: value for key, value in item.fields.items() if key != "plan_item"}
        log = _log_insert(
            ExerciseLog(patient=patient, plan_item=plan_items[item.fields["plan_item"]], **fields)
        )
        if log is None:
            known[item.client_id] = ExerciseLog.objects.get(
                patient=patient, client_id=item.client_id
            )
        else:
            created[item.client_id] = log
    _announce_logs(patient, list(created.values()))
    return results_in_order(items, created=created, known=known, refused=refused)


def on_physio_handover(sender: object, *, physio: User, successor: User, **kwargs: Any) -> None:
    """hooks.physio_handover: the leaving physio's active plans change hands (their
    reminders are the patient's and go on as they were)."""
    ExercisePlan.objects.filter(physio=physio, status=PlanStatus.ACTIVE).update(physio=successor)

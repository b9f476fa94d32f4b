"""Writes for episodes of care and their goals.

`episode_for_new_work` is what plans and outcome schedules call when they are made: it
returns the episode they join, locked for the rest of the caller's transaction, so a
discharge running at the same moment either comes first (and the new work is refused) or
waits until the new work is stored (and then archives or ends it).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.accounts.selectors import is_linked
from apps.clinics.errors import ClinicError
from apps.clinics.models import Clinic
from apps.clinics.selectors import clinic_ids_of, home_clinic_of
from apps.content.models import Condition
from backend.errors import Conflict

from .errors import EpisodeError
from .models import Episode, EpisodeStatus, Goal

DEFAULT_TITLE = "Episode of care"
# A physio and a patient may be a day apart across zones.
START_GRACE = timedelta(days=1)
OLDEST_START = timedelta(days=730)
LONGEST_GOAL = timedelta(days=730)


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _discharged() -> Conflict:
    return Conflict(
        _("This episode has been discharged: it takes no new plans, schedules or goals."),
        EpisodeError.EPISODE_DISCHARGED,
    )


def _active_exists() -> Conflict:
    return Conflict(
        _("You already have an active episode with this patient: discharge it first."),
        EpisodeError.ACTIVE_EPISODE_EXISTS,
    )


def _clinic_of(physio: User) -> Clinic:
    """The clinic a new episode of this physio belongs to (docs/decisions/clinics.md)."""
    clinic = home_clinic_of(physio=physio)
    if clinic is None:
        raise Conflict(
            _("You are on no clinic's staff: ask an administrator to add you to one."),
            EpisodeError.NO_CLINIC,
        )
    return clinic


def patient_today(patient: User, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(patient.zone).date()


def _start_check(patient: User, started_on: date, now: datetime | None) -> None:
    today = patient_today(patient, now)
    if started_on > today + START_GRACE:
        raise _field_error(
            "started_on", "Must not be after the patient's today.", EpisodeError.STARTS_IN_FUTURE
        )
    if started_on < today - OLDEST_START:
        raise _field_error(
            "started_on", "Must be within the last two years.", EpisodeError.STARTS_TOO_OLD
        )


@transaction.atomic
def episode_start_change(
    *, episode: Episode, started_on: date, first_work: date | None, now: datetime | None = None
) -> Episode:
    """The lead physiotherapist corrects when a locked, active episode began: not in the
    future, within two years, not after `first_work` (the earliest start of its plans and
    schedules, which the caller reads: this app knows neither) nor after a goal's due
    date."""
    if episode.status != EpisodeStatus.ACTIVE:
        raise _discharged()
    _start_check(episode.patient, started_on, now)
    if first_work is not None and started_on > first_work:
        raise _field_error(
            "started_on",
            f"Must not be after the episode's first plan or schedule starts ({first_work}).",
            EpisodeError.STARTS_AFTER_WORK,
        )
    first_due = episode.goals.order_by("due_on").values_list("due_on", flat=True).first()
    if first_due is not None and started_on > first_due:
        raise _field_error(
            "started_on",
            f"Must not be after a goal of the episode is due ({first_due}).",
            EpisodeError.STARTS_AFTER_GOAL,
        )
    episode.started_on = started_on
    episode.save(update_fields=["started_on"])
    return episode


@transaction.atomic
def episode_open(
    *,
    physio: User,
    patient: User,
    title: str = DEFAULT_TITLE,
    condition: Condition | None = None,
    started_on: date | None = None,
    now: datetime | None = None,
) -> Episode:
    """A linked physiotherapist opens a course of care. One active episode per patient
    and physiotherapist: a second one is a 409 (the unique constraint decides a race)."""
    if not is_linked(physio=physio, patient=patient):
        raise _field_error("patient", "Not a patient you are linked to.", EpisodeError.NOT_LINKED)
    started_on = started_on or patient_today(patient, now)
    _start_check(patient, started_on, now)
    if Episode.objects.filter(patient=patient, physio=physio, status=EpisodeStatus.ACTIVE).exists():
        raise _active_exists()
    episode = Episode(
        patient=patient,
        physio=physio,
        clinic=_clinic_of(physio),
        title=title,
        condition=condition,
        started_on=started_on,
    )
    episode.full_clean(
        exclude=["patient", "physio", "clinic", "condition"], validate_constraints=False
    )
    try:
        with transaction.atomic():
            episode.save(force_insert=True)
    except IntegrityError as error:  # a concurrent request opened one first
        raise _active_exists() from error
    return episode


def _locked(queryset: QuerySet[Episode]) -> QuerySet[Episode]:
    return queryset.select_for_update(of=("self",))


def episode_for_new_work(
    *,
    physio: User,
    patient: User,
    episode_id: UUID | str | None = None,
    starts_on: date | None = None,
    now: datetime | None = None,
) -> Episode:
    """The episode a new plan or outcome schedule joins, locked until the caller's
    transaction ends (call it inside one).

    With `episode_id`: that episode, which must be this patient's, this physio's and
    active (400 `does_not_exist` / `not_your_episode`, 409 `episode_discharged`).
    Without: the physio's active episode with the patient, opened if there is none.

    `starts_on` is the new work's first day: an episode opened for it starts then (today
    at the latest), and an episode it joins that starts later moves back to it, so an
    episode always starts on or before its earliest plan or schedule."""
    episode = _episode_for_new_work(physio=physio, patient=patient, episode_id=episode_id, now=now)
    if starts_on is not None:
        episode_starts_by(episode=episode, day=min(starts_on, patient_today(patient, now)))
    return episode


def episode_starts_by(*, episode: Episode, day: date) -> None:
    """Move a locked episode's start back to `day` if it starts later (never forward)."""
    if day < episode.started_on:
        episode.started_on = day
        episode.save(update_fields=["started_on"])


def _episode_for_new_work(
    *,
    physio: User,
    patient: User,
    episode_id: UUID | str | None = None,
    now: datetime | None = None,
) -> Episode:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("episode_for_new_work locks the episode: call it in a transaction")
    if episode_id is not None:
        # Another clinic's episode is "no such episode" to this physio, as it is a 404
        # through the episodes API.
        mine = Episode.objects.filter(
            pk=episode_id, patient=patient, clinic__in=clinic_ids_of(user=physio)
        )
        episode = _locked(mine).first()
        if episode is None:
            raise _field_error(
                "episode", "No such episode for this patient.", EpisodeError.UNKNOWN_EPISODE
            )
        if episode.physio_id != physio.pk:
            raise _field_error(
                "episode",
                "This episode is another physiotherapist's.",
                EpisodeError.NOT_YOUR_EPISODE,
            )
        if episode.status != EpisodeStatus.ACTIVE:
            raise _discharged()
        return episode
    active = Episode.objects.filter(patient=patient, physio=physio, status=EpisodeStatus.ACTIVE)
    episode = _locked(active).first()
    if episode is not None:
        return episode
    episode = Episode(
        patient=patient,
        physio=physio,
        clinic=_clinic_of(physio),
        title=DEFAULT_TITLE,
        started_on=patient_today(patient, now),
    )
    try:
        with transaction.atomic():
            episode.save(force_insert=True)
    except IntegrityError:  # a concurrent request opened it first: join that one
        episode = _locked(active).get()
    return episode


@transaction.atomic
def goal_create(
    *,
    episode: Episode,
    by: User,
    description: str,
    instrument: str,
    target: Decimal,
    due_on: date,
) -> Goal:
    """Add a goal to an active episode. The instrument and the target's range are checked
    by the caller, which knows the instruments (apps.episode_lifecycle); this checks the episode."""
    episode = _locked(Episode.objects.filter(pk=episode.pk)).get()
    if episode.status != EpisodeStatus.ACTIVE:
        raise _discharged()
    if due_on < episode.started_on:
        raise _field_error(
            "due_on", "Must not be before the episode started.", EpisodeError.DUE_BEFORE_START
        )
    if due_on > episode.started_on + LONGEST_GOAL:
        raise _field_error(
            "due_on",
            "Must be within two years of the episode's start.",
            EpisodeError.DUE_TOO_LATE,
        )
    goal = Goal(
        episode=episode,
        description=description,
        instrument=instrument,
        target=target,
        due_on=due_on,
        created_by=by,
    )
    goal.full_clean(exclude=["episode", "created_by"])
    goal.save(force_insert=True)
    return goal


def episode_mark_discharged(
    *, episode: Episode, by: User, note: str, now: datetime | None = None
) -> Episode:
    """Mark a locked, active episode discharged (the caller, apps.episode_lifecycle, archives its
    plans and schedules and freezes the report in the same transaction)."""
    if episode.status != EpisodeStatus.ACTIVE:
        raise Conflict(
            _("This episode has already been discharged."), EpisodeError.EPISODE_DISCHARGED
        )
    episode.status = EpisodeStatus.DISCHARGED
    episode.discharged_at = now or timezone.now()
    episode.discharged_by = by
    episode.note = note
    episode.save(update_fields=["status", "discharged_at", "discharged_by", "note"])
    return episode


def episode_report_freeze(*, episode: Episode, report: dict[str, Any]) -> None:
    episode.report = report
    episode.save(update_fields=["report"])


def on_physio_handover(sender: object, *, physio: User, successor: User, **kwargs: Any) -> None:
    """hooks.physio_handover: the leaving physio's active episodes change hands. A colleague
    who already has an active episode with one of those patients stops it (409): one
    active episode per patient and physio."""
    active = _locked(Episode.objects.filter(physio=physio, status=EpisodeStatus.ACTIVE))
    patients = [episode.patient_id for episode in active]
    clash = Episode.objects.filter(
        physio=successor, status=EpisodeStatus.ACTIVE, patient_id__in=patients
    )
    if clash.exists():
        raise Conflict(
            _(
                "The colleague already has an active episode with one of these patients: "
                "discharge one of the two first."
            ),
            ClinicError.COLLEAGUE_HAS_EPISODE,
        )
    Episode.objects.filter(physio=physio, status=EpisodeStatus.ACTIVE).update(physio=successor)


def episode_lock(*, episode_id: UUID | str) -> Episode:
    """The episode's row, locked until the caller's transaction ends."""
    return _locked(Episode.objects.select_related("patient", "physio", "condition")).get(
        pk=episode_id
    )

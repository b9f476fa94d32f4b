"""Writes for home-care sessions: store a session with its end-of-session reminder, finish
one early and cancel that reminder."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from apps.accounts.models import User
from apps.notifications.models import Reminder, ReminderKind
from apps.notifications.reminders import reminder_schedule, reminders_cancel
from backend.bulk import BulkItem, BulkResult, first_copies, results_in_order, valid_items

from . import selectors
from .models import CareKind, CareSession

# Patient-facing text: plain, kind, and saying what to do now. Stored in English and sent
# in the patient's language (apps/notifications/texts.py).
_REMINDER_TEXT = {
    CareKind.ICE: (
        gettext_noop("Time to take the ice off"),
        gettext_noop(
            "Your %(minutes)s-minute ice session is over. Remove the cold pack and check your skin."
        ),
    ),
    CareKind.ELEVATION: (
        gettext_noop("End of your elevation session"),
        gettext_noop(
            "Your %(minutes)s-minute elevation session is over. You can lower your leg slowly."
        ),
    ),
    CareKind.REST: (
        gettext_noop("End of your rest session"),
        gettext_noop(
            "Your %(minutes)s-minute rest session is over. Move gently as you get going again."
        ),
    ),
    CareKind.STRETCH: (
        gettext_noop("End of your stretching session"),
        gettext_noop(
            "Your %(minutes)s-minute stretching session is over. Well done for keeping it gentle."
        ),
    ),
}


@dataclass(frozen=True)
class Outcome:
    session: CareSession
    reminder: Reminder | None
    changed: bool  # created (start) or finished (finish) by this call


def _reminder_of(session: CareSession) -> Reminder | None:
    return selectors.care_session_reminders(sessions=[session]).get(session.id)


@transaction.atomic
def care_session_start(
    *,
    patient: User,
    client_id: UUID,
    kind: str,
    started_at: datetime,
    planned_minutes: int,
) -> Outcome:
    """Store a session and schedule its end-of-session reminder in the same transaction.
    The same client_id again returns the stored session unchanged, even when two copies
    race (the unique constraint decides, not a prior read)."""
    existing = CareSession.objects.filter(patient=patient, client_id=client_id).first()
    if existing:
        return Outcome(existing, _reminder_of(existing), changed=False)

    session = CareSession(
        patient=patient,
        client_id=client_id,
        kind=kind,
        started_at=started_at,
        planned_minutes=planned_minutes,
    )
    session.full_clean(exclude=["patient"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():  # savepoint: losing a race must not spoil the outer one
            session.save(force_insert=True)
    except IntegrityError:
        stored = CareSession.objects.get(patient=patient, client_id=client_id)
        return Outcome(stored, _reminder_of(stored), changed=False)

    title, body = _REMINDER_TEXT[CareKind(session.kind)]
    # Care reminders are exempt from quiet hours (notifications.QUIET_HOURS_EXEMPT): the
    # ice must come off on time, whatever the hour.
    reminder = reminder_schedule(
        user=patient,
        kind=ReminderKind.CARE,
        source=session.reminder_source,
        at=session.ends_at,
        title=title,
        body=body,
        text_params={"minutes": session.planned_minutes},
    )
    return Outcome(session, reminder, changed=True)


class CareSessionFields(TypedDict):
    """One session of an offline sync, as validated by the HTTP layer."""

    client_id: UUID
    kind: str
    started_at: datetime
    planned_minutes: int


@transaction.atomic
def care_sessions_store(
    *, patient: User, items: Sequence[BulkItem[CareSessionFields]]
) -> list[BulkResult[CareSession]]:
    """Offline sync: store every valid session with its reminder, one result per item in
    order. The known client_ids are read once; each new first copy is stored as
    `care_session_start` stores one (a racing copy is read back, not doubled)."""
    valid = valid_items(items)
    known = {
        session.client_id: session
        for session in CareSession.objects.filter(
            patient=patient, client_id__in={item.client_id for item in valid}
        )
    }
    created: dict[UUID, CareSession] = {}
    for item in first_copies(valid, known=known):
        outcome = care_session_start(patient=patient, **item.fields)
        if outcome.changed:
            created[item.client_id] = outcome.session
        else:
            known[item.client_id] = outcome.session
    return results_in_order(items, created=created, known=known)


@transaction.atomic
def care_session_finish(*, session: CareSession, now: datetime | None = None) -> Outcome:
    """End a session (early or on time) and cancel its reminder if not yet sent.
    Finishing again changes nothing and returns the first finish time."""
    session = CareSession.objects.select_for_update().get(pk=session.pk)
    if session.finished_at is not None:
        return Outcome(session, _reminder_of(session), changed=False)

    now = now or timezone.now()
    # started_at may be up to 5 minutes ahead (phone clock drift); a session never
    # ends before it started.
    session.finished_at = max(now, session.started_at)
    session.full_clean(exclude=["patient"], validate_unique=False, validate_constraints=False)
    session.save(update_fields=["finished_at"])
    reminders_cancel(source=session.reminder_source)
    return Outcome(session, _reminder_of(session), changed=True)

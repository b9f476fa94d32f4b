"""Applying load guidance: a physiotherapist's decision to take one dosage step.

Suggestions are never applied by themselves (docs/decisions/guidance-is-advice.md). When
the physio applies one, the suggestion is computed again under a row lock on the item, one
step is taken through plans' `plan_item_set_dosage` (which writes the PlanEvent), and the
patient is told in the inbox that the plan changed, without any clinical detail.

Double apply. The item's row is locked (select_for_update) before the suggestion is
recomputed, so a second apply of the same suggestion waits for the first and then finds:
- the `dosage_version` it sent is no longer the item's: 409 `guidance_already_applied`;
- or, without a version, no session done since the dosage changed (the model judges a
  load only by sessions done at it): 409 `guidance_already_applied`.
Where the database has no row locks (SQLite), the conditional UPDATE on `dosage_version`
in plan_item_set_dosage makes the loser fail the same way.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.notifications.inbox import notifications_create
from apps.notifications.models import NotificationKind
from apps.plans.errors import PlanError
from apps.plans.models import PlanEvent, PlanItem, PlanStatus
from apps.plans.services import plan_item_set_dosage
from backend.errors import Conflict, or_404

from .errors import GuidanceError
from .model import WINDOW, Guidance, dosage_step
from .selectors import guidance_for_items, plan_item_of, prescription_of

# What the patient reads: that something changed, never what or why (docs/domain.md).
PATIENT_TITLE = "Your exercise plan changed"
PATIENT_BODY = "Your physiotherapist updated your exercises. Open the app to see your plan."


@dataclass(frozen=True)
class Applied:
    item: PlanItem
    event: PlanEvent
    guidance: Guidance


@transaction.atomic
def apply_guidance(
    *,
    physio: User,
    plan_id: UUID | str,
    item_id: UUID | str,
    expected_suggestion: str | None = None,
    dosage_version: int | None = None,
    now: datetime | None = None,
) -> Applied:
    """Take one dosage step in the direction the model suggests now, once."""
    item = or_404(plan_item_of(physio=physio, plan_id=plan_id, item_id=item_id))
    plan = item.plan
    # The lock first: a concurrent apply of the same item waits here, then sees our change.
    item = PlanItem.objects.select_for_update().select_related("exercise").get(pk=item.pk)
    item.plan = plan
    if plan.status != PlanStatus.ACTIVE or item.retired_at is not None:
        raise Conflict(
            "This item is no longer part of an active plan.", GuidanceError.ITEM_NOT_ACTIVE
        )
    if dosage_version is not None and dosage_version != item.dosage_version:
        raise Conflict(
            "The dosage changed since this guidance was read.", GuidanceError.ALREADY_APPLIED
        )
    now = now or timezone.now()
    [(_, guidance)] = guidance_for_items(plan=plan, items=[item], now=now)
    if (
        item.dosage_changed_at is not None
        and item.dosage_changed_at > now - WINDOW
        and guidance.evidence["sessions"] == 0
    ):
        raise Conflict(
            "The dosage was just changed: no session was done at it yet.",
            GuidanceError.ALREADY_APPLIED,
        )
    if expected_suggestion is not None and expected_suggestion != guidance.suggestion:
        raise Conflict(
            f"The suggestion is now {guidance.suggestion}.", GuidanceError.SUGGESTION_CHANGED
        )
    if not guidance.applicable:
        raise Conflict(
            f"A {guidance.suggestion} suggestion has no dosage step to apply.",
            GuidanceError.NOT_APPLICABLE,
        )
    step = dosage_step(prescription_of(item), guidance.suggestion)
    if step is None:
        raise Conflict(
            "The dosage is at its limit: no step is possible.", GuidanceError.NO_DOSAGE_STEP
        )
    try:
        item, event = plan_item_set_dosage(
            item=item,
            **step.as_dict(),
            by=physio,
            reason=f"guidance_{guidance.suggestion}",
            expected_version=item.dosage_version,
        )
    except Conflict as error:
        if error.code == PlanError.DOSAGE_CHANGED:
            raise Conflict(error.message, GuidanceError.ALREADY_APPLIED) from error
        raise
    notifications_create(
        users=[plan.patient],
        kind=NotificationKind.PLAN_CHANGED,
        title=PATIENT_TITLE,
        body=PATIENT_BODY,
        data={"plan": str(plan.pk)},
    )
    return Applied(item=item, event=event, guidance=guidance)

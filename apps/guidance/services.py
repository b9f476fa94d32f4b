"""Applying load guidance: a physiotherapist's decision to take one dosage step.

Suggestions are never applied by themselves (docs/decisions/guidance-is-advice.md). When
the physio applies one, the item is read and locked once (`plan_item_for_update`), the
suggestion is computed again on that locked row, one step is taken through plans'
`plan_item_set_dosage` (which writes the PlanEvent) on the same row, and the patient is
told in the inbox that the plan changed, without any clinical detail.

Double apply. The row lock comes before the suggestion is recomputed, so a second apply
of the same suggestion waits for the first and then finds the item changed: 409
`guidance_already_applied`, whether it sent the `dosage_version` it read (no longer the
item's) or nothing (no session was done since the dosage changed; the model judges a load
only by sessions done at it). That is decided in one place, `_current_guidance`.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from apps.accounts.models import User
from apps.notifications.inbox import notifications_create
from apps.notifications.models import NotificationKind
from apps.plans.locks import plan_item_for_update
from apps.plans.models import PlanEvent, PlanItem, PlanStatus
from apps.plans.services import plan_item_set_dosage
from backend.errors import Conflict, or_404

from .errors import GuidanceError
from .model import WINDOW, Dosage, Guidance, Suggestion, dosage_step
from .selectors import guidance_for_items, prescription_of

# What the patient reads: that something changed, never what or why (docs/domain.md).
# Stored in English, pushed in the patient's language (apps/notifications/texts.py).
PATIENT_TITLE = gettext_noop("Your exercise plan changed")
PATIENT_BODY = gettext_noop(
    "Your physiotherapist updated your exercises. Open the app to see your plan."
)


@dataclass(frozen=True)
class Applied:
    item: PlanItem
    event: PlanEvent
    guidance: Guidance


def _current_guidance(item: PlanItem, dosage_version: int | None, now: datetime) -> Guidance:
    """The suggestion for the locked item now, or a 409 if the item is not active or
    changed since the physio read its guidance (already applied)."""
    if item.plan.status != PlanStatus.ACTIVE or item.retired_at is not None:
        raise Conflict(
            _("This item is no longer part of an active plan."), GuidanceError.ITEM_NOT_ACTIVE
        )
    if dosage_version is not None and dosage_version != item.dosage_version:
        raise Conflict(
            _("The dosage changed since this guidance was read."), GuidanceError.ALREADY_APPLIED
        )
    [(_item, guidance)] = guidance_for_items(plan=item.plan, items=[item], now=now)
    if (
        item.dosage_changed_at is not None
        and item.dosage_changed_at > now - WINDOW
        and guidance.evidence["sessions"] == 0
    ):
        raise Conflict(
            _("The dosage was just changed: no session was done at it yet."),
            GuidanceError.ALREADY_APPLIED,
        )
    return guidance


# Each suggestion as a refusal's sentence names it for people; the API's `suggestion` field
# keeps the code. (model.py is pure: no gettext there.)
SUGGESTION_LABELS = {
    Suggestion.PROGRESS: pgettext_lazy("suggestion", "progress"),
    Suggestion.HOLD: pgettext_lazy("suggestion", "hold"),
    Suggestion.REDUCE: pgettext_lazy("suggestion", "reduce"),
    Suggestion.INSUFFICIENT_DATA: pgettext_lazy("suggestion", "insufficient data"),
}


def _step_to_take(item: PlanItem, guidance: Guidance, expected: str | None) -> Dosage:
    """The one documented step the suggestion asks for, or a 409 saying why there is none."""
    if expected is not None and expected != guidance.suggestion:
        raise Conflict(
            _("The suggestion is now %(suggestion)s.")
            % {"suggestion": SUGGESTION_LABELS[guidance.suggestion]},
            GuidanceError.SUGGESTION_CHANGED,
        )
    if not guidance.applicable:
        raise Conflict(
            _('The suggestion is "%(suggestion)s": there is no dosage step to apply.')
            % {"suggestion": SUGGESTION_LABELS[guidance.suggestion]},
            GuidanceError.NOT_APPLICABLE,
        )
    step: Dosage | None = dosage_step(prescription_of(item), guidance.suggestion)
    if step is None:
        raise Conflict(
            _("The dosage is at its limit: no step is possible."), GuidanceError.NO_DOSAGE_STEP
        )
    return step


@transaction.atomic
def plan_item_guidance_apply(
    *,
    physio: User,
    plan_id: Any,
    item_id: Any,
    expected_suggestion: str | None = None,
    dosage_version: int | None = None,
    now: datetime | None = None,
) -> Applied:
    """Take one dosage step of a linked patient's plan item in the direction the model
    suggests now, once. Http404 for an item that is not one of the physio's patients'."""
    item = or_404(plan_item_for_update(physio=physio, plan_id=plan_id, item_id=item_id))
    now = now or timezone.now()
    guidance = _current_guidance(item, dosage_version, now)
    step = _step_to_take(item, guidance, expected_suggestion)
    item, event = plan_item_set_dosage(
        item=item,
        sets=step.sets,
        reps=step.reps,
        hold_seconds=step.hold_seconds,
        by=physio,
        reason=f"guidance_{guidance.suggestion}",
    )
    notifications_create(
        users=[item.plan.patient],
        kind=NotificationKind.PLAN_CHANGED,
        title=PATIENT_TITLE,
        body=PATIENT_BODY,
        data={"plan": str(item.plan.pk)},
    )
    return Applied(item=item, event=event, guidance=guidance)

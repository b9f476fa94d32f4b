"""The one place plan items are locked for a change (in the manner of Saleor's
lock_objects): a caller locks the row once, in its own transaction, and passes the locked
row to the services that change it, which never read it again."""

from typing import Any

from apps.accounts.models import User

from .models import PlanItem
from .selectors import plans_for


def plan_item_for_update(*, physio: User, plan_id: Any, item_id: Any) -> PlanItem | None:
    """An item of a plan of the physio's currently linked patient, with its plan, patient
    (no password hash) and exercise, in one query; its row stays locked until the caller's
    transaction ends (PostgreSQL: FOR UPDATE of the item's row only; SQLite's IMMEDIATE
    transactions already queue writers). None for anything else: the view's 404."""
    return (
        PlanItem.objects.select_for_update(of=("self",))
        .select_related("plan__patient", "exercise")
        .defer("plan__patient__password")
        .filter(pk=item_id, plan_id=plan_id, plan__in=plans_for(user=physio).values("pk"))
        .first()
    )

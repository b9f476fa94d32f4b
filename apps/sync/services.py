"""Writes of the sync app: pruning the change log."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from .models import Change, PruneMark

PRUNE_BATCH = 10_000


def change_log_prune(*, now: datetime, keep: timedelta) -> int:
    """Delete change rows older than `keep` and raise the prune mark to the highest
    position deleted, so that a checkpoint from before it is answered 410 instead of
    silently missing what was pruned. Returns how many rows went.

    Everything at or below the newest old row's position goes (a row of a long
    transaction may sit below it with a later time): the log then holds exactly the
    positions above the mark."""
    newest_old = (
        Change.objects.filter(at__lt=now - keep).order_by("-xid", "-id").values("xid", "id").first()
    )
    if newest_old is None:
        return 0
    xid, change_id = newest_old["xid"], newest_old["id"]
    with transaction.atomic():
        mark, _ = PruneMark.objects.select_for_update().get_or_create(id=1)
        if (xid, change_id) > (mark.xid, mark.change_id):
            mark.xid, mark.change_id, mark.at = xid, change_id, now
            mark.save()
    at_or_below = Q(xid__lt=xid) | Q(xid=xid, id__lte=change_id)
    deleted = 0
    while True:
        batch = list(Change.objects.filter(at_or_below).values_list("id", flat=True)[:PRUNE_BATCH])
        if not batch:
            return deleted
        deleted += Change.objects.filter(id__in=batch).delete()[0]

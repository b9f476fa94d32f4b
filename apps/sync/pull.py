"""`GET sync/`: one page of what changed for a patient since a checkpoint.

Two phases (docs/architecture.md, "Offline sync"):
- **first pull** (no checkpoint): the log's current bound is noted, then every current
  record is given type by type in id order, page by page;
- **changes**: the patient's change-log rows after the checkpoint, read up to the oldest
  running transaction. Each changed (type, id) is read again through the type's feed: an
  object the patient still sees is given as its endpoint serves it; one the patient no
  longer sees (deleted, archived out of view, unlinked) is a tombstone.

A page holds at most `limit` objects and costs one log read plus at most one feed read
per type, whatever it holds; memory is bounded by `limit`.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from apps.accounts.models import User

from . import selectors
from .checkpoint import Checkpoint, Initial
from .feeds import BY_KIND, FEEDS, KINDS, Rows

PAGE_SIZE = 200


class CheckpointExpired(Exception):
    """The log was pruned past the checkpoint: changes may be missing."""


@dataclass
class Page:
    checkpoint: Checkpoint
    has_more: bool
    changes: dict[str, Rows] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    deleted: list[dict[str, Any]] = field(default_factory=list)


def pull(*, patient: User, since: Checkpoint | None, limit: int | None = None) -> Page:
    limit = limit or PAGE_SIZE
    if since is None:
        head = selectors.change_log_read(patient_id=patient.pk, after=(0, 0), limit=0)
        return _walk(
            patient, Checkpoint(position=head.complete_through, initial=Initial(0, None)), limit
        )
    if since.initial is not None:
        return _walk(patient, since, limit)
    return _changes(patient, since, limit)


def _walk(patient: User, at: Checkpoint, limit: int) -> Page:
    """First pull: every current record, type by type, in id order."""
    assert at.initial is not None
    kind_index, after = at.initial.kind, at.initial.after
    page = Page(checkpoint=at, has_more=True)
    room = limit
    while kind_index < len(FEEDS) and room > 0:
        feed = FEEDS[kind_index]
        records = feed.records(patient).order_by("pk")
        if after is not None:
            records = records.filter(pk__gt=after)
        batch = list(records[: room + 1])
        more_of_kind = len(batch) > room
        batch = batch[:room]
        page.changes[feed.kind] = feed.render(batch)
        room -= len(batch)
        if more_of_kind:
            page.checkpoint = Checkpoint(at.position, Initial(kind_index, batch[-1].pk))
            return page
        kind_index, after = kind_index + 1, None
    if kind_index >= len(FEEDS):
        # The walk is done: what changed since it began comes from the log, next.
        page.checkpoint = Checkpoint(position=at.position)
    else:
        page.checkpoint = Checkpoint(at.position, Initial(kind_index, None))
    return page


def _changes(patient: User, since: Checkpoint, limit: int) -> Page:
    read = selectors.change_log_read(patient_id=patient.pk, after=since.position, limit=limit + 1)
    if since.position < read.pruned:
        raise CheckpointExpired
    rows = read.rows[:limit]
    has_more = len(read.rows) > limit
    position = rows[-1].position if has_more else max(since.position, read.complete_through)
    page = Page(checkpoint=Checkpoint(position=position), has_more=has_more)
    wanted: dict[str, list[uuid.UUID]] = defaultdict(list)
    for row in rows:
        if row.kind in BY_KIND and row.object_id not in wanted[row.kind]:
            wanted[row.kind].append(row.object_id)
    for kind, ids in wanted.items():
        feed = BY_KIND[kind]
        found = list(feed.records(patient).filter(pk__in=ids).order_by("pk"))
        page.changes[kind] = feed.render(found)
        seen = {obj.pk for obj in found}
        page.deleted.extend({"type": kind, "id": pk} for pk in ids if pk not in seen)
    return page

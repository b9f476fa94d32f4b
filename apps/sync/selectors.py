"""Reads of the change log: one statement per page, whatever the database.

A position in the log is `(xid, id)`. On PostgreSQL a pull reads only the rows of
transactions older than the oldest one still running (`pg_snapshot_xmin` of the
statement's own snapshot): a transaction that began before another and commits after it
has an xid at or above that bound until it ends, so it is read by a later pull, never
skipped (docs/decisions/sync-change-log.md). On SQLite one writer at a time makes `id`
order commit order, and `xid` is always 0.
"""

import uuid
from dataclasses import dataclass

from django.db import connection

from .models import Change

Position = tuple[int, int]


@dataclass(frozen=True)
class ChangeRow:
    kind: str
    object_id: uuid.UUID
    position: Position


@dataclass(frozen=True)
class LogRead:
    rows: list[ChangeRow]
    #: Every change at or below this position is readable now (nothing below it can
    #: still commit): where a pull that read everything may continue from.
    complete_through: Position
    #: The highest position pruned: a checkpoint below it may have missed a change.
    pruned: Position


_POSTGRES = """
WITH snap AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin)
SELECT snap.xmin, 0, m.xid, m.change_id, c.kind, c.object_id, c.xid, c.id
FROM snap
LEFT JOIN sync_prunemark m ON m.id = 1
LEFT JOIN LATERAL (
    SELECT kind, object_id, xid, id FROM sync_change
    WHERE patient_id = %s AND (xid, id) > (%s, %s) AND xid < snap.xmin
    ORDER BY xid, id LIMIT %s
) c ON TRUE
ORDER BY c.xid, c.id
"""

_SQLITE = """
SELECT 0, MAX((SELECT COALESCE(MAX(id), 0) FROM sync_change), COALESCE(m.change_id, 0)),
       m.xid, m.change_id,
       c.kind, c.object_id, c.xid, c.id
FROM (SELECT 1) AS one
LEFT JOIN sync_prunemark m ON m.id = 1
LEFT JOIN (
    SELECT kind, object_id, xid, id FROM sync_change
    WHERE patient_id = %s AND (xid, id) > (%s, %s)
    ORDER BY xid, id LIMIT %s
) c ON 1
ORDER BY c.xid, c.id
"""


def change_log_read(*, patient_id: uuid.UUID, after: Position, limit: int) -> LogRead:
    """Up to `limit` of the patient's change rows after `after`, in log order, with the
    log's bounds: one query (a pull with nothing new costs just this)."""
    sql = _POSTGRES if connection.vendor == "postgresql" else _SQLITE
    patient = Change._meta.get_field("patient_id").get_db_prep_value(
        patient_id, connection, prepared=False
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [patient, after[0], after[1], limit])
        records = cursor.fetchall()
    xmin, top, pruned_xid, pruned_id = records[0][:4]
    rows = [
        ChangeRow(kind=kind, object_id=_uuid(object_id), position=(xid, id_))
        for *_, kind, object_id, xid, id_ in records
        if id_ is not None
    ]
    return LogRead(
        rows=rows,
        complete_through=(int(xmin), 0) if connection.vendor == "postgresql" else (0, int(top)),
        pruned=(int(pruned_xid or 0), int(pruned_id or 0)),
    )


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))

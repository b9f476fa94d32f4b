"""INSERT … ON CONFLICT DO NOTHING that says which rows went in.

`bulk_create(ignore_conflicts=True)` lets the database decide duplicates but does not say
which rows it skipped, so callers re-read every row to find out. Here the insert itself
answers (`RETURNING` the primary keys of the rows stored, on PostgreSQL and SQLite ≥ 3.35;
the row count elsewhere): a caller reads the existing copies only when there are some.
Works on PostgreSQL (`ON CONFLICT DO NOTHING`) and SQLite (`INSERT OR IGNORE`).

`json_rows` serialises rows for the sweeps' `INSERT … SELECT … FROM jsonb_to_recordset`
statements on PostgreSQL (docs/decisions/sweep-writes-in-sql.md).
"""

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connections, router
from django.db.models import Model
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery


def insert_ignoring_conflicts(objs: Sequence[Model]) -> set[Any]:
    """Insert `objs` (primary keys set by a Python default, as UUIDs are), skipping any a
    unique constraint already holds a copy of; return the primary keys stored by this
    call. `auto_now_add` fields are filled in as by save(); no signals are sent (as with
    bulk_create). One statement per batch (one on PostgreSQL up to its parameter limit)."""
    if not objs:
        return set()
    model = type(objs[0])
    using = router.db_for_write(model, instance=objs[0])
    connection = connections[using]
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if not f.generated]
    returning = connection.features.can_return_rows_from_bulk_insert
    batch = max(connection.ops.bulk_batch_size(fields, objs), 1) if returning else 1
    stored: set[Any] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
            query.insert_values(fields, list(chunk))
            compiler = query.get_compiler(using=using)
            if returning:
                compiler.returning_fields = [pk]
            for sql, params in compiler.as_sql():
                cursor.execute(sql, params)
                if returning:
                    stored.update(pk.to_python(row[0]) for row in cursor.fetchall())
                elif cursor.rowcount > 0:
                    stored.add(chunk[0].pk)
    for obj in objs:
        if obj.pk in stored:
            obj._state.adding = False
            obj._state.db = using
    return stored


def insert_or_ignore(obj: Model) -> bool:
    """Insert one row unless its copy is already stored; True when this call stored it."""
    return bool(insert_ignoring_conflicts([obj]))


def _json_value(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()  # with its offset and every microsecond
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a column value of a JSON row")


def json_rows(rows: Sequence[dict[str, Any]]) -> str:
    """Rows for an INSERT … SELECT … FROM jsonb_to_recordset(%s::jsonb): one parameter
    that PostgreSQL unpacks, instead of one array per column quoted in Python. Datetimes
    and UUIDs become the text PostgreSQL reads back exactly; any other value that JSON
    cannot hold is refused, as a JSONField would refuse it."""
    return json.dumps(rows, default=_json_value)

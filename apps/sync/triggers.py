"""The database triggers that write the change log, one declaration per (table, type).

Why triggers (docs/decisions/sync-change-log.md): every write path is covered by
construction, whatever it is: a service's save, a bulk insert, a queryset update, the
dispatch's raw INSERT ... SELECT, a cascade of deletes, the admin, or code written after
this module. The row is written by the same statement, so in the same transaction.

A declaration says which patient's app shows the changed row, as which sync type and
under which id. Expressions name the changed row `r`; other tables get their own alias
in `tables` and are joined in `where`. On PostgreSQL each table gets statement-level
triggers over the transition table (one INSERT ... SELECT per statement, however many rows
a bulk write touched); on SQLite row-level triggers, `r` read as NEW or OLD.

`install()` runs after every `migrate` (post_migrate), so the triggers always match the
current tables; it drops every trigger it made before and makes them again.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

PREFIX = "sync_changes"
EVENTS = ("INSERT", "UPDATE", "DELETE")


@dataclass(frozen=True)
class Hook:
    table: str
    kind: str
    patient: str  # SQL: the patient whose app shows it
    object: str | dict[str, str]  # SQL: the id the app knows it by (per vendor if a dict)
    tables: str = ""  # more FROM items, with their aliases
    where: str = ""

    def object_sql(self, vendor: str) -> str:
        return self.object if isinstance(self.object, str) else self.object[vendor]


# The care session a reminder belongs to: its source is "care_session:<uuid>" (a text key,
# not a foreign key). SQLite stores UUIDs as 32 hex digits.
_CARE_SESSION_OF_REMINDER = {
    "postgresql": "CAST(substr(r.source, 14) AS uuid)",
    "sqlite": "replace(substr(r.source, 14), '-', '')",
}

HOOKS: tuple[Hook, ...] = (
    Hook("accounts_user", "me", "r.id", "r.id", where="r.role = 'patient'"),
    Hook("plans_exerciseplan", "plans", "r.patient_id", "r.id"),
    # An episode is served with its plans, schedules and goals (and goal status from scores).
    Hook("plans_exerciseplan", "episodes", "r.patient_id", "r.episode_id"),
    Hook(
        "plans_planitem",
        "plans",
        "p.patient_id",
        "r.plan_id",
        tables="plans_exerciseplan p",
        where="p.id = r.plan_id",
    ),
    Hook("plans_exerciselog", "exercise_logs", "r.patient_id", "r.id"),
    Hook("notifications_reminder", "reminders", "r.user_id", "r.id"),
    # A care session is served with its end-of-session reminder.
    Hook(
        "notifications_reminder",
        "care_sessions",
        "r.user_id",
        _CARE_SESSION_OF_REMINDER,
        where="r.source LIKE 'care_session:%'",
    ),
    Hook("notifications_notification", "notifications", "r.user_id", "r.id"),
    Hook("alerts_alert", "alerts", "r.patient_id", "r.id"),
    Hook(
        "messaging_message",
        "messages",
        "l.patient_id",
        "r.id",
        tables="accounts_careteamlink l",
        where="l.id = r.link_id",
    ),
    Hook("outcomes_outcomeschedule", "outcome_schedules", "r.patient_id", "r.id"),
    Hook("outcomes_outcomeschedule", "episodes", "r.patient_id", "r.episode_id"),
    Hook("outcomes_outcomeresponse", "outcome_responses", "r.patient_id", "r.id"),
    Hook(
        "outcomes_outcomeresponse",
        "episodes",
        "e.patient_id",
        "e.id",
        tables="episodes_episode e",
        where="e.patient_id = r.patient_id",
    ),
    Hook("episodes_episode", "episodes", "r.patient_id", "r.id"),
    Hook(
        "episodes_goal",
        "episodes",
        "e.patient_id",
        "r.episode_id",
        tables="episodes_episode e",
        where="e.id = r.episode_id",
    ),
    Hook("care_caresession", "care_sessions", "r.patient_id", "r.id"),
    Hook("symptoms_symptomlog", "symptom_logs", "r.patient_id", "r.id"),
)

#: Every sync type some table feeds.
KINDS = frozenset(hook.kind for hook in HOOKS)

_ROW = re.compile(r"\br\.")
_NOW = {
    "postgresql": "now()",
    "sqlite": "strftime('%Y-%m-%d %H:%M:%f', 'now')",
}
_XID = {"postgresql": "pg_current_xact_id()::text::bigint", "sqlite": "0"}


def _insert(hook: Hook, vendor: str, row: str) -> str:
    """One INSERT ... SELECT of change rows for `hook`; `row` is the transition table
    (PostgreSQL) or NEW/OLD (SQLite)."""
    columns = (
        f"{_XID[vendor]}, {_NOW[vendor]}, {hook.patient}, '{hook.kind}', {hook.object_sql(vendor)}"
    )
    if vendor == "postgresql":
        sources = ", ".join(filter(None, [f"{row} r", hook.tables]))
        sql = f"SELECT DISTINCT {columns} FROM {sources}"  # noqa: S608 - our own constants
    else:
        sql = f"SELECT {columns}" + (f" FROM {hook.tables}" if hook.tables else "")  # noqa: S608
    if hook.where:
        sql += f" WHERE {hook.where}"
    if vendor == "sqlite":
        sql = _ROW.sub(f"{row}.", sql)
    return f"INSERT INTO sync_change (xid, at, patient_id, kind, object_id) {sql};"


def _purge(vendor: str, row: str) -> str:
    """An erased patient's change rows go with the account (the account's own rows are
    deleted before it, so their change rows exist by now)."""
    if vendor == "postgresql":
        return f"DELETE FROM sync_change c USING {row} r WHERE c.patient_id = r.id;"  # noqa: S608
    return f"DELETE FROM sync_change WHERE patient_id = {row}.id;"  # noqa: S608


def _by_table(hooks: Iterable[Hook]) -> dict[str, list[Hook]]:
    tables: dict[str, list[Hook]] = defaultdict(list)
    for hook in hooks:
        tables[hook.table].append(hook)
    return tables


def statements(vendor: str, hooks: Iterable[Hook] = HOOKS) -> list[str]:
    """The DDL that makes every trigger, for `vendor` ("postgresql" or "sqlite")."""
    out: list[str] = []
    for table, table_hooks in _by_table(hooks).items():
        for event in EVENTS:
            name = f"{PREFIX}_{table}_{event.lower()}"
            if vendor == "postgresql":
                row = "sync_old" if event == "DELETE" else "sync_new"
                body = [_insert(hook, vendor, row) for hook in table_hooks]
                if table == "accounts_user" and event == "DELETE":
                    body.append(_purge(vendor, row))
                transition = (
                    "OLD TABLE AS sync_old" if event == "DELETE" else "NEW TABLE AS sync_new"
                )
                out.append(
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                    f"$$ BEGIN {' '.join(body)} RETURN NULL; END $$;"
                )
                out.append(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transition} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {name}();"
                )
            else:
                row = "OLD" if event == "DELETE" else "NEW"
                body = [_insert(hook, vendor, row) for hook in table_hooks]
                if table == "accounts_user" and event == "DELETE":
                    body.append(_purge(vendor, row))
                out.append(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW "
                    f"BEGIN {' '.join(body)} END;"
                )
    return out


def _existing(connection: BaseDatabaseWrapper) -> list[tuple[str, str]]:
    """(trigger, table) of every trigger this module made."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE %s",
                [f"{PREFIX}\\_%"],
            )
        else:
            cursor.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s "
                "ESCAPE '\\'",
                [f"{PREFIX}\\_%"],
            )
        return [(name, table) for name, table in cursor.fetchall()]


def uninstall(using: str = "default") -> None:
    """Drop every trigger this module made."""
    connection = connections[using]
    if connection.vendor not in _XID:
        return
    with connection.cursor() as cursor:
        for name, table in _existing(connection):
            on = f" ON {table}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")


def install(using: str = "default") -> int:
    """Drop this module's triggers and make them again for the tables that exist.
    Returns how many triggers there are now."""
    connection = connections[using]
    if connection.vendor not in _XID:
        return 0
    tables = set(connection.introspection.table_names())
    if "sync_change" not in tables:
        return 0
    hooks = [hook for hook in HOOKS if hook.table in tables and _tables_exist(hook, tables)]
    uninstall(using)
    with connection.cursor() as cursor:
        made = 0
        for sql in statements(connection.vendor, hooks):
            cursor.execute(sql)
            made += sql.startswith("CREATE TRIGGER")
    return made


def _tables_exist(hook: Hook, tables: set[str]) -> bool:
    others = [item.split()[0] for item in hook.tables.split(",") if item.strip()]
    return all(other in tables for other in others)


def install_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if getattr(sender, "label", None) == "sync":
        install(using)


def uninstall_before_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """SQLite remakes a table to alter it (copy, drop, rename), and a trigger that names
    the dropped table breaks the rename: migrations run without the triggers there, and
    post_migrate puts them back. PostgreSQL keeps them, so data migrations are logged."""
    if getattr(sender, "label", None) == "sync" and connections[using].vendor == "sqlite":
        uninstall(using)

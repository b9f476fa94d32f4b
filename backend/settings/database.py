"""The database: SQLite by default, PostgreSQL from DATABASE_URL; connection options and
timeouts. `production.py` reuses `postgres_options()`."""

from .environment import VAR_DIR, env

# SQLite by default so that a fresh clone runs with nothing installed; PostgreSQL when
# DATABASE_URL says so. Web, worker and beat share the SQLite file, hence WAL and
# IMMEDIATE transactions (writers queue instead of failing with "database is locked").
# A PostgreSQL that does not answer must not hold a process forever: connecting gives up
# after DATABASE_CONNECT_TIMEOUT seconds (libpq's minimum is 2).
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=2)


def postgres_options() -> dict:
    # plan_cache_mode: the foreign-key checks' cached plans are made again each time from
    # the table's current size, so a plan made while a table was empty (a seq scan) never
    # outlives its data (docs/decisions/empty-table-planning.md).
    return {
        "connect_timeout": DATABASE_CONNECT_TIMEOUT,
        "options": "-c plan_cache_mode=force_custom_plan",
    }


DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).update(postgres_options())
